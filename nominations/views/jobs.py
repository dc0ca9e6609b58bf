"""Progress of background jobs as JSON (polled by static/js/jobs.js) and their result files.
The pages that start a job render the same description server-side (_partials/job.html), so
they work as refreshable pages without JavaScript."""
from __future__ import annotations

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from nominations.models import BackgroundJob, CertificateBatch
from nominations.services.jobs import batch_status, job_status
from nominations.views.common import secretariat_required


def _json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@secretariat_required
@require_GET
def job_status_view(request, pk: int):
    return _json(job_status(get_object_or_404(BackgroundJob, pk=pk)))


@secretariat_required
@require_GET
def certificate_batch_status_view(request, pk: int):
    return _json(batch_status(get_object_or_404(CertificateBatch, pk=pk)))


@secretariat_required
@require_GET
def job_result(request, pk: int):
    job = get_object_or_404(BackgroundJob, pk=pk)
    if job.status != BackgroundJob.Status.DONE or not job.result:
        raise Http404(_("结果文件尚未生成。"))
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    response = FileResponse(handle, as_attachment=True, filename=job.result_name or f"job-{job.pk}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
