"""The home page (工作台): what waits for this user, per role, every count a link to the list that
shows exactly those items.

The page joins both apps (reports that join both live in judging; nominations never imports
judging): the nominations to-dos (formal review, notice, objections, certificates, recommending,
the applicant's next steps) come from nominations.selectors.todos, the judging ones (assignment,
overdue sheets, disagreements, the judge's tasks, the committee's pending rankings) from
judging.selectors.todos, the cycle funnels from judging.selectors.charts. A fixed number of
queries per role, whatever the number of cycles, applications and tasks.
"""
from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from judging.selectors import charts as chart_data
from judging.selectors import todos as judging_todos
from judging.views import charts
from nominations import rules, selectors
from nominations.selectors import todos as nomination_todos
from nominations.selectors.todos import TodoGroup
from nominations.views.applicant import open_cycles
from nominations.views.common import next_step

RECENT_APPLICATIONS = 20


def home(request):
    """Anonymous: the open calls. Signed in: the to-dos of each of the user's roles."""
    if not request.user.is_authenticated:
        return render(request, "nominations/home/landing.html", {"cycles": open_cycles()})
    user = request.user
    now = timezone.now()
    context: dict = {"now": now}
    org_ids = rules.organization_ids(user)
    if org_ids:
        apps = list(selectors.applications_visible_to(user).filter(organization_id__in=org_ids)
                    .order_by("-updated_at")[:RECENT_APPLICATIONS])
        context["organizations"] = list(selectors.organizations_for_user(user).filter(pk__in=org_ids))
        context["applications"] = [(app, next_step(app, user)) for app in apps]
        context["applicant_todos"] = nomination_todos.applicant_todos(user, now=now)
    if rules.is_recommender(user):
        context["recommender_todos"] = nomination_todos.recommender_todos(user)
    if rules.is_judge(user):
        context["judge_todos"] = judging_todos.judge_todos(user, now=now)
    if rules.is_committee(user):
        context["committee_todos"] = judging_todos.committee_todos(now=now)
    if rules.is_secretariat(user):
        context.update(_secretariat(now))
    context["no_role"] = not (org_ids or rules.is_recommender(user) or rules.is_secretariat(user)
                              or rules.is_judge(user) or rules.is_committee(user))
    if org_ids or context["no_role"]:
        context["cycles"] = open_cycles()
    return render(request, "nominations/home/dashboard.html", context)


def _secretariat(now) -> dict:
    """Per active cycle: its to-dos of both apps in workflow order, its funnel and the score
    distribution of each category (document review means); then the to-dos of no one cycle
    (open objections)."""
    cycles, per_cycle, general = nomination_todos.secretariat_todos(now=now)
    judging = judging_todos.secretariat_todos(cycle_ids=[c.pk for c in cycles], now=now)
    funnels = chart_data.cycle_funnels([c.pk for c in cycles])
    scores = chart_data.category_mean_scores([c.pk for c in cycles])
    groups = []
    for cycle in cycles:
        todos = sorted(per_cycle.get(cycle.pk, []) + judging.get(cycle.pk, []), key=lambda t: t.order)
        steps = funnels.get(cycle.pk)
        if not todos and not (steps and steps[0].count):
            continue
        group = TodoGroup(key=f"cycle-{cycle.pk}", title=str(cycle), cycle=cycle, todos=todos)
        group.funnel = charts.funnel_chart(f"funnel-{cycle.pk}", steps, caption=str(cycle)) if steps else None
        group.distributions = [
            charts.distribution_chart(f"dist-{cycle.pk}-{c.category}", chart_data.score_distribution(c.scores, top=c.top),
                                      caption=f"{cycle} · {c.name}", title=_("%(category)s：资料评审平均分分布") % {
                                          "category": c.name})
            for c in scores.get(cycle.pk, [])]
        groups.append(group)
    return {"secretariat_groups": groups, "secretariat_general": general,
            "secretariat_total": sum(g.total for g in groups) + sum(t.count for t in general),
            "secretariat_title": _("秘书处待办")}
