"""The secretariat's ranking page (mean, trimmed mean, spread flags, leniency) and the Excel export."""
from __future__ import annotations


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from judging import selectors
from judging.enums import (
    Stage,
)
from judging.forms import (
    NoteForm,
)
from judging.models import CommitteeDecision, SiteVisitReport
from judging.selectors.ranking import APPROVED_STATES
from judging.views.figures import cycle_charts
from judging.views.common import (
    get_cycle,
    readable_flags,
    secretariat_required,
    stage_param,
    stages_of,
)
from nominations.enums import ApplicationState as S
from nominations.enums import Transition as T
from judging.services.exports import export_queue
from nominations.errors import WorkflowError
from nominations.models import BackgroundJob
from nominations.services.jobs import job_status
from nominations.views.common import client_ip, paginate, report_error



# -- ranking --------------------------------------------------------------------------------------
RANKING_PAGE_SIZE = 100  # rows per page; ranks and flags are computed over the whole category


def _category(request, cycle, categories):
    pk = request.GET.get("category")
    if pk:
        category = next((c for c in categories if str(c.pk) == pk), None)
        if category is None:
            raise Http404(_("申报类别不存在。"))
        return category
    return categories[0] if categories else None


@require_GET
@secretariat_required
def ranking(request, pk: int):
    """Rank, scores and readable flags per cycle, category and stage; each judge's leniency
    beside; the review transitions and the committee decision from the ranking."""
    cycle = get_cycle(pk)
    stage = stage_param(request, cycle)
    categories = list(cycle.categories.order_by("order", "code"))
    category = _category(request, cycle, categories)
    ranked, leniency = [], []
    if category is not None:
        ranked = selectors.ranking(cycle=cycle, category=category, stage=stage)
        leniency = selectors.judge_leniency(cycle=cycle, category=category, stage=stage)
    page, query = paginate(request, ranked, per_page=RANKING_PAGE_SIZE)  # ranks are the whole category's
    rows = list(page.object_list)
    ids = [r.application for r in rows]
    decisions = {d.application_id: d for d in CommitteeDecision.objects.filter(application_id__in=ids)}
    reports = set(SiteVisitReport.objects.filter(application_id__in=ids).values_list("application_id", flat=True))
    has_site = cycle.programme.has_site_stage
    for row in rows:
        row.flag_list = readable_flags(row.flags)
        row.state_label = S(row.state).label
        row.decision = decisions.get(row.application)
        row.has_report = row.application in reports
        row.actions = _row_actions(row, stage, has_site)
    approved = sum(1 for r in ranked if r.state in APPROVED_STATES)
    here = request.get_full_path()
    return render(request, "judging/secretariat/ranking.html", {
        "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label, "stages": stages_of(cycle),
        "categories": categories, "category": category, "rows": rows, "leniency": leniency,
        "page_obj": page, "query": query,
        "approved": approved, "here": here, "note_form": NoteForm(prefix="t"),
        "charts": cycle_charts(cycle=cycle, category=category, stage=stage, ranked=ranked, heat_rows=rows,
                               prefix="r", leniency=leniency) if category else [],
        "warnings": selectors.decision_quota_warning(cycle=cycle, category=category) if category else [],
    })


def _row_actions(row, stage: str, has_site: bool) -> list[tuple[str, str, str]]:
    """(transition name, label, button style) available from the ranking for this row."""
    if stage == Stage.DOCUMENT and row.state == S.DOCUMENT_REVIEW:
        if has_site:
            return [(T.SHORTLIST, T.SHORTLIST.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
        return [(T.FINISH_REVIEW, T.FINISH_REVIEW.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
    if stage == Stage.SITE and row.state == S.SITE_REVIEW:
        return [(T.FINISH_REVIEW, T.FINISH_REVIEW.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
    return []


@require_http_methods(["GET", "POST"])
@secretariat_required
def exports(request, pk: int):
    """The cycle's Excel exports: POST queues one (judging.services.exports); the page shows
    its progress (polled by static/js/jobs.js, or refreshed by hand) and the download."""
    cycle = get_cycle(pk)
    if request.method == "POST":
        try:
            export_queue(cycle=cycle, actor=request.user, ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc)
        else:
            messages.success(request, _("已开始在后台导出，进度显示在下方；完成后可下载。"))
        return redirect("judging:exports", pk=cycle.pk)
    jobs = [job_status(j) for j in BackgroundJob.objects.filter(cycle=cycle, kind=BackgroundJob.Kind.EXPORT)[:5]]
    return render(request, "judging/secretariat/exports.html", {
        "cycle": cycle, "jobs": jobs, "running": any(not j["finished"] for j in jobs)})
