"""What waits in judging, for the 工作台: the secretariat's judging to-dos per cycle, the judge's
tasks and the committee's pending rankings. Counted in the database, a fixed number of queries
per role; each count's link opens a list filtered by the same queryset (the board, the progress
page, the judge's tasks, the committee ranking), so count and list agree.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils.translation import gettext as _

from judging.enums import LIVE_ASSIGNMENT, OUTSTANDING, PERCENT_STEP, SCORING, SPREAD_THRESHOLD, AssignmentState, Stage
from judging.models import Assignment, ConsensusScore, Criterion, SiteVisitReport
from judging.selectors.ranking import rubric_max_points, spread_flags, spread_items
from judging.selectors.scoresheets import UNSCORED
from nominations.enums import ApplicationState as S
from nominations.models import Application
from nominations.selectors.todos import Todo, TodoLine

A = AssignmentState
ASSIGNABLE = {Stage.DOCUMENT: (S.ACCEPTED, S.DOCUMENT_REVIEW), Stage.SITE: (S.SITE_REVIEW,)}
IN_JUDGING = (S.ACCEPTED, S.DOCUMENT_REVIEW, S.SITE_REVIEW)
# The assignment's stage is the one its application is being scored in.
STAGE_OPEN = (Q(stage=Stage.DOCUMENT, application__state=S.DOCUMENT_REVIEW)
              | Q(stage=Stage.SITE, application__state=S.SITE_REVIEW))


# -- the querysets behind the secretariat's counts and lists ----------------------------------------
def _live_count(stage: str):
    rows = (Assignment.objects.filter(application=OuterRef("pk"), stage=stage, state__in=list(LIVE_ASSIGNMENT))
            .order_by().values("application").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def applications_understaffed(stage: str, *, cycle=None) -> QuerySet[Application]:
    """待分配专家: applications open to assignment in `stage` with fewer live (not declined)
    judges than the cycle asks for."""
    needed = "cycle__judges_site" if stage == Stage.SITE else "cycle__judges_document"
    qs = (Application.objects.filter(state__in=list(ASSIGNABLE[stage]))
          .annotate(live_judges=_live_count(stage)).filter(live_judges__lt=F(needed)))
    return qs.filter(cycle=cycle) if cycle is not None else qs


def _overdue_tasks(now: dt.datetime):
    return Assignment.objects.filter(application=OuterRef("pk"), state__in=list(OUTSTANDING), due_at__lt=now)


def applications_overdue(*, now: dt.datetime, cycle=None) -> QuerySet[Application]:
    """评审逾期: applications under review with a task not submitted by its due date."""
    qs = Application.objects.filter(Exists(_overdue_tasks(now)), state__in=list(IN_JUDGING))
    return qs.filter(cycle=cycle) if cycle is not None else qs


def applications_disagreement(*, cycle_ids) -> dict[int, dict[int, list[str]]]:
    """分歧待合议: applications in review whose panel has submitted every sheet of the stage, with
    items SPREAD_THRESHOLD or more points apart that have no consensus score yet.
    {cycle id: {application id: [criterion codes]}}. Three queries: the complete panels' sheets
    (percent strings, compared a whole sheet at a time as the ranking does), the rubrics' items,
    the consensus scores recorded in the cycles' applications under review."""
    cycle_ids = list(cycle_ids)
    outstanding = Assignment.objects.filter(application=OuterRef("application_id"), stage=OuterRef("stage"),
                                            state__in=list(OUTSTANDING))
    rows = (Assignment.objects.filter(STAGE_OPEN, application__cycle_id__in=cycle_ids, state=A.SUBMITTED)
            .exclude(Exists(outstanding))
            .values_list("application_id", "application__cycle_id", "application__category__rubric_code", "stage",
                         "sheet_percents").order_by())
    panels: dict[int, list[str]] = {}
    meta: dict[int, tuple[int, str, str]] = {}
    for app_id, cycle_id, rubric, stage, percents in rows:
        panels.setdefault(app_id, []).append(percents)
        meta[app_id] = (cycle_id, rubric, stage)
    if not panels:
        return {}
    items = {rubric: list(codes) for rubric, codes in rubric_max_points({m[1] for m in meta.values()}).items()}
    steps = SPREAD_THRESHOLD // PERCENT_STEP
    flags: dict[int, list[str]] = {}
    for app_id, sheets in panels.items():
        codes = items.get(meta[app_id][1], [])
        sheets = [p for p in sheets if len(p) == len(codes) and UNSCORED not in p]  # a submitted sheet is whole
        if codes and len(sheets) > 1:
            found = spread_items(sheets, steps)
            if found:
                flags[app_id] = [codes[i] for i in found]
    if not flags:
        return {}
    agreed: dict[tuple[int, str], set[str]] = {}
    # the consensus scores of the applications in review (a few rows; no list of thousands of ids)
    for app_id, stage, code in (ConsensusScore.objects.filter(application__cycle_id__in=list(cycle_ids),
                                                              application__state__in=[S.DOCUMENT_REVIEW,
                                                                                      S.SITE_REVIEW])
                                .values_list("application_id", "stage", "criterion__code").order_by()):
        agreed.setdefault((app_id, stage), set()).add(code)
    result: dict[int, dict[int, list[str]]] = {}
    for app_id, codes in flags.items():
        cycle_id, _rubric, stage = meta[app_id]
        pending = [c for c in codes if c not in agreed.get((app_id, stage), set())]
        if pending:
            result.setdefault(cycle_id, {})[app_id] = pending
    return result


def _progress_url(cycle_id: int, show: str) -> str:
    return reverse("judging:progress", args=[cycle_id]) + f"?show={show}"


def secretariat_todos(*, cycle_ids, now: dt.datetime) -> dict[int, list[Todo]]:
    """{cycle id: [Todo]} for 待分配专家 (per stage), 评审逾期 and 分歧待合议. Six queries."""
    cycle_ids = list(cycle_ids)
    result: dict[int, list[Todo]] = {}
    for stage, order in ((Stage.DOCUMENT, 20), (Stage.SITE, 21)):
        rows = (applications_understaffed(stage).filter(cycle_id__in=cycle_ids).order_by()
                .values("cycle_id").annotate(n=Count("id")).values_list("cycle_id", "n"))
        for cycle_id, n in rows:
            label = _("待分配专家") if stage == Stage.DOCUMENT else _("待分配专家（现场评审）")
            url = reverse("judging:assignment_board", args=[cycle_id]) + f"?stage={stage}&show=understaffed"
            result.setdefault(cycle_id, []).append(Todo(
                f"understaffed_{stage}", label, n, url, order=order, hint=_("专家人数不足，须分配或自动分配")))
    rows = (applications_overdue(now=now).filter(cycle_id__in=cycle_ids).order_by()
            .values("cycle_id").annotate(n=Count("id")).values_list("cycle_id", "n"))
    for cycle_id, n in rows:
        result.setdefault(cycle_id, []).append(Todo(
            "overdue", _("评审逾期"), n, _progress_url(cycle_id, "overdue"), order=30, urgent=True,
            hint=_("有专家逾期未提交评分表")))
    for cycle_id, apps in applications_disagreement(cycle_ids=cycle_ids).items():
        result.setdefault(cycle_id, []).append(Todo(
            "disagreement", _("分歧待合议"), len(apps), _progress_url(cycle_id, "disagreement"), order=40,
            hint=_("条款评分相差 30 个百分点及以上，尚未记录合议分")))
    return result


# -- judges -----------------------------------------------------------------------------------------
def _consensus_incomplete():
    """Fewer consensus scores recorded for the assignment's application and stage than the
    rubric has items (a lookup on two subqueries: no annotation, so counts aggregate directly)."""
    recorded = (ConsensusScore.objects.filter(application=OuterRef("application_id"), stage=OuterRef("stage"))
                .order_by().values("application").annotate(n=Count("id")).values("n"))
    items = (Criterion.objects.filter(rubric__code=OuterRef("application__category__rubric_code"),
                                      parent__isnull=False)
             .order_by().values("rubric__code").annotate(n=Count("id")).values("n"))
    return LessThan(Coalesce(Subquery(recorded, output_field=IntegerField()), 0),
                    Coalesce(Subquery(items, output_field=IntegerField()), 0))


def judge_filters() -> dict[str, Q]:
    """The judge's to-do filters on their own assignments:
    todo (待接受), scoring (待评分: the stage is being scored), waiting (accepted, the stage not
    yet open), consensus (待合议: leader, every sheet in, consensus not complete)."""
    outstanding = Assignment.objects.filter(application=OuterRef("application_id"), stage=OuterRef("stage"),
                                            state__in=list(OUTSTANDING))
    return {
        "todo": Q(state=A.ASSIGNED),
        "scoring": Q(state__in=list(SCORING)) & STAGE_OPEN,
        "waiting": Q(state__in=list(SCORING)) & ~STAGE_OPEN,
        "consensus": (Q(is_leader=True, state=A.SUBMITTED) & STAGE_OPEN & ~Q(Exists(outstanding))
                      & Q(_consensus_incomplete())),
    }


def judge_todos(user, *, now: dt.datetime) -> list[Todo]:
    """待接受, 待评分 (with the due dates) and 待合议 as panel leader. Two queries."""
    filters = judge_filters()
    mine = Assignment.objects.filter(judge=user)
    counts = mine.aggregate(**{key: Count("id", filter=q) for key, q in filters.items()})
    base = reverse("judging:home")
    todos = [
        Todo("to_accept", _("待接受"), counts["todo"], base + "?show=todo", order=10,
             hint=_("确认无利益冲突后接受，或申请回避")),
        Todo("to_score", _("待评分"), counts["scoring"], base + "?show=scoring", order=20),
        Todo("to_consensus", _("待合议（组长）"), counts["consensus"], base + "?show=consensus", order=30,
             hint=_("全部评分表已提交，请组织合议并记录合议分")),
    ]
    if counts["waiting"]:
        todos.append(Todo("waiting", _("待开始评审"), counts["waiting"], base + "?show=waiting", order=40,
                          hint=_("已接受，评审阶段开始后即可评分")))
    lines = list(mine.filter(filters["scoring"] | filters["consensus"])
                 .select_related("application__organization", "application__nominee")
                 .order_by(F("due_at").asc(nulls_last=True), "id")[:8])
    for a in lines:
        line = TodoLine(title=a.application.title, meta=a.application.display_name, due=a.due_at,
                        overdue=bool(a.due_at and a.due_at < now and a.state in OUTSTANDING))
        if a.state == A.SUBMITTED:
            line.url = reverse("judging:consensus", args=[a.application_id, a.stage])
            todos[2].lines.append(line)
        else:
            line.url = reverse("judging:assignment_sheet", args=[a.pk])
            todos[1].lines.append(line)
    due = [line.due for line in todos[1].lines if line.due]
    todos[1].hint = (_("最近的完成期限：%(date)s") % {"date": _local(min(due))} if due
                     else _("接受任务后，在评审阶段内完成评分并提交"))
    return todos


# -- the committee ----------------------------------------------------------------------------------
COMMITTEE_LINES = 30


def committee_todos(*, now: dt.datetime) -> list[Todo]:
    """待审定的排名: per cycle and category, the evaluated applications awaiting the committee's
    decision, each with its spread flags and the site-visit report's summary. Four queries."""
    pending = (Application.objects.filter(state=S.EVALUATED)
               .values("cycle_id", "category_id", "cycle__label", "cycle__programme__name", "category__name")
               .order_by().annotate(n=Count("id")))
    counts = {(r["cycle_id"], r["category_id"]): r["n"] for r in pending}
    names = {(r["cycle_id"], r["category_id"]): _("%(label)s年度%(programme)s · %(category)s") % {
        "label": r["cycle__label"], "programme": r["cycle__programme__name"], "category": r["category__name"]}
        for r in pending}
    if not counts:
        return []
    apps = list(Application.objects.filter(state=S.EVALUATED)
                .select_related("cycle__programme", "category", "organization", "nominee")
                .order_by("-cycle__year", "cycle__programme__order", "category__order", "reference", "pk")
                [:COMMITTEE_LINES])
    final_stage = Q(stage=Stage.SITE, application__cycle__programme__has_site_stage=True) | Q(
        stage=Stage.DOCUMENT, application__cycle__programme__has_site_stage=False)
    rubrics = {rubric: tuple(codes) for rubric, codes in
               rubric_max_points({a.category.rubric_code for a in apps}).items()}
    flags = spread_flags(Assignment.objects.filter(final_stage, application_id__in=[a.pk for a in apps]),
                         {a.pk: rubrics.get(a.category.rubric_code, ()) for a in apps})
    summaries = dict(SiteVisitReport.objects.filter(application_id__in=[a.pk for a in apps])
                     .values_list("application_id", "summary"))
    todos: dict[tuple[int, int], Todo] = {}
    for a in apps:
        key = (a.cycle_id, a.category_id)
        todo = todos.get(key)
        if todo is None:
            url = (reverse("judging:committee_ranking", args=[a.cycle_id])
                   + f"?category={a.category_id}&pending=1")
            todo = todos[key] = Todo(f"decide_{a.cycle_id}_{a.category_id}", names[key], counts[key], url,
                                     order=len(todos), hint=_("评审完成，待审定委员会表决"))
        todo.lines.append(TodoLine(
            title=a.display_name, meta=" · ".join(p for p in (a.reference or "", a.title) if p),
            url=reverse("judging:committee_application", args=[a.pk]),
            flags=[f.partition(":")[2] for f in flags.get(a.pk, [])], excerpt=summaries.get(a.pk, "")))
    for (cycle_id, category_id), n in counts.items():  # categories beyond the lines shown
        if (cycle_id, category_id) not in todos:
            todos[(cycle_id, category_id)] = Todo(
                f"decide_{cycle_id}_{category_id}", names[(cycle_id, category_id)], n,
                reverse("judging:committee_ranking", args=[cycle_id]) + f"?category={category_id}&pending=1",
                order=len(todos), hint=_("评审完成，待审定委员会表决"))
    return list(todos.values())


def _local(value) -> str:
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""
