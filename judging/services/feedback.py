"""Feedback reports (评审反馈报告): generate (draft), edit the summary, release.

House order: atomic → lock → permission and conditions → change → save(update_fields) →
audit → on_commit. Only the secretariat writes (NotPermitted otherwise); `actor=None`
means the system (the background task, enqueued by a secretariat user).

A draft is rendered from the scores at that time; regenerating or editing the summary
renders it again. A released report is frozen: it is never regenerated.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import rules
from judging.errors import ConditionsUnmet, InvalidState, JudgingError, NotFound, NotPermitted
from judging.models.feedback import FeedbackReport, FeedbackStatus
from judging.selectors.feedback import FEEDBACK_STATES, feedback_data, feedback_pending_ids
from nominations.models import Application, BackgroundJob, Cycle
from nominations.services.audit import audit_record
from nominations.services.jobs import job_create

SUMMARY_LIMIT = 5000


def _ensure_secretariat(actor) -> None:
    if actor is not None and not rules.is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以管理评审反馈报告。"))


def _audit_actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _delete_later(name: str) -> None:
    """Remove a replaced PDF once the new one is committed."""
    if not name:
        return
    storage = FeedbackReport._meta.get_field("pdf").storage
    transaction.on_commit(lambda: storage.delete(name))


def _render_into(report: FeedbackReport, application: Application, *, actor, now: dt.datetime,
                 renderer=None) -> None:
    """Collect the report's data (three queries), render the PDF and store it on `report`
    (not saved). ConditionsUnmet when there is nothing to report on yet."""
    data = feedback_data(application, summary=report.summary, today=timezone.localtime(now).date())
    if data is None:
        raise ConditionsUnmet(_("该申报还没有已提交的评分表，暂不能生成评审反馈报告。"),
                              missing=[_("至少一份已提交的评分表")])
    if renderer is None:
        from judging.services.feedback_pdf import default_renderer

        renderer = default_renderer()
    pdf = renderer.render(data)
    old = report.pdf.name if report.pdf else ""
    report.pdf.save(f"{application.pk}.pdf", ContentFile(pdf), save=False)
    _delete_later(old)
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.stage = data.stage
    report.overall_band = data.band_label
    report.bands = data.band_summary()
    report.generated_at = now
    report.generated_by = _audit_actor(actor)


def feedback_generate(*, application: Application | int, actor, now: dt.datetime | None = None,
                      ip: str | None = None, renderer=None) -> FeedbackReport:
    """Create or refresh the draft report of one application (secretariat). A released
    report → 409; an application that never reached document review → 409; no submitted
    sheet yet → 400. The data are read in a fixed number of queries (no per-judge query)."""
    _ensure_secretariat(actor)
    now = now or timezone.now()
    pk = application.pk if isinstance(application, Application) else application
    with transaction.atomic():
        app = (Application.objects.select_for_update(of=("self",))
               .select_related("cycle__programme", "category", "organization", "nominee").filter(pk=pk).first())
        if app is None:
            raise NotFound(_("申报不存在。"))
        if app.state not in FEEDBACK_STATES:
            raise InvalidState(_("该申报当前为“%(state)s”，未进入资料评审，没有评审反馈报告。")
                               % {"state": app.get_state_display()})
        report = FeedbackReport.objects.select_for_update(of=("self",)).filter(application=app).first()
        if report is not None and report.is_released:
            raise InvalidState(_("评审反馈报告已发布，不能重新生成。"))
        created = report is None
        if created:
            report = FeedbackReport(application=app)
        _render_into(report, app, actor=actor, now=now, renderer=renderer)
        report.save()
        audit_record(obj=report, action="feedback.generate", actor=actor, ip=ip,
                     data={"application": app.pk, "sha256": report.sha256, "stage": report.stage,
                           "created": created})
    return report


def feedback_generate_cycle(*, cycle: Cycle | int, actor, ip: str | None = None) -> int:
    """Queue the generation of every draft of a cycle (background task after commit).
    Returns how many applications will be (re)generated; none → 400."""
    _ensure_secretariat(actor)
    pk = cycle.pk if isinstance(cycle, Cycle) else cycle
    with transaction.atomic():
        obj = Cycle.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("评选周期不存在。"))
        pending = feedback_pending_ids(obj)
        if not pending:
            raise ConditionsUnmet(_("本周期没有需要生成的评审反馈报告（已评分且未发布的申报）。"),
                                  missing=[_("已提交评分表且报告未发布的申报")])
        audit_record(obj=obj, action="feedback.generate_cycle", actor=actor, ip=ip,
                     data={"applications": len(pending)})
        actor_id = actor.pk if _audit_actor(actor) else None
        # Its progress is shown on the cycle's feedback page (nominations.services.jobs).
        job = job_create(kind=BackgroundJob.Kind.FEEDBACK, cycle=obj, actor=actor, total=len(pending), params={
            "result_url": reverse("judging:feedback_cycle", args=[obj.pk]), "result_label": _("查看报告草稿")})

        def _enqueue(cycle_id=obj.pk, job_id=job.pk):
            from judging import tasks

            tasks.feedback_generate_cycle.enqueue(cycle_id, actor_id, job_id)

        transaction.on_commit(_enqueue)
    return len(pending)


def feedback_update_summary(*, report: FeedbackReport | int, summary: str, actor, now: dt.datetime | None = None,
                            ip: str | None = None, renderer=None) -> FeedbackReport:
    """Set the secretariat's summary of a draft and render the draft again (so the preview
    shows it). Released → 409; too long → 400."""
    _ensure_secretariat(actor)
    now = now or timezone.now()
    if not isinstance(summary, str):
        raise JudgingError(_("综述应为文本。"), field_errors={"summary": [_("综述应为文本。")]})
    summary = summary.strip()
    if len(summary) > SUMMARY_LIMIT:
        msg = _("综述不能超过 %(n)d 字。") % {"n": SUMMARY_LIMIT}
        raise JudgingError(msg, field_errors={"summary": [msg]})
    pk = report.pk if isinstance(report, FeedbackReport) else report
    with transaction.atomic():
        obj = FeedbackReport.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("评审反馈报告不存在。"))
        if obj.is_released:
            raise InvalidState(_("评审反馈报告已发布，不能再修改综述。"))
        app = (Application.objects.select_related("cycle__programme", "category", "organization", "nominee")
               .get(pk=obj.application_id))
        old = obj.summary
        obj.summary = summary
        _render_into(obj, app, actor=actor, now=now, renderer=renderer)
        obj.save(update_fields=["summary", "pdf", "sha256", "size", "stage", "overall_band", "bands",
                                "generated_at", "generated_by", "updated_at"])
        audit_record(obj=obj, action="feedback.summary", actor=actor, ip=ip,
                     data={"application": app.pk, "changed": old != summary, "sha256": obj.sha256})
    return obj


def _release(report: FeedbackReport, *, actor, now: dt.datetime, ip: str | None) -> None:
    report.status = FeedbackStatus.RELEASED
    report.released_at = now
    report.released_by = _audit_actor(actor)
    report.save(update_fields=["status", "released_at", "released_by", "updated_at"])
    audit_record(obj=report, action="feedback.release", actor=actor, ip=ip,
                 data={"application": report.application_id, "sha256": report.sha256})


def feedback_release(*, report: FeedbackReport | int, actor, now: dt.datetime | None = None,
                     ip: str | None = None) -> FeedbackReport:
    """Release a generated draft: frozen from now on; applicants may download it once the
    cycle's results are published. Already released → 409; never generated → 400."""
    _ensure_secretariat(actor)
    now = now or timezone.now()
    pk = report.pk if isinstance(report, FeedbackReport) else report
    with transaction.atomic():
        obj = FeedbackReport.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("评审反馈报告不存在。"))
        if obj.is_released:
            raise InvalidState(_("评审反馈报告已经发布。"))
        if not obj.pdf:
            raise ConditionsUnmet(_("请先生成评审反馈报告，再发布。"), missing=[_("报告 PDF")])
        _release(obj, actor=actor, now=now, ip=ip)
    return obj


def feedback_release_cycle(*, cycle: Cycle | int, actor, now: dt.datetime | None = None,
                           ip: str | None = None) -> int:
    """Release every generated draft of a cycle. Returns the number released; none → 400."""
    _ensure_secretariat(actor)
    now = now or timezone.now()
    pk = cycle.pk if isinstance(cycle, Cycle) else cycle
    with transaction.atomic():
        obj = Cycle.objects.select_for_update(of=("self",)).filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("评选周期不存在。"))
        drafts = list(FeedbackReport.objects.select_for_update(of=("self",))
                      .filter(application__cycle=obj, status=FeedbackStatus.DRAFT)
                      .exclude(pdf="").order_by("application__reference", "pk"))
        if not drafts:
            raise ConditionsUnmet(_("本周期没有可发布的评审反馈报告草稿。"), missing=[_("已生成的报告草稿")])
        for report in drafts:
            _release(report, actor=actor, now=now, ip=ip)
    return len(drafts)
