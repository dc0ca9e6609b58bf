"""The committee's read-only pages: the evaluated ranking with flags, quotas and recusals."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from judging import selectors
from judging.enums import Stage
from judging import rules
from judging.models import CommitteeDecision, SiteVisitReport
from judging.selectors.ranking import APPROVED_STATES, EVALUATED_STATES
from judging.views.common import application_or_404, get_cycle, ranking_required, readable_flags
from judging.views.figures import application_charts, cycle_charts
from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.models import Cycle

COMMITTEE_CYCLES = [CycleState.JUDGING, CycleState.DELIBERATION, CycleState.NOTICE, CycleState.PUBLISHED,
                    CycleState.ARCHIVED]


@require_GET
@ranking_required
def committee_home(request):
    """Cycles under review or decided (or with an evaluated application), with the number of
    evaluated applications."""
    cycles = (Cycle.objects.select_related("programme")
              .annotate(evaluated=Count("applications", filter=Q(applications__state__in=list(EVALUATED_STATES))))
              .filter(Q(status__in=COMMITTEE_CYCLES) | Q(evaluated__gt=0))
              .order_by("-year", "programme__order", "pk"))
    return render(request, "judging/committee/home.html", {"cycles": cycles})


@require_GET
@ranking_required
def committee_ranking(request, pk: int):
    """The evaluated ranking the committee decides on (final stage of the programme), read-only:
    flags, the category quota, decisions recorded, and the members recused from each vote."""
    cycle = get_cycle(pk)
    categories = list(cycle.categories.order_by("order", "code"))
    category = categories[0] if categories else None
    if request.GET.get("category"):
        category = next((c for c in categories if str(c.pk) == request.GET["category"]), None)
        if category is None:
            raise Http404(_("申报类别不存在。"))
    stage = selectors.committee_stage(cycle)
    ranked = selectors.committee_ranking(cycle=cycle, category=category) if category else []
    pending = request.GET.get("pending") == "1"  # the 工作台's 待审定: evaluated, no decision yet
    rows = [r for r in ranked if r.state == S.EVALUATED] if pending else ranked
    decisions = {d.application_id: d for d in CommitteeDecision.objects.filter(
        application_id__in=[r.application for r in rows])}
    me = request.user.pk
    for row in rows:
        row.flag_list = readable_flags(row.flags)
        row.state_label = S(row.state).label
        row.decision = decisions.get(row.application)
        row.me_recused = any(m["id"] == me for m in row.recused)
    approved = sum(1 for r in ranked if r.state in APPROVED_STATES)
    return render(request, "judging/committee/ranking.html", {
        "pending": pending, "charts": cycle_charts(cycle=cycle, category=category, stage=stage, ranked=ranked,
                                                   heat_rows=rows, prefix="c") if category else [],
        "cycle": cycle, "categories": categories, "category": category, "rows": rows, "stage": stage,
        "stage_label": Stage(stage).label, "approved": approved,
        "my_recusals": sum(1 for r in rows if r.me_recused),
        "warnings": selectors.decision_quota_warning(cycle=cycle, category=category) if category else [],
    })


@require_GET
@ranking_required
def committee_application(request, pk: int):
    """One evaluated application as the committee weighs it: where it is in the process, each
    judge's total and the item-by-item spread of the final stage (judges named only to the
    secretariat), the site-visit report's summary, the decision and the recusals."""
    app = application_or_404(pk)
    if app.state not in EVALUATED_STATES:
        raise Http404(_("该申报尚未完成评审。"))
    stage = selectors.committee_stage(app.cycle)
    row = next((r for r in selectors.committee_ranking(cycle=app.cycle, category=app.category, stage=stage)
                if r.application == app.pk), None)
    named = rules.is_secretariat(request.user)
    return render(request, "judging/committee/application.html", {
        "app": app, "stage": stage, "stage_label": Stage(stage).label, "row": row,
        "flags": readable_flags(row.flags) if row else [],
        "charts": application_charts(app, stage=stage, named=named),
        "report": SiteVisitReport.objects.filter(application=app).first(),
        "decision": CommitteeDecision.objects.filter(application=app).first(),
        "me_recused": bool(row and any(m["id"] == request.user.pk for m in row.recused)),
    })
