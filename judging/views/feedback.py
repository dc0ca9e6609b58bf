"""Web pages of the feedback reports (评审反馈报告).

Secretariat: cycles → one cycle's reports (generate all, release all) → one report
(preview the PDF, edit the summary, release). Applicants: their released reports once the
cycle's results are published (`mine`), and the download. Thin views: fetch with a
selector, call one service, turn a WorkflowError into a message.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from judging.services.feedback_pdf import report_filename
from judging.models.feedback import FeedbackReport, FeedbackStatus
from judging.selectors.feedback import (
    RESULTS_PUBLIC,
    feedback_applications,
    feedback_cycles,
    feedback_for_applicant,
    feedback_report_for_user,
    feedback_report_get,
)
from judging.services.feedback import (
    SUMMARY_LIMIT,
    feedback_generate,
    feedback_generate_cycle,
    feedback_release,
    feedback_release_cycle,
    feedback_update_summary,
)
from nominations.errors import WorkflowError
from nominations.models import BackgroundJob, Cycle
from nominations.services.jobs import job_status, latest_job
from nominations.views.common import client_ip, report_error, secretariat_required


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("综述"), required=False, max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("印在报告“二、综述”中，位于总体得分区间的说明之后；可分段。保存后报告草稿将重新生成。"))


def _cycle_or_404(pk) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)


def _report_or_404(pk) -> FeedbackReport:
    report = feedback_report_get(pk)
    if report is None:
        raise Http404(_("评审反馈报告不存在。"))
    return report


def _pdf_response(report: FeedbackReport, *, inline: bool) -> FileResponse:
    try:
        handle = report.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("报告文件不存在，请联系秘书处。")) from None
    response = FileResponse(handle, as_attachment=not inline, filename=report_filename(report.application),
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- secretariat ---------------------------------------------------------------------------
@secretariat_required
@require_GET
def index(request):
    return render(request, "feedback/index.html", {"cycles": feedback_cycles()})


@secretariat_required
@require_GET
def cycle_reports(request, pk: int):
    cycle = _cycle_or_404(pk)
    rows = list(feedback_applications(cycle))
    reports = [getattr(app, "feedback_report", None) for app in rows]
    counts = {
        "applications": len(rows),
        "missing": sum(1 for app, r in zip(rows, reports) if r is None and app.has_scores),
        "unscored": sum(1 for app in rows if not app.has_scores),
        "drafts": sum(1 for r in reports if r is not None and r.status == FeedbackStatus.DRAFT),
        "released": sum(1 for r in reports if r is not None and r.status == FeedbackStatus.RELEASED),
    }
    latest = latest_job(cycle, BackgroundJob.Kind.FEEDBACK)
    job = job_status(latest) if latest else None
    return render(request, "feedback/cycle.html", {
        "cycle": cycle, "rows": rows, "counts": counts, "job": job, "job_running": bool(job and not job["finished"]),
        "can_generate": counts["missing"] + counts["drafts"] > 0,
        "results_public": cycle.status in RESULTS_PUBLIC,
    })


@secretariat_required
@require_POST
def cycle_generate(request, pk: int):
    cycle = _cycle_or_404(pk)
    try:
        n = feedback_generate_cycle(cycle=cycle, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("已开始生成 %(n)d 份评审反馈报告草稿（已发布的报告保持不变），"
                                    "在后台进行，进度显示在本页。") % {"n": n})
    return redirect("judging:feedback_cycle", pk=cycle.pk)


@secretariat_required
@require_POST
def cycle_release(request, pk: int):
    cycle = _cycle_or_404(pk)
    try:
        n = feedback_release_cycle(cycle=cycle, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("已发布 %(n)d 份评审反馈报告。") % {"n": n})
    return redirect("judging:feedback_cycle", pk=cycle.pk)


@secretariat_required
@require_POST
def application_generate(request, pk: int):
    """Generate (or refresh) one application's draft, then show it."""
    try:
        report = feedback_generate(application=pk, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        report_error(request, exc)
        cycle_id = (Cycle.objects.filter(applications__pk=pk).values_list("pk", flat=True).first())
        return redirect("judging:feedback_cycle", pk=cycle_id) if cycle_id else redirect("judging:feedback_index")
    messages.success(request, _("评审反馈报告草稿已生成。"))
    return redirect("judging:feedback_report", pk=report.pk)


@secretariat_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    """One report: its bands, the PDF preview, the summary form, release."""
    report = _report_or_404(pk)
    form = SummaryForm(request.POST if request.method == "POST" else None, initial={"summary": report.summary})
    if request.method == "POST" and form.is_valid():
        try:
            feedback_update_summary(report=report, summary=form.cleaned_data["summary"], actor=request.user,
                                    ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("综述已保存，报告草稿已重新生成。"))
            return redirect("judging:feedback_report", pk=report.pk)
    return render(request, "feedback/detail.html", {
        "report": report, "app": report.application, "cycle": report.application.cycle, "form": form,
        "results_public": report.application.cycle.status in RESULTS_PUBLIC,
    })


@secretariat_required
@require_POST
def report_release(request, pk: int):
    report = _report_or_404(pk)
    try:
        feedback_release(report=report, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("评审反馈报告已发布。"))
    return redirect("judging:feedback_report", pk=report.pk)


@xframe_options_sameorigin  # embedded in the report page
@secretariat_required
@require_GET
def report_preview(request, pk: int):
    """The stored PDF, shown in the browser (draft or released)."""
    report = _report_or_404(pk)
    if not report.pdf:
        raise Http404(_("报告尚未生成。"))
    return _pdf_response(report, inline=True)


# -- applicants --------------------------------------------------------------------------------
@require_GET
def download(request, pk: int):
    """The report PDF of application `pk`: its applicants once released and the results are
    published, the secretariat any time; 404 for everyone else (anonymous included)."""
    report = feedback_report_for_user(request.user, pk)
    if report is None:
        raise Http404(_("评审反馈报告不存在或尚未发布。"))
    return _pdf_response(report, inline=False)


@login_required
@require_GET
def mine(request):
    """The caller's applications that reached review, with their report once available."""
    return render(request, "feedback/mine.html", {"applications": feedback_for_applicant(request.user)})
