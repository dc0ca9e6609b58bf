"""What waits for whom (the 工作台): the to-dos of the nominations app, counted in the database.

Each to-do is a count and the link to the list that shows exactly those items: the count and
the list read the same queryset (`awaiting_formal_review`, `in_notice_due`, …), so they cannot
disagree. Counts for every cycle come from one grouped query per role, whatever the number of
cycles and applications. judging adds its own to-dos (judging.selectors.todos) with the same
dataclasses; the home page (judging.views.workbench) puts them together.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nominations import rules
from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.models import Application, Cycle, Objection, PublicNotice
from nominations.models.publication import OBJECTION_OPEN

# Cycles the secretariat still works on (the dashboard's groups).
ACTIVE_CYCLES = frozenset({CycleState.OPEN, CycleState.CLOSED, CycleState.JUDGING, CycleState.DELIBERATION,
                           CycleState.NOTICE, CycleState.PUBLISHED})
AWAITING_RECOMMENDER = "awaiting_recommender"


@dataclass
class TodoLine:
    """One item under a to-do (a task with its due date, an application with its flags)."""
    title: str
    url: str = ""
    meta: str = ""
    due: dt.datetime | None = None
    overdue: bool = False
    flags: list[str] = field(default_factory=list)
    excerpt: str = ""


@dataclass
class Todo:
    """A count of what waits, and the filtered list that shows exactly those items."""
    key: str
    label: str
    count: int
    url: str
    order: int = 0
    hint: str = ""
    action_url: str = ""
    action_label: str = ""
    urgent: bool = False
    lines: list[TodoLine] = field(default_factory=list)


@dataclass
class TodoGroup:
    """The to-dos of one cycle (or of no cycle: key "all"), in workflow order."""
    key: str
    title: str
    cycle: Cycle | None = None
    todos: list[Todo] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.count for t in self.todos)


# -- the querysets behind the counts and the filtered lists ------------------------------------
def awaiting_formal_review() -> Q:
    """待形式审查: waiting for the secretariat — endorsed, or submitted where the programme
    needs no recommendation (a submitted application that needs one waits for its recommender)."""
    return Q(state=S.ENDORSED) | Q(state=S.SUBMITTED, cycle__programme__needs_recommender=False)


def awaiting_recommender() -> Q:
    return Q(state=S.SUBMITTED, cycle__programme__needs_recommender=True)


def _notice_ended(now: dt.datetime):
    """The application's notices have all ended (and it has one)."""
    mine = PublicNotice.objects.filter(applications=OuterRef("pk"))
    return Exists(mine.filter(ends_at__lte=now)) & ~Exists(mine.filter(ends_at__gt=now))


def _objection_open():
    return Exists(Objection.objects.filter(application=OuterRef("pk"), status__in=list(OBJECTION_OPEN)))


def in_notice_due(now: dt.datetime) -> Q:
    """公示到期可确认: in public notice, the notice over, no objection open (the confirm act's
    blockers, except an upheld objection, which the desk shows)."""
    return Q(state=S.PUBLIC_NOTICE) & Q(_notice_ended(now)) & ~Q(_objection_open())


def applications_for_filter(queryset: QuerySet[Application], state: str, *, now: dt.datetime | None = None):
    """Apply a list filter that is not a plain state (the dashboard's links): to_review,
    awaiting_recommender, notice_due. Returns None for a plain state."""
    if state == "to_review":
        return queryset.filter(awaiting_formal_review())
    if state == AWAITING_RECOMMENDER:
        return queryset.filter(awaiting_recommender())
    if state == "notice_due":
        return queryset.filter(in_notice_due(now or timezone.now()))
    return None


# -- the secretariat --------------------------------------------------------------------------
def _cycle_url(cycle_id: int, state: str) -> str:
    return reverse("cycle_detail", args=[cycle_id]) + f"?state={state}"


def secretariat_todos(*, now: dt.datetime) -> tuple[list[Cycle], dict[int, list[Todo]], list[Todo]]:
    """The active cycles, the nominations to-dos of each ({cycle id: [Todo]}) and those of no
    one cycle (objections). Three queries: the cycles, one grouped count, the open objections."""
    cycles = list(Cycle.objects.filter(status__in=list(ACTIVE_CYCLES)).select_related("programme")
                  .order_by("-year", "programme__order", "pk"))
    rows = (Application.objects.filter(cycle__in=[c.pk for c in cycles]).values("cycle_id").order_by()
            .annotate(formal=Count("id", filter=awaiting_formal_review()),
                      recommender=Count("id", filter=awaiting_recommender()),
                      decide=Count("id", filter=Q(state=S.EVALUATED)),
                      notice=Count("id", filter=Q(state=S.PUBLIC_NOTICE)),
                      due=Count("id", filter=in_notice_due(now)),
                      awarded=Count("id", filter=Q(state=S.AWARDED)),
                      first_due=Min("amendment_deadline", filter=Q(state=S.RETURNED))))
    counts = {row["cycle_id"]: row for row in rows}
    per_cycle: dict[int, list[Todo]] = {}
    for cycle in cycles:
        c = counts.get(cycle.pk)
        if not c:
            continue
        todos = []
        if c["formal"]:
            todos.append(Todo("formal_review", _("待形式审查"), c["formal"], _cycle_url(cycle.pk, "to_review"),
                              order=10, hint=_("受理、退回补正或不予受理")))
        if c["recommender"]:
            todos.append(Todo("awaiting_recommender", _("待推荐单位推荐"), c["recommender"],
                              _cycle_url(cycle.pk, AWAITING_RECOMMENDER), order=5,
                              hint=_("推荐后进入形式审查")))
        if c["decide"]:
            todos.append(Todo("to_decide", _("待审定"), c["decide"], _cycle_url(cycle.pk, S.EVALUATED), order=50,
                              hint=_("记录审定委员会表决"),
                              action_url=reverse("judging:ranking", args=[cycle.pk]),
                              action_label=_("排名与审定")))
        if c["notice"]:
            hint = (_("其中 %(n)d 项公示期满、无待处理异议，可确认") % {"n": c["due"]}) if c["due"] else _("公示期内")
            todos.append(Todo("in_notice", _("公示中"), c["notice"], _cycle_url(cycle.pk, S.PUBLIC_NOTICE),
                              order=60, hint=hint))
        if c["due"]:
            todos.append(Todo("notice_due", _("到期可确认"), c["due"], _cycle_url(cycle.pk, "notice_due"), order=61,
                              hint=_("公示期满，无待处理异议"), urgent=True,
                              action_url=reverse("notice_desk", args=[cycle.pk]), action_label=_("公示台")))
        if c["awarded"]:
            todos.append(Todo("certificates", _("证书待签发"), c["awarded"], _cycle_url(cycle.pk, S.AWARDED), order=80,
                              hint=_("公示通过，发布结果后颁发证书"),
                              action_url=reverse("publication_desk", args=[cycle.pk]), action_label=_("发布台")))
        per_cycle[cycle.pk] = todos
    objections = Objection.objects.filter(status__in=list(OBJECTION_OPEN)).aggregate(
        n=Count("id"), first=Min("received_at"))
    general = []
    if objections["n"]:
        general.append(Todo("objections", _("异议待处理"), objections["n"],
                            reverse("objection_desk") + "?status=open", order=70,
                            hint=_("调查核实后作出处理决定"), urgent=True))
    return cycles, per_cycle, general


# -- recommenders ------------------------------------------------------------------------------
RECOMMENDER_LINES = 5


def recommender_todos(user) -> list[Todo]:
    """待推荐: submitted applications naming one of the user's units, the oldest first. Two queries."""
    units = rules.unit_ids(user)
    if not units:
        return []
    row = (Application.objects.filter(recommending_unit_id__in=units, state=S.SUBMITTED)
           .aggregate(n=Count("id"), first=Min("submitted_at")))
    todo = Todo("to_endorse", _("待推荐"), row["n"], reverse("recommender_queue") + "?tab=todo", order=10)
    if row["n"]:
        todo.hint = _("最早一份提交于 %(date)s") % {"date": _local(row["first"])}
        for app in (Application.objects.filter(recommending_unit_id__in=units, state=S.SUBMITTED)
                    .select_related("organization", "nominee", "category").order_by("submitted_at", "pk")
                    [:RECOMMENDER_LINES]):
            todo.lines.append(TodoLine(
                title=app.title, url=reverse("application_detail", args=[app.pk]),
                meta=_("%(holder)s · %(category)s · 提交于 %(date)s") % {
                    "holder": app.display_name, "category": app.category.name, "date": _local(app.submitted_at)}))
    else:
        todo.hint = _("目前没有等待推荐的申报")
    return [todo]


# -- applicants --------------------------------------------------------------------------------
APPLICANT_FILTERS = {
    "draft": Q(state=S.DRAFT),
    "returned": Q(state=S.RETURNED),
    "in_progress": Q(state__in=[S.SUBMITTED, S.ENDORSED, S.ACCEPTED, S.DOCUMENT_REVIEW, S.SITE_REVIEW, S.EVALUATED,
                                S.APPROVED, S.PUBLIC_NOTICE, S.AWARDED]),
    "published": Q(state=S.PUBLISHED),
}


APPLICANT_FILTER_LABELS = {"draft": gettext_lazy("草稿待提交"), "returned": gettext_lazy("待补正"),
                           "in_progress": gettext_lazy("评选进行中"), "published": gettext_lazy("已获奖")}


def applicant_todos(user, *, now: dt.datetime) -> list[Todo]:
    """What the applicant does next: drafts to submit before the cycle closes, returned
    applications to amend before their deadline, applications under way. One query."""
    orgs = rules.organization_ids(user)
    if not orgs:
        return []
    row = Application.objects.filter(organization_id__in=orgs).aggregate(
        draft=Count("id", filter=APPLICANT_FILTERS["draft"]),
        draft_due=Min("cycle__closes_at", filter=APPLICANT_FILTERS["draft"] & Q(cycle__closes_at__gt=now)),
        returned=Count("id", filter=APPLICANT_FILTERS["returned"]),
        returned_due=Min("amendment_deadline", filter=APPLICANT_FILTERS["returned"]),
        in_progress=Count("id", filter=APPLICANT_FILTERS["in_progress"]),
        published=Count("id", filter=APPLICANT_FILTERS["published"]))
    base = reverse("application_list")
    todos = []
    if row["returned"]:
        hint = (_("请在 %(date)s 前修改并重新提交") % {"date": _local(row["returned_due"])}
                if row["returned_due"] else _("请按补正意见修改后重新提交"))
        todos.append(Todo("returned", str(APPLICANT_FILTER_LABELS["returned"]), row["returned"], base + "?state=returned", order=10, hint=hint,
                          urgent=True))
    if row["draft"]:
        hint = (_("申报截止：%(date)s") % {"date": _local(row["draft_due"])} if row["draft_due"]
                else _("申报已截止，草稿不能再提交"))
        todos.append(Todo("draft", _("草稿待提交"), row["draft"], base + "?state=draft", order=20, hint=hint))
    if row["in_progress"]:
        todos.append(Todo("in_progress", _("评选进行中"), row["in_progress"], base + "?state=in_progress", order=30,
                          hint=_("无须操作，进展会以电子邮件通知")))
    if row["published"]:
        todos.append(Todo("published", _("已获奖"), row["published"], base + "?state=published", order=40,
                          hint=_("可下载证书")))
    return todos


def _local(value: dt.datetime | None) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""
