"""Web pages of the judging app (server-rendered, Chinese). Thin views: fetch-and-authorise
with a judging selector, parse with a form from judging.forms, call one judging service,
turn a WorkflowError into a message (or a 403 / 404)."""
