"""Recommending units: the queue of applications that name them."""
from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from nominations import rules, selectors
from nominations.enums import ApplicationState as S
from nominations.models import RecommendingUnit
from nominations.views.common import next_step, paginate, recommender_required

TABS = [
    ("todo", _("待推荐"), Q(state=S.SUBMITTED)),
    ("returned", _("已退回补正"), Q(state=S.RETURNED)),
    ("done", _("已处理"), ~Q(state__in=[S.DRAFT, S.SUBMITTED, S.RETURNED])),
    ("all", _("全部"), Q()),
]


@recommender_required
def recommender_queue(request):
    user = request.user
    base = (selectors.applications_visible_to(user)
            .filter(recommending_unit_id__in=rules.unit_ids(user))
            .exclude(state=S.DRAFT))
    counts = base.aggregate(**{key: Count("id", filter=q) for key, _label, q in TABS})
    tab = request.GET.get("tab", "todo")
    tabs = {key: q for key, _label, q in TABS}
    if tab not in tabs:
        tab = "todo"
    queryset = base.filter(tabs[tab]).order_by("-submitted_at", "-id")
    page, query = paginate(request, queryset)
    return render(request, "nominations/recommender/queue.html", {
        "units": RecommendingUnit.objects.filter(pk__in=rules.unit_ids(user)),
        "tabs": [(key, label, counts[key]) for key, label, _q in TABS], "tab": tab,
        "page_obj": page, "query": query,
        "rows": [(app, next_step(app, user)) for app in page.object_list],
    })
