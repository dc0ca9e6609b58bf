"""The judging app's domain error: a message a user can act on (see nominations.errors)."""
from nominations.errors import (  # noqa: F401  (re-exported for judging callers)
    ConcurrentChange,
    ConditionsUnmet,
    InvalidState,
    NotFound,
    NotPermitted,
    WorkflowError,
)


class JudgingError(WorkflowError):
    """A judging rule refused the action (400). Nothing was changed."""

    code = "invalid"
    status = 400
