"""Background jobs: record their progress, and describe it the same way for the page and for
the JSON status endpoint that static/js/jobs.js polls (issue 11 §4).

The certificate batch keeps its own model (CertificateBatch, services/certificate_batches.py);
`batch_status` describes it in the same shape as `job_status`, so one partial
(templates/_partials/job.html) and one script show every job.
"""
from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nominations.models import BackgroundJob, CertificateBatch, Cycle
from nominations.services.certificates import BATCH_STALE_AFTER

# A pending or running job older than this is taken as lost (its worker died): the page
# says so and offers to start again. The same limit as the certificate batch's re-run.
STALE_AFTER = BATCH_STALE_AFTER


# -- recording progress (called by the acts that queue jobs, and by the tasks) ---------------------
def job_create(*, kind: str, cycle: Cycle, actor=None, total: int = 0, params: dict | None = None) -> BackgroundJob:
    return BackgroundJob.objects.create(
        kind=kind, cycle=cycle, total=total, params=params or {},
        requested_by=actor if getattr(actor, "is_authenticated", False) else None)


def job_start(job_id: int | None, *, total: int | None = None) -> None:
    if not job_id:
        return
    fields = {"status": BackgroundJob.Status.RUNNING, "started_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    BackgroundJob.objects.filter(pk=job_id).update(**fields)


def job_advance(job_id: int | None, n: int = 1) -> None:
    if job_id:
        BackgroundJob.objects.filter(pk=job_id).update(done=F("done") + n)


def job_finish(job_id: int | None, *, content: bytes | None = None, name: str = "") -> None:
    if not job_id:
        return
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    if content is not None:
        job.result.save(f"{job.kind}-{job.pk}-{name or 'result'}", ContentFile(content), save=False)
        job.result_name = name
    job.status = BackgroundJob.Status.DONE
    job.done = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "result_name", "status", "done", "finished_at"])


def job_fail(job_id: int | None, error: str) -> None:
    if job_id:
        BackgroundJob.objects.filter(pk=job_id).update(status=BackgroundJob.Status.FAILED, error=error[:5000],
                                                       finished_at=timezone.now())


def latest_job(cycle: Cycle, kind: str) -> BackgroundJob | None:
    return BackgroundJob.objects.filter(cycle=cycle, kind=kind).select_related("cycle").first()


# -- describing progress -----------------------------------------------------------------------------
def _elapsed(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> str:
    if start is None:
        return ""
    seconds = max(0.0, ((end or now) - start).total_seconds())
    if seconds < 120:
        return _("%(s).1f 秒") % {"s": seconds}
    return _("%(m)d 分 %(s)d 秒") % {"m": seconds // 60, "s": seconds % 60}


def _stale(status: str, created_at: dt.datetime, now: dt.datetime) -> bool:
    return status in ("pending", "running") and created_at < now - STALE_AFTER


JOB_HELP = {
    BackgroundJob.Kind.FEEDBACK: gettext_lazy("已生成的报告草稿保持不变。请在本页点击“生成全部报告草稿”重试；仍失败时，请把错误信息发给系统管理员。"),
    BackgroundJob.Kind.EXPORT: gettext_lazy("请点击“重新导出”再试；仍失败时，请把错误信息发给系统管理员。"),
}
UNIT = {BackgroundJob.Kind.FEEDBACK: gettext_lazy("份报告"), BackgroundJob.Kind.EXPORT: gettext_lazy("步")}


def job_status(job: BackgroundJob, *, now: dt.datetime | None = None) -> dict:
    """The job's progress for the page and the JSON endpoint (the same keys)."""
    now = now or timezone.now()
    # Lost: never started, or made no progress, within the limit (a long feedback run that
    # keeps advancing is not lost; an export is short, so any export over the limit is).
    stale = _stale(job.status, job.created_at, now) and (
        job.status == BackgroundJob.Status.PENDING or job.done == 0 or job.kind == BackgroundJob.Kind.EXPORT)
    status = "failed" if stale else job.status
    unit = UNIT.get(job.kind, "")
    if status == "pending":
        message = _("排队中，等待后台处理…")
    elif status == "running":
        message = _("进行中：已完成 %(done)d / %(total)d %(unit)s") % {"done": job.done, "total": job.total, "unit": unit}
    elif status == "done":
        message = _("已完成：共 %(total)d %(unit)s，用时 %(elapsed)s。") % {
            "total": job.total, "unit": unit, "elapsed": _elapsed(job.started_at or job.created_at, job.finished_at, now)}
    else:
        message = (_("后台任务超过 %(m)d 分钟没有完成，可能已中断。") % {"m": STALE_AFTER.seconds // 60} if stale
                   else _("失败：%(error)s") % {"error": job.error or _("未知错误")})
    result_url = result_label = ""
    if status == "done":
        if job.kind == BackgroundJob.Kind.EXPORT and job.result:
            result_url, result_label = reverse("job_result", args=[job.pk]), _("下载 Excel 文件")
        elif job.params.get("result_url"):  # set by the app that queued it (e.g. the feedback page)
            result_url, result_label = job.params["result_url"], job.params.get("result_label", "")
    return {
        "id": job.pk, "kind": job.kind, "label": str(job.get_kind_display()), "status": status,
        "status_label": str(BackgroundJob.Status(status).label), "done": job.done, "total": job.total,
        "percent": 100 if status == "done" else job.percent, "message": message,
        "help": str(JOB_HELP.get(job.kind, "")) if status == "failed" else "",
        "finished": status in ("done", "failed"), "result_url": result_url, "result_label": str(result_label),
        "status_url": reverse("job_status", args=[job.pk]),
        "started": timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def batch_status(batch: CertificateBatch, *, now: dt.datetime | None = None) -> dict:
    """The certificate batch's progress, in the shape of `job_status`."""
    now = now or timezone.now()
    stale = _stale(batch.status, batch.created_at, now)
    status = "failed" if stale else batch.status
    if status == "pending":
        message = _("排队中，等待后台生成证书…")
    elif status == "running":
        message = _("生成中：已完成 %(done)d / %(total)d 份证书") % {"done": batch.done, "total": batch.total}
    elif status == "done":
        message = _("已完成：共 %(total)d 份证书，用时 %(elapsed)s。") % {
            "total": batch.total, "elapsed": _elapsed(batch.started_at or batch.created_at, batch.finished_at, now)}
    else:
        message = (_("证书生成超过 %(m)d 分钟没有完成，可能已中断。") % {"m": STALE_AFTER.seconds // 60} if stale
                   else _("失败：%(error)s") % {"error": batch.error or _("未知错误")})
    done = status == "done" and bool(batch.combined_pdf)
    return {
        "id": batch.pk, "kind": "certificates", "label": _("生成荣誉证书"), "status": status,
        "status_label": str(CertificateBatch.Status(status).label), "done": batch.done, "total": batch.total,
        "percent": 100 if status == "done" else batch.percent, "message": message,
        "help": _("已生成的证书保持不变、不会重复颁发。请点击“重新生成”继续；仍失败时，请把错误信息发给系统管理员。")
        if status == "failed" else "",
        "finished": status in ("done", "failed"),
        "result_url": reverse("certificate_batch_combined", args=[batch.pk]) if done else "",
        "result_label": _("下载合并打印 PDF") if done else "",
        "status_url": reverse("certificate_batch_status", args=[batch.pk]),
        "started": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }
