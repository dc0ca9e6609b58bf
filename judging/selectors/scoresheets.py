"""Reading scoresheets, the rubric of an application, and the panel's scores (blind rules)."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from judging import rules
from judging.data.bands import band_for, bands_for_kind
from judging.enums import LIVE_ASSIGNMENT, PERCENT_STEP, REVIEW_STATE, SCORING, AssignmentState, CriterionKind
from judging.errors import InvalidState, NotFound
from judging.models import Assignment, ConsensusChange, ConsensusScore, Criterion, ItemScore, Rubric, person_name
from judging.selectors.conflicts import conflict_reasons

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def q2(value: Decimal | None) -> Decimal | None:
    """Round for display: two decimals, half up (points and scores are shown like "612.50")."""
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def item_points(max_points: Decimal, percent: int | None) -> Decimal | None:
    """Points of one item, derived on the server: max_points × percent / 100 (exact)."""
    if percent is None:
        return None
    return Decimal(max_points) * Decimal(percent) / HUNDRED


# A submitted sheet's percents in rubric order, one letter per item: "A" = 0 %, "B" = 5 %, …,
# "M" = 60 %, "U" = 100 % (percent ÷ PERCENT_STEP letters after "A"); "-" = not scored. Letters
# compare like the percents, so the ranking finds each item's spread with max/min over a panel's
# strings without parsing them.
UNSCORED = "-"


def percents_code(percents) -> str:
    return "".join(UNSCORED if p is None else chr(ord("A") + p // PERCENT_STEP) for p in percents)


def code_percent(letter: str) -> int | None:
    return None if letter == UNSCORED else (ord(letter) - ord("A")) * PERCENT_STEP


def scored_criteria(rubric_code: str) -> list[Criterion]:
    """Scored items (not the unscored category lines) of a rubric, in rubric order. One query."""
    return list(Criterion.objects.filter(rubric__code=rubric_code, parent__isnull=False)
                .select_related("parent").order_by("order", "code"))


# Rubrics of open cycles, kept in each process for the scoring path (see scored_criteria_frozen).
RUBRIC_CACHE_SECONDS = 300
_frozen_rubrics: dict[str, tuple[float, list[Criterion]]] = {}


def scored_criteria_frozen(rubric_code: str) -> list[Criterion]:
    """scored_criteria() of a rubric that judges are scoring against, kept in this process for
    RUBRIC_CACHE_SECONDS: no query on the autosave path. Safe because such a rubric is frozen —
    once a cycle using it has opened, Criterion and Rubric refuse save and delete (RubricLocked);
    a change while no cycle uses it clears the cache of the process that made it, and other
    processes re-read within the period. The list and its objects are shared: read only."""
    now = time.monotonic()
    cached = _frozen_rubrics.get(rubric_code)
    if cached is not None and now - cached[0] < RUBRIC_CACHE_SECONDS:
        return cached[1]
    criteria = scored_criteria(rubric_code)
    _frozen_rubrics[rubric_code] = (now, criteria)
    return criteria


def forget_frozen_rubrics(**_kwargs) -> None:
    """Signal receiver: any saved or deleted rubric or criterion clears the process's cache."""
    _frozen_rubrics.clear()


for _model in (Criterion, Rubric):
    post_save.connect(forget_frozen_rubrics, sender=_model, dispatch_uid=f"frozen-rubrics-save-{_model.__name__}")
    post_delete.connect(forget_frozen_rubrics, sender=_model, dispatch_uid=f"frozen-rubrics-delete-{_model.__name__}")


# The six bands per criterion kind, as every scoresheet shows them (the texts are fixed, not
# translated): built once, shared by every Scoresheet — read only.
ALL_BANDS: dict[str, list[dict]] = {kind: bands_for_kind(kind) for kind in CriterionKind.values}


def criteria_for_application(application) -> list[Criterion]:
    return scored_criteria(application.category.rubric_code)


@dataclass
class ScoresheetItem:
    criterion: str
    criterion_id: int
    title: str
    parent: str
    parent_title: str
    kind: str
    max_points: Decimal
    percent: int | None = None
    strengths: str = ""
    opportunities: str = ""

    @property
    def points(self) -> Decimal | None:
        return q2(item_points(self.max_points, self.percent))

    @property
    def band(self) -> str | None:
        band = band_for(self.percent)
        return band.label if band else None


@dataclass
class Scoresheet:
    assignment: Assignment
    items: list[ScoresheetItem]
    bands: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        raw = sum((item_points(i.max_points, i.percent) for i in self.items if i.percent is not None), Decimal(0))
        return q2(raw)

    @property
    def raw_total(self) -> Decimal | None:
        """Σ percent × max_points of the scored items (×100 of the points, exact); None when none is scored."""
        scored = [i for i in self.items if i.percent is not None]
        return sum((Decimal(i.percent) * i.max_points for i in scored), Decimal(0)) if scored else None

    @property
    def percents_code(self) -> str:
        return percents_code(i.percent for i in self.items)

    @property
    def max_total(self) -> Decimal:
        return q2(sum((i.max_points for i in self.items), Decimal(0)))

    @property
    def missing(self) -> list[str]:
        return [i.criterion for i in self.items if i.percent is None]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def scored_count(self) -> int:
        return sum(1 for i in self.items if i.percent is not None)

    @property
    def editable(self) -> bool:
        return self.assignment.state in SCORING


def scoresheet_get(assignment: Assignment) -> Scoresheet:
    """Every scored criterion of the application's rubric with the judge's percent (or None),
    the band descriptions (ADLI for process, LeTCI for results), points and total. Two queries.
    The caller has authorised access (assignment_for_judge(..., scoring=True) or the secretariat)."""
    criteria, scores = sheet_rows(assignment, assignment.application.category.rubric_code)
    return scoresheet_from(assignment, criteria, scores)


def sheet_rows(assignment: Assignment, rubric_code: str) -> tuple[list[Criterion], dict[int, ItemScore]]:
    """The rubric's scored items in order and the sheet's scores by criterion id. Two plain
    queries (one query with the scores as subqueries costs more to build than it saves)."""
    criteria = scored_criteria(rubric_code)
    return criteria, {s.criterion_id: s for s in ItemScore.objects.filter(assignment_id=assignment.pk).order_by()}


def _item_head(c: Criterion) -> tuple:
    """What a sheet shows of a criterion, kept on the object: the frozen rubric's criteria are
    shared by every autosave of the process, and reading `parent` through its descriptor for
    every item of every save added up."""
    head = c.__dict__.get("_sheet_head")
    if head is None:
        head = c.__dict__["_sheet_head"] = (c.code, c.pk, c.title, c.parent.code, c.parent.title, c.kind,
                                            c.max_points)
    return head


def scoresheet_from(assignment: Assignment, criteria: list[Criterion], scores: dict[int, ItemScore]) -> Scoresheet:
    """The sheet from its rubric items and its scores by criterion id, already read (no query)."""
    items = []
    for c in criteria:
        s = scores.get(c.pk)
        code, pk, title, parent, parent_title, kind, max_points = _item_head(c)
        items.append(ScoresheetItem(
            criterion=code, criterion_id=pk, title=title, parent=parent, parent_title=parent_title,
            kind=kind, max_points=max_points, percent=s.percent if s else None,
            strengths=s.strengths if s else "", opportunities=s.opportunities if s else ""))
    return Scoresheet(assignment=assignment, items=items, bands=ALL_BANDS)


# -- the panel's scores: blind until one's own sheet is in and the stage is complete --------
def panel_scores_visible(user, *, application, stage: str, now: dt.datetime | None = None) -> bool:
    """Secretariat: always. A panel member: only after submitting their own sheet, once every
    live sheet of the stage is submitted, and while they have no conflict with the applicant."""
    if rules.is_secretariat(user):
        return True
    rows = list(Assignment.objects.filter(application=application, stage=stage, state__in=LIVE_ASSIGNMENT)
                .values_list("judge_id", "state"))
    own = [state for judge_id, state in rows if judge_id == getattr(user, "pk", None)]
    if not own or own[0] != AssignmentState.SUBMITTED:
        return False
    if any(state != AssignmentState.SUBMITTED for _, state in rows):
        return False
    return not conflict_reasons(judge=user, organization=application.organization, now=now)


@dataclass
class PanelSheet:
    assignment_id: int
    judge_id: int
    judge_name: str
    is_leader: bool
    state: str
    total: Decimal
    items: dict[str, dict]  # criterion code -> {"percent", "points", "strengths", "opportunities"}


@dataclass
class ConsensusItem:
    criterion: str
    title: str
    kind: str
    max_points: Decimal
    percents: list[int | None]  # independent percents in sheet order
    spread: int | None
    percent: int | None  # agreed
    comment: str
    author: str
    updated_at: dt.datetime | None
    changes: list[ConsensusChange]

    @property
    def points(self) -> Decimal | None:
        return q2(item_points(self.max_points, self.percent))

    @property
    def mean_percent(self) -> Decimal | None:
        values = [p for p in self.percents if p is not None]
        return q2(Decimal(sum(values)) / len(values)) if values else None


@dataclass
class ConsensusBook:
    application: object
    stage: str
    sheets: list[PanelSheet]
    items: list[ConsensusItem]
    ready: bool  # all live sheets submitted
    leader_id: int | None

    @property
    def complete(self) -> bool:
        return bool(self.items) and all(i.percent is not None for i in self.items)

    @property
    def missing(self) -> list[str]:
        return [i.criterion for i in self.items if i.percent is None]

    @property
    def total(self) -> Decimal | None:
        if not self.complete:
            return None
        return q2(sum((item_points(i.max_points, i.percent) for i in self.items), Decimal(0)))


def consensus_book(*, application, stage: str, user, now: dt.datetime | None = None) -> ConsensusBook:
    """The independent scores side by side and the agreed scores with their history.
    NotFound unless panel_scores_visible (the panel member is told nothing about others before)."""
    if not panel_scores_visible(user, application=application, stage=stage, now=now):
        raise NotFound(_("合议页面在本阶段全部评分表提交后才对评审组成员开放。"))
    return _consensus_book(application=application, stage=stage)


def _consensus_book(*, application, stage: str) -> ConsensusBook:
    criteria = criteria_for_application(application)
    assignments = list(Assignment.objects.filter(application=application, stage=stage, state__in=LIVE_ASSIGNMENT)
                       .select_related("judge").order_by("-is_leader", "created_at", "id"))
    scores = {}
    for s in ItemScore.objects.filter(assignment__in=assignments).select_related("criterion"):
        scores[(s.assignment_id, s.criterion.code)] = s
    sheets = []
    for a in assignments:
        items, total = {}, Decimal(0)
        for c in criteria:
            s = scores.get((a.pk, c.code))
            percent = s.percent if s else None
            points = item_points(c.max_points, percent)
            total += points or 0
            items[c.code] = {"percent": percent, "points": q2(points), "strengths": s.strengths if s else "",
                             "opportunities": s.opportunities if s else ""}
        sheets.append(PanelSheet(assignment_id=a.pk, judge_id=a.judge_id,
                                 judge_name=person_name(a.judge),
                                 is_leader=a.is_leader, state=a.state, total=q2(total), items=items))
    agreed = {c.criterion_id: c for c in ConsensusScore.objects.filter(application=application, stage=stage)
              .select_related("author")}
    history: dict[int, list[ConsensusChange]] = {}
    for ch in (ConsensusChange.objects.filter(consensus__application=application, consensus__stage=stage)
               .select_related("author", "consensus").order_by("at", "id")):
        history.setdefault(ch.consensus.criterion_id, []).append(ch)
    items = []
    for c in criteria:
        percents = [sheet.items[c.code]["percent"] for sheet in sheets]
        present = [p for p in percents if p is not None]
        cs = agreed.get(c.pk)
        items.append(ConsensusItem(
            criterion=c.code, title=c.title, kind=c.kind, max_points=c.max_points, percents=percents,
            spread=(max(present) - min(present)) if present else None,
            percent=cs.percent if cs else None, comment=cs.comment if cs else "",
            author=person_name(cs.author)
            if cs and cs.author else "",
            updated_at=cs.updated_at if cs else None, changes=history.get(c.pk, [])))
    ready = bool(sheets) and all(s.state == AssignmentState.SUBMITTED for s in sheets)
    leader = next((a.judge_id for a in assignments if a.is_leader), None)
    return ConsensusBook(application=application, stage=stage, sheets=sheets, items=items, ready=ready,
                         leader_id=leader)


def scoring_open(assignment: Assignment) -> bool:
    """The application is in its review state for the assignment's stage."""
    return assignment.application.state == REVIEW_STATE[assignment.stage]


def ensure_scoring_open(assignment: Assignment) -> None:
    if not scoring_open(assignment):
        raise InvalidState(_("该申报当前不在“%(stage)s”阶段，不能评分。") % {"stage": assignment.get_stage_display()})
