"""The applicant's application form (/applications/<id>/edit/): a form that never loses work.

One <form> holds every field; the document upload and delete buttons and the submit button
belong to it too (HTML `form=` and `name="action"`), so without JavaScript any button first
saves what was typed and then uploads, deletes or submits: nothing typed is lost and the
诚信承诺 box goes with the submit. With static/js/application-form.js the page autosaves to
`application_autosave` (debounced), uploads and deletes with fetch (no reload) and warns
before leaving with unsaved edits.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nominations import rules, selectors
from nominations.enums import EDITABLE, ApplicationState
from nominations.enums import Transition as T
from nominations.errors import WorkflowError
from nominations.forms.intake import COMMITMENT_TEXT, NOMINEE_ERROR_FIELDS, ApplicationEditForm
from nominations.services import intake
from nominations.services.acts import application_act
from nominations.services.transitions import application_available_transitions
from nominations.views.common import (
    access_application_or_404,
    client_ip,
    completeness,
    draft_headline,
    error_html,
    next_step,
    report_error,
    requirement_rows,
    upload_limit_mb,
)


def shanghai_clock(moment=None) -> str:
    """HH:MM:SS in the server's zone (Asia/Shanghai), whatever the browser's zone is."""
    return timezone.localtime(moment or timezone.now()).strftime("%H:%M:%S")


def edit_context(request, app, form, upload_errors=None) -> dict:
    documents = list(selectors.application_documents(app))
    checklist = completeness(app, documents)
    requirements = requirement_rows(app, documents)
    for row in requirements:
        kind = row["requirement"].kind if row["requirement"] else row["kind"]
        row["errors"] = (upload_errors or {}).get(kind, [])
    return {
        "app": app, "form": form, "documents": documents, "requirements": requirements,
        "checklist": checklist,
        "headline": next_step(app, request.user) if app.state == ApplicationState.RETURNED
        else draft_headline(checklist),
        "todo_count": sum(1 for i in checklist if not i.ok),
        "commitment_text": COMMITMENT_TEXT, "upload_limit_mb": upload_limit_mb(),
        "transitions": {t.name: t for t in application_available_transitions(app, request.user)},
        "last_saved": timezone.localtime(app.updated_at) if app.updated_at else None,
    }


def _locked_redirect(request, app):
    if request.method == "POST":
        messages.error(request, _("申报已提交，内容已锁定；只有在“草稿”或“待补正”状态下才能修改。")
                       if app.state not in EDITABLE else _("只有申报单位的成员可以修改申报。"))
    elif app.state not in EDITABLE and rules.is_application_applicant(request.user, app):
        messages.info(request, _("申报当前为“%(state)s”，内容已锁定，不能修改。")
                      % {"state": app.get_state_display()})
    return redirect("application_detail", pk=app.pk)


def _save_fields(request, app, form) -> bool:
    """Save the form's fields through the intake service; False (errors on the form) otherwise."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    fields = {"title": data["title"], "recommending_unit": data["recommending_unit"],
              "answers": form.answers(), "commitment": data["commitment"]}
    nominee = form.nominee_changes()
    if nominee:
        fields["nominee"] = nominee
    try:
        intake.application_update(application=app, actor=request.user, ip=client_ip(request), **fields)
    except WorkflowError as exc:
        report_error(request, exc, form, NOMINEE_ERROR_FIELDS)
        return False
    return True


def _upload(request, app, kind: str) -> list[str]:
    """Store the file chosen for `kind`; the errors (empty when stored)."""
    uploaded = request.FILES.get(f"file-{kind}") or request.FILES.get("file")
    if not kind or uploaded is None:
        return [_("请选择要上传的文件。")]
    try:
        doc = intake.document_upload(application=app, actor=request.user, kind=kind, uploaded=uploaded,
                                     ip=client_ip(request))
    except WorkflowError as exc:
        return [e for errs in exc.field_errors.values() for e in errs] or [exc.message]
    messages.success(request, _("已上传“%(name)s”。") % {"name": doc.name})
    return []


def _delete(request, app, doc_id: str) -> WorkflowError | None:
    doc = app.documents.filter(pk=int(doc_id)).first() if doc_id.isdigit() else None
    if doc is None:
        return WorkflowError(_("材料不存在。"))
    try:
        intake.document_delete(document=doc, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        return exc
    messages.success(request, _("已删除“%(name)s”。") % {"name": doc.name})
    return None


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request, pk: int):
    """The application form: editable only by the applicant while draft or returned.

    POST `action`: "save" (default), "submit" (save, then submit), "upload:<kind>" (save, then
    store the file field `file-<kind>`), "delete:<document id>" (save, then delete). Fields that
    fail validation are not saved but come back as typed; an upload or delete still happens."""
    app = access_application_or_404(request, pk)
    if not rules.can_edit_application(request.user, app):
        return _locked_redirect(request, app)
    if request.method == "GET":
        return render(request, "nominations/application/edit.html",
                      edit_context(request, app, ApplicationEditForm(application=app)))
    action = request.POST.get("action") or "save"
    form = ApplicationEditForm(request.POST, application=app)
    saved = _save_fields(request, app, form)
    edit_url = reverse("application_edit", args=[app.pk])
    upload_errors = {}
    if action.startswith("upload:"):
        kind = action.split(":", 1)[1]
        errors = _upload(request, app, kind)
        if errors:
            upload_errors[kind] = errors
            messages.error(request, error_html(WorkflowError(_("上传未成功：%(error)s") % {"error": errors[0]})))
        elif saved:
            return redirect(edit_url + f"#doc-{kind}")
    elif action.startswith("delete:"):
        problem = _delete(request, app, action.split(":", 1)[1])
        if problem is not None:
            messages.error(request, error_html(problem))
        elif saved:
            return redirect(edit_url + "#documents")
    elif action == "submit":
        if saved:
            try:
                app = application_act(application=app, name=T.SUBMIT, actor=request.user, ip=client_ip(request))
            except WorkflowError as exc:
                report_error(request, exc)  # the fields are saved; the page shows what is missing
            else:
                messages.success(request, _("已完成“%(label)s”。%(next)s") % {
                    "label": T.SUBMIT.label, "next": next_step(app, request.user)})
                return redirect("application_detail", pk=app.pk)
    elif saved:
        messages.success(request, _("已保存（北京时间 %(time)s）。") % {"time": shanghai_clock()})
        return redirect(edit_url)
    if form.errors:
        text = _("有 %(n)d 处需要修改；您填写的内容仍在页面上，改好后再保存。") % {"n": len(form.errors)}
        messages.error(request, (_("申报未提交：") + text) if action == "submit" else text)
    app.refresh_from_db()
    return render(request, "nominations/application/edit.html",
                  edit_context(request, app, form, upload_errors=upload_errors), status=400)


@require_POST
@login_required
def application_autosave(request, pk: int):
    """Autosave of the application form (static/js/application-form.js): the form's fields,
    validated and saved as "保存草稿" does. JSON: 200 {"saved", "saved_at", "saved_at_display"};
    400 {"saved": false, "errors": {field: [...]}}; 409 when the application is no longer
    editable (nothing saved)."""
    app = access_application_or_404(request, pk)
    if not rules.can_edit_application(request.user, app):
        return JsonResponse({"saved": False, "code": "invalid_state",
                             "detail": _("申报已提交或已锁定，不能再修改；请刷新页面。")}, status=409)
    form = ApplicationEditForm(request.POST, application=app)
    if not form.is_valid():
        errors = {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    data = form.cleaned_data
    fields = {"title": data["title"], "recommending_unit": data["recommending_unit"],
              "answers": form.answers(), "commitment": data["commitment"]}
    nominee = form.nominee_changes()
    if nominee:
        fields["nominee"] = nominee
    try:
        app = intake.application_update(application=app, actor=request.user, ip=client_ip(request), **fields)
    except WorkflowError as exc:
        errors = {NOMINEE_ERROR_FIELDS.get(k, k) or "__all__": list(v) for k, v in exc.field_errors.items()}
        return JsonResponse({"saved": False, "errors": errors or {"__all__": [exc.message]},
                             "detail": exc.message}, status=400)
    saved_at = timezone.localtime(app.updated_at or timezone.now())
    return JsonResponse({"saved": True, "saved_at": saved_at.isoformat(),
                         "saved_at_display": shanghai_clock(saved_at)})
