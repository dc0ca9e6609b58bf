"""Uploading, deleting and downloading an application's documents."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nominations import rules
from nominations.errors import WorkflowError
from nominations.forms.intake import ApplicationEditForm, DocumentUploadForm
from nominations.services import intake
from nominations.views.application_form import edit_context
from nominations.views.common import client_ip, error_html, access_application_or_404


def wants_json(request) -> bool:
    """The page's script (fetch) asks for JSON; a plain form post gets a page."""
    return "application/json" in request.headers.get("Accept", "")


def _document_json(doc) -> dict:
    return {"id": doc.pk, "kind": doc.kind, "name": doc.name, "size": doc.size, "sha256": doc.sha256,
            "uploaded_at": doc.uploaded_at.isoformat()}


@require_POST
@login_required
def document_upload(request, pk: int):
    """One file for one requirement. A plain form post is answered with the edit page; the
    page's script (Accept: application/json) gets JSON and updates the page without a reload."""
    app = access_application_or_404(request, pk)
    as_json = wants_json(request)
    if not rules.can_edit_application(request.user, app):
        message = _("申报已提交，材料已锁定；只有在“草稿”或“待补正”状态下才能上传。")
        if as_json:
            return JsonResponse({"detail": message, "code": "invalid_state"}, status=409)
        messages.error(request, message)
        return redirect("application_detail", pk=app.pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    kind = request.POST.get("kind", "")
    if form.is_valid():
        try:
            doc = intake.document_upload(application=app, actor=request.user, kind=form.cleaned_data["kind"],
                                         uploaded=form.cleaned_data["file"], ip=client_ip(request))
        except WorkflowError as exc:
            errors = [e for errs in exc.field_errors.values() for e in errs] or [exc.message]
        else:
            message = _("已上传“%(name)s”。") % {"name": doc.name}
            if as_json:
                return JsonResponse({"document": _document_json(doc), "message": message}, status=201)
            messages.success(request, message)
            return redirect(reverse("application_edit", args=[app.pk]) + f"#doc-{doc.kind}")
    else:
        errors = [_("请选择要上传的文件。")]
    if as_json:
        return JsonResponse({"kind": kind, "errors": errors,
                             "detail": _("上传未成功：%(error)s") % {"error": errors[0]}}, status=400)
    # Show the error beside the requirement it belongs to; nothing was stored.
    messages.error(request, error_html(WorkflowError(_("上传未成功：%(error)s") % {"error": errors[0]})))
    context = edit_context(request, app, ApplicationEditForm(application=app), upload_errors={kind: errors})
    return render(request, "nominations/application/edit.html", context, status=400)


@require_POST
@login_required
def document_delete(request, pk: int, doc_id: int):
    app = access_application_or_404(request, pk)
    doc = app.documents.filter(pk=doc_id).first()
    if doc is None:
        raise Http404(_("材料不存在。"))
    as_json = wants_json(request)
    try:
        intake.document_delete(document=doc, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        if as_json:
            return JsonResponse({"detail": exc.message, "code": exc.code}, status=409)
        messages.error(request, error_html(exc))
        return redirect("application_detail", pk=app.pk)
    if as_json:
        return JsonResponse({"deleted": doc_id, "message": _("已删除“%(name)s”。") % {"name": doc.name}})
    messages.success(request, _("已删除“%(name)s”。") % {"name": doc.name})
    return redirect(reverse("application_edit", args=[app.pk]) + "#documents")


@require_GET
@login_required
def document_download(request, pk: int, doc_id: int):
    """The file, to whoever may see the application (judges through the access registry); 404 otherwise."""
    app = access_application_or_404(request, pk)
    doc = app.documents.filter(pk=doc_id).first()
    if doc is None:
        raise Http404(_("材料不存在。"))
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    intake.document_download_record(document=doc, actor=request.user, ip=client_ip(request))
    response = FileResponse(handle, as_attachment=True, filename=doc.name,
                            content_type=doc.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
