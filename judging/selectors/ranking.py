"""Aggregation and ranking, computed in the database from the sheets' summaries.

A sheet total is Σ percent × max_points / 100 over the items of one submitted sheet. The
submission writes it on the assignment (Assignment.sheet_raw, with the item percents in
rubric order in Assignment.sheet_percents) and a reopen clears it: a submitted sheet's items
cannot change, so the ranking reads 35,000 assignment rows instead of grouping 805,000 item
scores. Per application the statistics come from ONE grouped query over the sheets (count,
Σx, Σx², max, min of the sheet totals; SQLite has no STDDEV, so the sample standard
deviation is derived from those sums in Python with Decimal). Spread flags come from the
sheets' percent strings (one query), consensus items and the rubric items are one query
each: a ranking costs a fixed five queries (six for the site stage, which also reads the
site-visit reports), whatever the number of applications and sheets.

Raw sums are kept in "percent·points" (×100) so that the database adds integers
(exact on every backend); the division by 100 happens here in Decimal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from judging.enums import LIVE_ASSIGNMENT, PERCENT_STEP, SPREAD_THRESHOLD, AssignmentState, Stage
from judging.models import Assignment, ConsensusScore, Criterion, SiteVisitReport, person_name
from judging.selectors.conflicts import conflict_map
from judging.selectors.scoresheets import HUNDRED, UNSCORED, q2
from nominations.enums import Aggregation, ApplicationState
from nominations.models import Application
from nominations.rules import COMMITTEE

RAW = DecimalField(max_digits=20, decimal_places=4)
APPROVED_STATES = frozenset({ApplicationState.APPROVED, ApplicationState.PUBLIC_NOTICE,
                             ApplicationState.AWARDED, ApplicationState.PUBLISHED})
EVALUATED_STATES = frozenset({ApplicationState.EVALUATED, ApplicationState.NOT_AWARDED, *APPROVED_STATES,
                              ApplicationState.REVOKED})


def _stage_assignments(cycle, category, stage):
    qs = Assignment.objects.filter(application__cycle=cycle, stage=stage)
    if category is not None:
        qs = qs.filter(application__category=category)
    return qs


@dataclass
class RankingRow:
    application: int
    reference: str | None
    name: str
    title: str
    state: str
    category: int
    judges: int  # submitted sheets
    assigned: int  # live assignments (not declined)
    mean: Decimal | None
    trimmed_mean: Decimal | None
    stdev: Decimal | None
    consensus: Decimal | None
    final_score: Decimal | None
    flags: list[str] = field(default_factory=list)
    rank: int | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    recused: list[dict] = field(default_factory=list)  # committee view


def sheet_statistics(n: int, s1: Decimal, s2: Decimal, hi: Decimal, lo: Decimal) -> dict:
    """mean, trimmed mean, sample stdev of sheet totals from the raw aggregates (×100 units)."""
    if not n:
        return {"mean": None, "trimmed_mean": None, "stdev": None}
    s1, s2, hi, lo = (Decimal(v) for v in (s1, s2, hi, lo))
    mean = s1 / n / HUNDRED
    trimmed = (s1 - hi - lo) / (n - 2) / HUNDRED if n >= 5 else mean
    if n == 1:
        stdev = Decimal(0)
    else:
        variance = (s2 - s1 * s1 / n) / (n - 1)
        stdev = max(variance, Decimal(0)).sqrt() / HUNDRED
    return {"mean": q2(mean), "trimmed_mean": q2(trimmed), "stdev": q2(stdev)}


def assign_ranks(rows: list[RankingRow]) -> list[RankingRow]:
    """Best first; equal final scores share a rank (1, 2, 2, 4); unscored rows last, unranked."""
    rows.sort(key=lambda r: (r.final_score is None, -(r.final_score or 0), r.reference or "", r.application))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.final_score is None:
            row.rank = None
            continue
        if row.final_score != previous:
            rank, previous = position, row.final_score
        row.rank = rank
    return rows


class RankedApplication(NamedTuple):
    """What a ranking row shows of its application: one tuple per row, not three model objects."""
    pk: int
    reference: str | None
    title: str
    state: str
    category_id: int
    rubric_code: str
    organization_name: str
    nominee_id: int | None
    nominee_name: str | None
    nominee_employer: str | None

    @property
    def display_name(self) -> str:  # as Application.display_name
        if self.nominee_id:
            return _("%(name)s（%(employer)s）") % {"name": self.nominee_name, "employer": self.nominee_employer}
        return self.organization_name


_RANKED_COLUMNS = ("pk", "reference", "title", "state", "category_id", "category__rubric_code",
                   "organization__name", "nominee_id", "nominee__name", "nominee__employer")


def ranking(*, cycle, category=None, stage: str = Stage.DOCUMENT, states=None) -> list[RankingRow]:
    """The ranking of one cycle, category and stage (five queries, independent of size).

    Rows: applications with a live assignment in the stage. `judges` counts submitted sheets;
    trimmed mean drops one highest and one lowest total when there are ≥ 5 sheets; `final_score`
    follows cycle.aggregation (consensus: where recorded for every item, else the trimmed mean
    with the flag `no_consensus`). Flags: `spread:<criterion>` (≥ 30 points apart),
    `outstanding:<k>` (sheets not yet submitted), `no_consensus`, `site_adjusted` (site stage:
    see consensus_book_items)."""
    assignments = _stage_assignments(cycle, category, stage)
    submitted = Q(state=AssignmentState.SUBMITTED)
    live = assignments.exclude(state__in=sorted(set(AssignmentState.values) - LIVE_ASSIGNMENT))  # one range each
    stats = (live
             .values("application_id")
             .annotate(assigned=Count("id"), n=Count("id", filter=submitted),
                       s1=Sum("sheet_raw", filter=submitted, output_field=RAW),
                       s2=Sum(ExpressionWrapper(F("sheet_raw") * F("sheet_raw"), output_field=RAW), filter=submitted),
                       hi=Max("sheet_raw", filter=submitted, output_field=RAW),
                       lo=Min("sheet_raw", filter=submitted, output_field=RAW))
             .order_by())
    stats = {row["application_id"]: row for row in stats}
    ranked = live.values("application_id")
    apps = Application.objects.filter(pk__in=ranked)
    if states is not None:
        apps = apps.filter(state__in=list(states))
    apps = [RankedApplication(*row) for row in apps.values_list(*_RANKED_COLUMNS).order_by()]
    rubric_items = rubric_max_points({a.rubric_code for a in apps})
    item_codes = {rubric: tuple(items) for rubric, items in rubric_items.items()}  # one tuple per rubric
    flags = spread_flags(assignments, {a.pk: item_codes.get(a.rubric_code, ()) for a in apps})
    consensus = consensus_book_items(ranked, stage)
    rows = []
    for app in apps:
        s = stats.get(app.pk)
        if s is None:  # its first live assignment arrived between the two queries
            continue
        figures = sheet_statistics(s["n"], s["s1"] or 0, s["s2"] or 0, s["hi"] or 0, s["lo"] or 0)
        max_points = rubric_items.get(app.rubric_code, {})
        book = {code: percent for code, (percent, _adjusted) in consensus.get(app.pk, {}).items()
                if code in max_points}
        consensus_total = None
        if book and len(book) == len(max_points):
            consensus_total = q2(sum((Decimal(p) * max_points[code] for code, p in book.items()), Decimal(0))
                                 / HUNDRED)
        row_flags = list(flags.get(app.pk, []))
        if consensus_total is not None and any(
                adjusted for code, (_p, adjusted) in consensus.get(app.pk, {}).items() if code in max_points):
            row_flags.append("site_adjusted")
        if s["assigned"] > s["n"]:
            row_flags.append(f"outstanding:{s['assigned'] - s['n']}")
        if cycle.aggregation == Aggregation.MEAN:
            final = figures["mean"]
        elif cycle.aggregation == Aggregation.CONSENSUS and consensus_total is not None:
            final = consensus_total
        else:
            final = figures["trimmed_mean"]
            if cycle.aggregation == Aggregation.CONSENSUS and s["n"]:
                row_flags.append("no_consensus")
        rows.append(RankingRow(
            application=app.pk, reference=app.reference, name=app.display_name, title=app.title, state=app.state,
            category=app.category_id, judges=s["n"], assigned=s["assigned"], consensus=consensus_total,
            final_score=final, flags=row_flags,
            min_total=q2(Decimal(s["lo"]) / HUNDRED) if s["n"] else None,
            max_total=q2(Decimal(s["hi"]) / HUNDRED) if s["n"] else None, **figures))
    return assign_ranks(rows)


def spread_flags(assignments, codes: dict[int, tuple[str, ...]]) -> dict[int, list[str]]:
    """`spread:<criterion>` per application where the submitted sheets of `assignments` are
    SPREAD_THRESHOLD or more percentage points apart on an item, in rubric order. One query:
    the sheets' percent strings (see percents_code), compared a whole sheet at a time."""
    panels: dict[int, list[str]] = {}
    for app_id, percents in (assignments.filter(state=AssignmentState.SUBMITTED)
                             .values_list("application_id", "sheet_percents").order_by()):
        panels.setdefault(app_id, []).append(percents)
    steps = SPREAD_THRESHOLD // PERCENT_STEP
    names: dict[tuple, list[str]] = {}  # per rubric: the flag of each item
    flags: dict[int, list[str]] = {}
    for app_id, sheets in panels.items():
        items = codes.get(app_id)
        if not items or len(sheets) < 2:
            continue
        size = len(items)
        if any(len(p) != size or UNSCORED in p for p in sheets):  # never after a submission; exact anyway
            sheets = [p for p in sheets if len(p) == size]  # a rubric is frozen once used
            columns = ([ord(c) for c in column if c != UNSCORED] for column in zip(*sheets))
            found = [i for i, column in enumerate(columns) if len(column) > 1 and max(column) - min(column) >= steps]
        else:
            found = spread_items(sheets, steps)
        if found:
            label = names.get(items)
            if label is None:
                label = names[items] = [f"spread:{code}" for code in items]
            flags[app_id] = [label[i] for i in found]
    return flags


def spread_items(sheets: list[str], steps: int) -> list[int]:
    """Positions where the letters of equally long `sheets` (all scored) are `steps` or more
    apart — max − min per item across the panel, on all items at once.

    Each sheet becomes one integer with a byte per item (the letter's code, below 128),
    and the bytes are compared "SIMD within a register": (a | H) − b keeps each byte's
    high bit where a ≥ b and never borrows from the next byte, so a mask picks the larger
    or smaller byte of every item in a few integer operations, not a Python loop per item.
    spread_flags_naive (tests) computes the same with max/min per item."""
    size = len(sheets[0])
    high = int.from_bytes(b"\x80" * size, "big")
    values = [int.from_bytes(sheet.encode("ascii"), "big") for sheet in sheets]
    top = low = values[0]
    for value in values[1:]:
        ge = (((top | high) - value) & high) >> 7  # 1 in the low bit of each byte where top ≥ value
        keep = ge * 0xFF  # that byte all ones
        top = (top & keep) | (value & ~keep)
        ge = (((low | high) - value) & high) >> 7  # where low ≥ value: take value
        keep = ge * 0xFF
        low = (value & keep) | (low & ~keep)
    # top − low per byte (no borrow: top ≥ low in every byte); + (128 − steps) sets the high
    # bit exactly where the spread is ≥ steps (spreads are ≤ 20, so no carry either).
    wide = ((top - low) + int.from_bytes(bytes([128 - steps]) * size, "big")) & high
    if not wide:
        return []
    return [i for i, byte in enumerate(wide.to_bytes(size, "big")) if byte]


def site_adjustments(application_ids) -> dict[int, dict[str, int]]:
    """Adjusted percents of the site-visit reports: {application id: {criterion code: percent}}. One query."""
    result: dict[int, dict[str, int]] = {}
    if not isinstance(application_ids, QuerySet):
        application_ids = list(application_ids)
    for app_id, findings in SiteVisitReport.objects.filter(application_id__in=application_ids).values_list(
            "application_id", "findings"):
        for finding in findings or []:
            if not isinstance(finding, dict):
                continue
            percent = finding.get("adjusted_percent")
            if finding.get("criterion") and isinstance(percent, int) and not isinstance(percent, bool):
                result.setdefault(app_id, {})[str(finding["criterion"])] = percent
    return result


def consensus_book_items(apps, stage: str) -> dict[int, dict[str, tuple[int, bool]]]:
    """The consensus percent of each item per application: {app id: {code: (percent, site_adjusted)}}.

    For the site stage, an adjusted percent from the site-visit report (SiteVisitReport.findings)
    counts like a consensus score for its item. Precedence: a recorded ConsensusScore comes
    first — the panel's agreed figure stands, whenever it was recorded — and the report's
    adjustment fills the items that have no ConsensusScore (`site_adjusted` is True for
    those). A fixed number of queries: one, plus one for the site reports at the site stage.
    `apps`: applications, their ids, or a query of ids (a subquery: no list of 5,000 parameters).
    """
    ids = apps if isinstance(apps, QuerySet) else [getattr(a, "pk", a) for a in apps]
    book: dict[int, dict[str, tuple[int, bool]]] = {}
    if isinstance(ids, list) and not ids:
        return book
    for app_id, code, percent in (ConsensusScore.objects.filter(application_id__in=ids, stage=stage)
                                  .values_list("application_id", "criterion__code", "percent").order_by()):
        book.setdefault(app_id, {})[code] = (percent, False)
    if stage == Stage.SITE:
        for app_id, adjustments in site_adjustments(ids).items():
            items = book.setdefault(app_id, {})
            for code, percent in adjustments.items():
                items.setdefault(code, (percent, True))
    return book


def rubric_max_points(codes) -> dict[str, dict[str, Decimal]]:
    """The scored items of each rubric with their maximum points, in rubric order:
    {rubric code: {criterion code: max}}. One query."""
    codes = [c for c in codes if c]
    result: dict[str, dict[str, Decimal]] = {}
    if not codes:
        return result
    for rubric, code, max_points in (Criterion.objects.filter(rubric__code__in=codes, parent__isnull=False)
                                     .values_list("rubric__code", "code", "max_points").order_by("order", "code")):
        result.setdefault(rubric, {})[code] = Decimal(max_points)
    return result


def rubric_sizes(codes) -> dict[str, int]:
    """Number of scored items per rubric code. One query."""
    codes = [c for c in codes if c]
    if not codes:
        return {}
    return dict(Criterion.objects.filter(rubric__code__in=codes, parent__isnull=False)
                .values("rubric__code").annotate(n=Count("id")).values_list("rubric__code", "n").order_by())


@dataclass
class SheetTotal:
    assignment: int
    application: int
    reference: str | None
    judge: int
    judge_name: str
    total: Decimal
    co_judges_mean: Decimal | None  # mean of the other sheets' totals on the same application
    deviation: Decimal | None  # total − co_judges_mean


@dataclass
class Leniency:
    judge: int
    judge_name: str
    sheets: int
    compared: int  # sheets that had co-judges
    leniency: Decimal | None  # mean deviation from co-judges (positive = more lenient)
    mean_total: Decimal | None


def sheet_totals(*, cycle, category=None, stage: str = Stage.DOCUMENT) -> list[SheetTotal]:
    """Every submitted sheet's total with its deviation from the co-judges' mean (one query)."""
    rows = list(_stage_assignments(cycle, category, stage).filter(state=AssignmentState.SUBMITTED)
                .values_list("pk", "application_id", "application__reference", "judge_id",
                             "judge__first_name", "judge__last_name", "judge__username", "sheet_raw")
                .order_by("application__reference", "application_id", "judge__username"))
    per_app: dict[int, list[Decimal]] = {}
    for row in rows:
        per_app.setdefault(row[1], []).append(Decimal(row[7] or 0))
    result = []
    for pk, app_id, reference, judge_id, first, last, username, raw in rows:
        totals = per_app[app_id]
        total = Decimal(raw or 0) / HUNDRED
        co_mean = deviation = None
        if len(totals) > 1:
            co_mean = (sum(totals) - Decimal(raw or 0)) / (len(totals) - 1) / HUNDRED
            deviation = total - co_mean
        result.append(SheetTotal(assignment=pk, application=app_id, reference=reference, judge=judge_id,
                                 judge_name=(f"{first} {last}".strip() or username), total=q2(total),
                                 co_judges_mean=q2(co_mean), deviation=q2(deviation)))
    return result


def judge_leniency(*, cycle, category=None, stage: str = Stage.DOCUMENT) -> list[Leniency]:
    """Per judge: the mean deviation of their sheet totals from the mean of their co-judges'
    totals on the same applications (positive = more lenient than the panel). The figures of
    sheet_totals, rounded the same way, from (application, judge, total) triples: two queries
    (the sheets, then the judges' names)."""
    sheets = list(_stage_assignments(cycle, category, stage).filter(state=AssignmentState.SUBMITTED)
                  .values_list("application_id", "judge_id", "sheet_raw").order_by())
    panels: dict[int, list] = {}  # application → [sheets, Σ raw]
    for app_id, _judge, raw in sheets:
        panel = panels.setdefault(app_id, [0, Decimal(0)])
        panel[0] += 1
        panel[1] += raw or 0
    by_judge: dict[int, list] = {}  # judge → [totals, deviations]
    for app_id, judge_id, raw in sheets:
        raw = Decimal(raw or 0)
        count, s1 = panels[app_id]
        total = raw / HUNDRED
        mine = by_judge.setdefault(judge_id, [[], []])
        mine[0].append(q2(total))
        if count > 1:
            mine[1].append(q2(total - (s1 - raw) / (count - 1) / HUNDRED))
    names = {pk: (f"{first} {last}".strip() or username) for pk, first, last, username in
             get_user_model().objects.filter(pk__in=list(by_judge))
             .values_list("pk", "first_name", "last_name", "username")} if by_judge else {}
    result = [Leniency(judge=judge_id, judge_name=names.get(judge_id, ""), sheets=len(totals), compared=len(deviations),
                       leniency=q2(sum(deviations, Decimal(0)) / len(deviations)) if deviations else None,
                       mean_total=q2(sum(totals, Decimal(0)) / len(totals)))
              for judge_id, (totals, deviations) in by_judge.items()]
    result.sort(key=lambda r: (r.leniency is None, -(r.leniency or 0), r.judge_name))
    return result


def committee_stage(cycle) -> str:
    return Stage.SITE if cycle.programme.has_site_stage else Stage.DOCUMENT


def attach_recused(rows: list[RankingRow], *, now=None) -> list[RankingRow]:
    """Mark on each row the committee members who must be recused from its vote
    (an active conflict with the applicant). Four queries for the whole list."""
    members = list(get_user_model().objects.filter(groups__name=COMMITTEE, is_active=True).order_by("username"))
    if not rows or not members:
        return rows
    apps = {a.pk: a for a in Application.objects.filter(pk__in=[r.application for r in rows])
            .select_related("organization")}
    conflicts = conflict_map(members, {a.organization for a in apps.values()}, now=now)
    for row in rows:
        org_id = apps[row.application].organization_id
        row.recused = [{"id": m.pk, "name": person_name(m), "reasons": conflicts[(m.pk, org_id)]}
                       for m in members if (m.pk, org_id) in conflicts]
    return rows


def committee_ranking(*, cycle, category, stage: str | None = None, now=None) -> list[RankingRow]:
    """The evaluated ranking the committee decides on (evaluated and later states), with flags
    and the members recused from each vote. Stage: the last stage of the programme."""
    rows = ranking(cycle=cycle, category=category, stage=stage or committee_stage(cycle), states=EVALUATED_STATES)
    return attach_recused(rows, now=now)


def decision_quota_warning(*, cycle, category) -> list[str]:
    """Warnings when the approvals of a category exceed its quota (0 = unlimited)."""
    if not category.quota:
        return []
    approved = Application.objects.filter(cycle=cycle, category=category, state__in=list(APPROVED_STATES)).count()
    if approved <= category.quota:
        return []
    return [_("“%(category)s”名额为 %(quota)d 个，已审定通过 %(n)d 个，超出 %(over)d 个。")
            % {"category": category.name, "quota": category.quota, "n": approved, "over": approved - category.quota}]
