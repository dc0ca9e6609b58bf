"""The figures behind the charts, read in the database with a fixed number of queries:
the cycle funnel (one grouped count for any number of cycles), the disagreement heatmap of a
page of applications (the sheets' percent strings and the rubric: two queries), the score
distribution of a ranking (already computed: no query)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from judging.enums import AssignmentState, DecisionOutcome, Stage
from judging.models import Assignment, CommitteeDecision
from judging.selectors.ranking import rubric_max_points
from judging.selectors.scoresheets import code_percent
from nominations.enums import ApplicationState as S
from nominations.models import Application

AFTER_REVIEW = [S.EVALUATED, S.APPROVED, S.NOT_AWARDED, S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED]
APPROVED = [S.APPROVED, S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED]
PAST_ACCEPT = [S.ACCEPTED, S.DOCUMENT_REVIEW, S.SITE_REVIEW, S.ELIMINATED, *AFTER_REVIEW]

FUNNEL = [
    ("applied", _("申报")),
    ("accepted", _("受理")),
    ("reviewed", _("完成资料评审")),
    ("shortlisted", _("入围审定")),
    ("approved", _("审定通过")),
    ("published", _("发布")),
]


def _funnel_filters() -> dict[str, Q]:
    """How far each application got, from its state (and, for side exits, from the judging
    rows that show where it left): accepted — withdrawn with a judge assigned counts;
    shortlisted — reached the committee (site programmes: entered the site stage);
    approved — includes approvals overturned by an objection in the notice."""
    assigned = Exists(Assignment.objects.filter(application=OuterRef("pk")))
    site = Exists(Assignment.objects.filter(application=OuterRef("pk"), stage=Stage.SITE))
    approved_once = Exists(CommitteeDecision.objects.filter(application=OuterRef("pk"),
                                                            outcome=DecisionOutcome.APPROVE))
    has_site = Q(cycle__programme__has_site_stage=True)
    return {
        "applied": ~Q(state=S.DRAFT),
        "accepted": Q(state__in=PAST_ACCEPT) | (Q(state=S.WITHDRAWN) & Q(assigned)),
        "reviewed": Q(state__in=[S.SITE_REVIEW, S.ELIMINATED, *AFTER_REVIEW]),
        "shortlisted": (Q(state__in=AFTER_REVIEW) | (has_site & Q(state=S.SITE_REVIEW))
                        | (has_site & Q(state=S.ELIMINATED) & Q(site))),
        "approved": Q(state__in=APPROVED) | (Q(state=S.NOT_AWARDED) & Q(approved_once)),
        "published": Q(state__in=[S.PUBLISHED, S.REVOKED]),
    }


@dataclass
class FunnelStep:
    key: str
    label: str
    count: int
    percent: int  # of the applied


def cycle_funnels(cycle_ids, *, category=None) -> dict[int, list[FunnelStep]]:
    """{cycle id: [FunnelStep]} — 申报 → 受理 → 完成资料评审 → 入围审定 → 审定通过 → 发布. One query."""
    filters = _funnel_filters()
    qs = Application.objects.filter(cycle_id__in=list(cycle_ids))
    if category is not None:
        qs = qs.filter(category=category)
    rows = qs.values("cycle_id").order_by().annotate(**{k: Count("id", filter=q) for k, q in filters.items()})
    result = {}
    for row in rows:
        applied = row["applied"] or 0
        result[row["cycle_id"]] = [
            FunnelStep(key, str(label), row[key], round(100 * row[key] / applied) if applied else 0)
            for key, label in FUNNEL]
    return result


@dataclass
class HeatRow:
    application: int
    label: str
    spreads: list[int | None]  # per item: max − min of the judges' percents, None when < 2 sheets


@dataclass
class Heatmap:
    items: list[str]
    rows: list[HeatRow]


def disagreement_heatmap(rows: list[tuple[int, str]], *, stage: str, rubric_code: str) -> Heatmap:
    """Spread per item × application for `rows` ((application id, label), e.g. the top of the
    current page), from the submitted sheets' percent strings. Two queries."""
    items = list(rubric_max_points([rubric_code]).get(rubric_code, {}))
    sheets: dict[int, list[str]] = {}
    if rows and items:
        for app_id, percents in (Assignment.objects.filter(application_id__in=[r[0] for r in rows], stage=stage,
                                                           state=AssignmentState.SUBMITTED)
                                 .values_list("application_id", "sheet_percents").order_by()):
            if len(percents) == len(items):
                sheets.setdefault(app_id, []).append(percents)
    result = []
    for app_id, label in rows:
        panel = sheets.get(app_id, [])
        spreads: list[int | None] = []
        for i in range(len(items)):
            values = [code_percent(p[i]) for p in panel]
            values = [v for v in values if v is not None]
            spreads.append(max(values) - min(values) if len(values) > 1 else None)
        result.append(HeatRow(app_id, label, spreads))
    return Heatmap(items=items, rows=result)


@dataclass
class Bin:
    low: Decimal
    high: Decimal
    count: int


def score_distribution(scores, *, top: Decimal, width: Decimal | None = None) -> list[Bin]:
    """Histogram of final scores on [0, top] (no query: the ranking's figures). Bins of `width`
    (a 20th of `top`, rounded to 10 points, by default); the last bin includes `top`."""
    top = Decimal(top or 0)
    if top <= 0:
        return []
    width = width or max(Decimal(10), (top / 20 / 10).to_integral_value() * 10)
    n = int((top / width).to_integral_value(rounding="ROUND_CEILING"))
    bins = [Bin(width * i, min(top, width * (i + 1)), 0) for i in range(n)]
    for score in scores:
        if score is None:
            continue
        i = min(n - 1, max(0, int(Decimal(score) // width)))
        bins[i].count += 1
    return bins


@dataclass
class CategoryScores:
    category: int
    name: str
    top: Decimal  # the rubric's maximum total
    scores: list[Decimal]


def category_mean_scores(cycle_ids, *, stage: str = Stage.DOCUMENT) -> dict[int, list[CategoryScores]]:
    """Per cycle and category, each application's mean sheet total in `stage` (submitted sheets),
    for the 工作台's score distributions. Two queries (the grouped sheets, the rubrics' items),
    whatever the number of cycles, categories and applications."""
    rows = list(Assignment.objects.filter(application__cycle_id__in=list(cycle_ids), stage=stage,
                                          state=AssignmentState.SUBMITTED)
                .values("application_id", "application__cycle_id", "application__category_id",
                        "application__category__name", "application__category__rubric_code",
                        "application__category__order")
                .annotate(n=Count("id"), total=Sum("sheet_raw")).order_by())
    tops = {rubric: sum(items.values(), Decimal(0)) for rubric, items in
            rubric_max_points({r["application__category__rubric_code"] for r in rows}).items()}
    result: dict[int, dict[int, CategoryScores]] = {}
    for r in sorted(rows, key=lambda r: (r["application__category__order"], r["application__category_id"])):
        per_cycle = result.setdefault(r["application__cycle_id"], {})
        entry = per_cycle.get(r["application__category_id"])
        if entry is None:
            entry = per_cycle[r["application__category_id"]] = CategoryScores(
                r["application__category_id"], r["application__category__name"],
                tops.get(r["application__category__rubric_code"], Decimal(1000)), [])
        entry.scores.append(Decimal(r["total"]) / r["n"] / 100)
    return {cycle_id: list(cats.values()) for cycle_id, cats in result.items()}
