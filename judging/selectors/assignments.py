"""Reads about assignments, panels and the judge pool, fetched and authorised together."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import rules
from judging.enums import JUDGE_ACCESS_STATES, LIVE_ASSIGNMENT, MATERIAL_ACCESS, OUTSTANDING, AssignmentState
from judging.errors import NotFound
from judging.models import Assignment, ItemScore
from judging.selectors.conflicts import conflict_map, conflict_reasons
from nominations.rules import JUDGE

ASSIGNMENT_RELATED = ("application__organization", "application__category", "application__cycle__programme",
                      "application__nominee", "judge")


def scored_items():
    """The items scored on an assignment's sheet, as a subquery: no join and GROUP BY over the
    selected columns (they include the application's answers), and counted only for the rows
    actually returned (a page of the board)."""
    counted = (ItemScore.objects.filter(assignment=OuterRef("pk"), percent__isnull=False).order_by()
               .values("assignment").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def assignments_for_judge(user) -> QuerySet[Assignment]:
    """The judge's own assignments (every state), with scoring progress. Nobody else's."""
    return (Assignment.objects.filter(judge=user)
            .select_related(*ASSIGNMENT_RELATED)
            .annotate(scored_items=scored_items())
            .order_by(F("due_at").asc(nulls_last=True), "-created_at", "id"))


def panels_of(applications, *, stage: str) -> list[Assignment]:
    """The assignments of these applications (e.g. one page of the board) in `stage`, with
    the judge and the items scored, panel order (leader first). One query."""
    return list(Assignment.objects.filter(application__in=[getattr(a, "pk", a) for a in applications], stage=stage)
                .select_related("judge").annotate(scored_items=scored_items())
                .order_by("application_id", "-is_leader", "created_at", "id"))


def with_conflicts(assignments, *, now: dt.datetime | None = None) -> list[Assignment]:
    """Attach `conflict_reasons` (list) to each assignment, in three queries for the whole list."""
    assignments = list(assignments)
    orgs = {a.application.organization_id: a.application.organization for a in assignments}
    conflicts = conflict_map({a.judge_id for a in assignments}, orgs.values(), now=now)
    for a in assignments:
        a.conflict_reasons = conflicts.get((a.judge_id, a.application.organization_id), [])
    return assignments


def assignment_for_judge(user, pk, *, scoring: bool = False, now: dt.datetime | None = None) -> Assignment:
    """The caller's own assignment; NotFound alike for missing and not yours.

    With `scoring=True` (sheet, materials): also NotFound once declined or when the judge
    has an active conflict with the applicant. The conflict is checked on every access."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("评审任务不存在。")) from None
    assignment = (Assignment.objects.select_related(*ASSIGNMENT_RELATED)
                  .filter(pk=pk, judge_id=getattr(user, "pk", None)).first())
    if assignment is None:
        raise NotFound(_("评审任务不存在或不属于您。"))
    if scoring:
        if assignment.state == AssignmentState.DECLINED:
            raise NotFound(_("您已回避该评审任务，不能再查看。"))
        if conflict_reasons(judge=user, organization=assignment.application.organization, now=now):
            raise NotFound(_("您与该申报单位存在利益冲突，不能查看。"))
    return assignment


def assignment_for_secretariat(user, pk) -> Assignment:
    if not rules.is_secretariat(user):
        raise NotFound(_("评审任务不存在。"))
    assignment = Assignment.objects.select_related(*ASSIGNMENT_RELATED).filter(pk=pk).first()
    if assignment is None:
        raise NotFound(_("评审任务不存在。"))
    return assignment


def assignments_list(*, cycle=None, application=None, stage: str | None = None, state: str | None = None,
                     judge=None) -> QuerySet[Assignment]:
    """All assignments, filtered (the secretariat's assignment board)."""
    qs = Assignment.objects.select_related(*ASSIGNMENT_RELATED, "judge__judge_profile").annotate(
        scored_items=scored_items())
    if cycle is not None:
        qs = qs.filter(application__cycle=cycle)
    if application is not None:
        qs = qs.filter(application=application)
    if stage:
        qs = qs.filter(stage=stage)
    if state:
        qs = qs.filter(state=state)
    if judge is not None:
        qs = qs.filter(judge=judge)
    return qs.order_by("application__reference", "application_id", "stage", "-is_leader", "created_at", "id")


def panel(*, application, stage: str, include_declined: bool = True) -> list[Assignment]:
    qs = (Assignment.objects.filter(application=application, stage=stage)
          .select_related("judge", "judge__judge_profile").order_by("-is_leader", "created_at", "id"))
    if not include_declined:
        qs = qs.exclude(state=AssignmentState.DECLINED)
    return list(qs)


def panel_leader(*, application, stage: str) -> Assignment | None:
    return (Assignment.objects.filter(application=application, stage=stage, is_leader=True)
            .exclude(state=AssignmentState.DECLINED).select_related("judge").first())


def stage_outstanding(*, application, stage: str) -> list[Assignment]:
    """Live assignments of the stage whose sheet is not submitted yet."""
    return list(Assignment.objects.filter(application=application, stage=stage, state__in=OUTSTANDING)
                .select_related("judge").order_by("created_at", "id"))


def stage_sheets_complete(*, application, stage: str) -> bool:
    """Every live sheet of the stage submitted, and at least one."""
    counts = (Assignment.objects.filter(application=application, stage=stage, state__in=LIVE_ASSIGNMENT)
              .aggregate(live=Count("id"), done=Count("id", filter=Q(state=AssignmentState.SUBMITTED))))
    return counts["live"] > 0 and counts["live"] == counts["done"]


def judge_may_access_application(user, application_id) -> bool:
    """Registered with nominations.workflow (access check): an assigned judge who accepted (or submitted)
    and has no active conflict with the applicant may open the application and its files,
    while it is under review (JUDGE_ACCESS_STATES)."""
    if not rules.is_judge(user):
        return False
    assignment = (Assignment.objects.filter(judge=user, application_id=application_id, state__in=MATERIAL_ACCESS,
                                            application__state__in=JUDGE_ACCESS_STATES)
                  .select_related("application__organization").first())
    if assignment is None:
        return False
    return not conflict_reasons(judge=user, organization=assignment.application.organization)


def judges_list(*, active_only: bool = False, cycle=None) -> QuerySet:
    """Users of the judge group with their profile and current load (live assignments,
    in `cycle` when given)."""
    live = Assignment.objects.filter(judge=OuterRef("pk"), state__in=LIVE_ASSIGNMENT)
    if cycle is not None:
        live = live.filter(application__cycle=cycle)
    load = live.order_by().values("judge").annotate(n=Count("id")).values("n")  # a subquery: no GROUP BY of users
    qs = (get_user_model().objects.filter(groups__name=JUDGE)
          .select_related("judge_profile")
          .annotate(load=Coalesce(Subquery(load, output_field=IntegerField()), 0))
          .order_by("username"))
    if active_only:
        qs = qs.filter(is_active=True).filter(Q(judge_profile__isnull=True) | Q(judge_profile__active=True))
    return qs


def judges_with_load(*, cycle, known=()) -> list:
    """The judges with live assignments in `cycle`, each with `load` (how many), by username:
    the board's load table. One grouped count, then the judges not among `known` (users of the
    judge group already read with their profile, e.g. the board's pool): usually none."""
    load = dict(Assignment.objects.filter(application__cycle=cycle, state__in=LIVE_ASSIGNMENT)
                .values_list("judge_id").annotate(n=Count("id")).order_by())
    judges = [judge for judge in known if judge.pk in load]
    missing = set(load) - {judge.pk for judge in judges}
    if missing:
        judges += list(get_user_model().objects.filter(groups__name=JUDGE, pk__in=missing)
                       .select_related("judge_profile"))
    judges.sort(key=lambda judge: judge.username)
    for judge in judges:
        judge.load = load[judge.pk]
    return judges


def judge_for_secretariat(pk):
    judge = judges_list().filter(pk=pk).first()
    if judge is None:
        raise NotFound(_("评审专家不存在。"))
    return judge


def assignments_due(*, within_days: int, now: dt.datetime | None = None) -> QuerySet[Assignment]:
    """Not yet submitted, due within `within_days`, not yet reminded."""
    now = now or timezone.now()
    return (Assignment.objects.filter(state__in=OUTSTANDING, due_at__isnull=False, due_at__gt=now,
                                      due_at__lte=now + dt.timedelta(days=within_days), reminded_at__isnull=True)
            .select_related(*ASSIGNMENT_RELATED).order_by("due_at", "id"))


def judging_progress(*, cycle, now: dt.datetime | None = None, applications=None) -> list[dict]:
    """Per application of the cycle with any assignment (or of `applications`, e.g. one page
    of them): counts per stage and state, and `overdue` (not submitted, past the due date) —
    the secretariat's progress board. One grouped query, plus one for the applications when
    they are not given."""
    from nominations.models import Application

    now = now or timezone.now()
    rows = Assignment.objects.filter(application__cycle=cycle)
    if applications is not None:
        applications = list(applications)
        rows = rows.filter(application__in=[a.pk for a in applications])
    rows = (rows.values("application_id", "stage", "state")
            .annotate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=now))).order_by())
    progress: dict[int, dict] = {}
    for row in rows:
        stage = progress.setdefault(row["application_id"], {}).setdefault(
            row["stage"], {**{state: 0 for state in AssignmentState.values}, "overdue": 0})
        stage[row["state"]] = row["n"]
        if row["state"] in OUTSTANDING:
            stage["overdue"] += row["late"]
    if applications is None:
        applications = (Application.objects.filter(pk__in=list(progress))
                        .select_related("organization", "nominee", "category")
                        .order_by("category__order", "reference", "pk"))
    result = []
    for app in applications:
        stages = progress.get(app.pk)
        if stages is None:
            continue
        for counts in stages.values():
            counts["live"] = sum(v for k, v in counts.items() if k in LIVE_ASSIGNMENT)
        result.append({"application": app, "stages": stages})
    return result


def judging_progress_totals(*, cycle, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """The progress board's totals per stage over the whole cycle: live, submitted, assigned,
    declined and overdue tasks. One grouped query (a few rows, whatever the cycle's size)."""
    now = now or timezone.now()
    totals: dict[str, dict[str, int]] = {}
    for row in (Assignment.objects.filter(application__cycle=cycle).values("stage", "state")
                .annotate(n=Count("id"), late=Count("id", filter=Q(due_at__lt=now))).order_by()):
        t = totals.setdefault(row["stage"], {"live": 0, "submitted": 0, "overdue": 0, "declined": 0, "assigned": 0})
        if row["state"] in LIVE_ASSIGNMENT:
            t["live"] += row["n"]
        if row["state"] in t:
            t[row["state"]] += row["n"]
        if row["state"] in OUTSTANDING:
            t["overdue"] += row["late"]
    return totals


def progress_applications(*, cycle):
    """The applications of the cycle with any assignment, in board order (a query to paginate:
    see page_rows). "Any assignment" is a semi-join on the assignments' application index, not
    an IN over the cycle's assignments joined to their applications again; the long answers are
    not read."""
    from nominations.models import Application

    return (Application.objects.filter(cycle=cycle).filter(Exists(Assignment.objects.filter(application=OuterRef("pk"))))
            .select_related("organization", "nominee", "category").defer("answers")
            .order_by("category__order", "reference", "pk"))


def page_ids(queryset):
    """The primary keys of `queryset` in its order: what to paginate on a list of thousands.
    Counting and sorting them reads no joined row and no long column; page_rows then fetches
    the page's rows in full."""
    return queryset.values_list("pk", flat=True)


def page_rows(queryset, ids):
    """The rows of `queryset` among `ids` (a page of page_ids(queryset), still a lazy slice), in
    the queryset's order: one query, the page's ids as its subquery — the joins and the sort
    touch one page of rows instead of every row of the cycle."""
    return list(queryset.filter(pk__in=ids))


def panels_complete(keys) -> set[tuple[int, str]]:
    """Of the (application id, stage) pairs given, those whose live sheets are all submitted
    (at least one): the consensus step is open. One query."""
    keys = set(keys)
    if not keys:
        return set()
    rows = (Assignment.objects.filter(application_id__in={k[0] for k in keys}, state__in=LIVE_ASSIGNMENT)
            .values("application_id", "stage")
            .annotate(live=Count("id"), done=Count("id", filter=Q(state=AssignmentState.SUBMITTED))).order_by())
    return {(r["application_id"], r["stage"]) for r in rows
            if (r["application_id"], r["stage"]) in keys and r["live"] and r["live"] == r["done"]}
