"""Reading for feedback reports (评审反馈报告): the report's content and who may download it.

The content of a report (`feedback_data`) is read in three queries whatever the number of
judges: the rubric, the item scores of every submitted sheet, the consensus scores. It
never reads who scored (no judge, no author): what is not fetched cannot be printed.

Per item the percentage is the consensus (合议分) where one was recorded, else the mean of
the submitted independent sheets. A category's percentage is weighted by the item points
(Σ percent × points / Σ points); its band is the GB/Z 19579 band of that percentage
rounded to the nearest 5 % step (half up), so that values between two bands (e.g. 27.5 %)
fall into the nearer one. The texts come from the consensus comment where it is not empty,
else from the sheets' strengths and opportunities, merged and de-duplicated, without
attribution.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from judging import rules
from judging.data.bands import Band, band_for
from judging.enums import PERCENT_STEP, AssignmentState, Stage
from judging.models import Assignment, ConsensusScore, ItemScore
from judging.models.feedback import FeedbackReport, FeedbackStatus
from judging.selectors.scoresheets import scored_criteria
from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.models import Application, Cycle

# Applications that reached document review (withdrawn ones are not reported on).
FEEDBACK_STATES = frozenset({S.DOCUMENT_REVIEW, S.SITE_REVIEW, S.EVALUATED, S.ELIMINATED, S.APPROVED,
                             S.NOT_AWARDED, S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED})
# Cycle states in which released reports may be downloaded by applicants.
RESULTS_PUBLIC = frozenset({CycleState.PUBLISHED, CycleState.ARCHIVED})
STAGE_ORDER = (Stage.SITE, Stage.DOCUMENT)  # the latest stage with scores is reported
HUNDRED = Decimal(100)


# -- bands ------------------------------------------------------------------------------
def band_of(percent: Decimal | int | None) -> Band | None:
    """The band of a (possibly fractional) percentage: rounded to the nearest 5 % step first."""
    if percent is None:
        return None
    steps = (Decimal(percent) / PERCENT_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return band_for(int(steps) * PERCENT_STEP)


def band_label(band: Band | None) -> str:
    return f"{band.low}–{band.high}%" if band else ""


# -- texts ------------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[-*•·●○◆■□▪‣–—]+|\(?[0-9]{1,2}(?:[)、]|[.．](?![0-9]))|（[0-9一二三四五六七八九十]{1,2}）|"
                     r"[一二三四五六七八九十]{1,2}、)\s*")
_KW_STRENGTHS = "优势|主要优势|长处|亮点"
_KW_OFI = "改进机会|主要改进机会|待改进|改进建议|不足|改进空间"
_HEADING = re.compile(
    rf"^\s*(?:【(?P<a>{_KW_STRENGTHS}|{_KW_OFI})】|\[(?P<b>{_KW_STRENGTHS}|{_KW_OFI})\]|"
    rf"(?P<c>{_KW_STRENGTHS}|{_KW_OFI})\s*[:：])\s*(?P<rest>.*)$")


def text_points(text: str) -> list[str]:
    """A free text as a list of points: one per non-empty line, leading bullets removed."""
    points = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        if line:
            points.append(line)
    return points


def merge_points(texts) -> list[str]:
    """Points of several texts, in order, each distinct point once (no attribution)."""
    seen: dict[str, str] = {}
    for text in texts:
        for point in text_points(text):
            key = re.sub(r"[\s。；;.，,]+$", "", point)
            if key and key not in seen:
                seen[key] = point
    return list(seen.values())


def split_comment(text: str) -> tuple[list[str], list[str], list[str]]:
    """A consensus comment as (general points, strengths, opportunities).

    Lines introduced by a heading such as "优势：", "【改进机会】" or "不足：" go to that
    list until the next heading; anything before the first heading is general comment."""
    general: list[str] = []
    strengths: list[str] = []
    ofi: list[str] = []
    current = general
    for line in (text or "").splitlines():
        match = _HEADING.match(line)
        if match:
            word = match.group("a") or match.group("b") or match.group("c")
            current = strengths if re.fullmatch(_KW_STRENGTHS, word) else ofi
            line = match.group("rest")
        current.extend(text_points(line))
    return general, strengths, ofi


# -- content ----------------------------------------------------------------------------
@dataclass
class FeedbackItem:
    code: str
    title: str
    kind: str
    max_points: Decimal
    percent: Decimal | None = None
    source: str = ""  # "consensus" | "sheets" | "" (no score)
    text_source: str = ""  # "consensus" | "sheets" | ""
    comment: list[str] = field(default_factory=list)  # general consensus points
    strengths: list[str] = field(default_factory=list)
    opportunities: list[str] = field(default_factory=list)

    @property
    def band(self) -> Band | None:
        return band_of(self.percent)

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    @property
    def has_text(self) -> bool:
        return bool(self.comment or self.strengths or self.opportunities)


@dataclass
class FeedbackCategory:
    code: str
    title: str
    kind: str
    max_points: Decimal  # Σ of the scored items' points
    items: list[FeedbackItem]

    @property
    def percent(self) -> Decimal | None:
        """Point-weighted percentage of the scored items (None when no item is scored)."""
        scored = [i for i in self.items if i.percent is not None]
        points = sum((i.max_points for i in scored), Decimal(0))
        if not points:
            return None
        return sum((i.percent * i.max_points for i in scored), Decimal(0)) / points

    @property
    def band(self) -> Band | None:
        return band_of(self.percent)

    @property
    def band_label(self) -> str:
        return band_label(self.band)


@dataclass
class FeedbackData:
    application: Application
    stage: str
    categories: list[FeedbackCategory]
    summary: str = ""
    generated_on: dt.date | None = None

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def items(self) -> list[FeedbackItem]:
        return [i for c in self.categories for i in c.items]

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.categories), Decimal(0))

    @property
    def percent(self) -> Decimal | None:
        scored = [i for i in self.items if i.percent is not None]
        points = sum((i.max_points for i in scored), Decimal(0))
        if not points:
            return None
        return sum((i.percent * i.max_points for i in scored), Decimal(0)) / points

    @property
    def band(self) -> Band | None:
        return band_of(self.percent)

    @property
    def band_label(self) -> str:
        return band_label(self.band)

    def band_summary(self) -> list[dict]:
        """Per category {"code", "title", "band"} (stored on the report for lists and the API)."""
        return [{"code": c.code, "title": c.title, "band": c.band_label} for c in self.categories]


def feedback_data(application: Application, *, summary: str = "", today: dt.date | None = None
                  ) -> FeedbackData | None:
    """The content of the application's report, or None when no sheet was submitted and no
    consensus recorded. Three queries (rubric, submitted item scores, consensus scores),
    whatever the number of judges. `application` comes with category (select_related)."""
    criteria = scored_criteria(application.category.rubric_code)
    sheet_rows = list(
        ItemScore.objects.filter(assignment__application=application, assignment__state=AssignmentState.SUBMITTED)
        .order_by("assignment_id", "criterion_id")
        .values_list("assignment__stage", "assignment_id", "criterion_id", "percent", "strengths", "opportunities"))
    consensus_rows = list(ConsensusScore.objects.filter(application=application)
                          .values_list("stage", "criterion_id", "percent", "comment"))
    stages_with_data = {row[0] for row in sheet_rows} | {row[0] for row in consensus_rows}
    stage = next((s for s in STAGE_ORDER if s in stages_with_data), None)
    if stage is None:
        return None
    sheets: dict[int, list[tuple]] = {}
    for row_stage, _assignment, criterion_id, percent, strengths, ofi in sheet_rows:
        if row_stage == stage:
            sheets.setdefault(criterion_id, []).append((percent, strengths, ofi))
    agreed = {criterion_id: (percent, comment) for row_stage, criterion_id, percent, comment in consensus_rows
              if row_stage == stage}
    categories: dict[int, FeedbackCategory] = {}
    for c in criteria:
        parent = c.parent
        category = categories.get(parent.pk)
        if category is None:
            category = categories[parent.pk] = FeedbackCategory(code=parent.code, title=parent.title,
                                                                kind=parent.kind, max_points=Decimal(0), items=[])
        category.max_points += c.max_points
        item = FeedbackItem(code=c.code, title=c.title, kind=c.kind, max_points=c.max_points)
        rows = sheets.get(c.pk, [])
        consensus = agreed.get(c.pk)
        percents = [p for p, _s, _o in rows if p is not None]
        if consensus is not None:
            item.percent, item.source = Decimal(consensus[0]), "consensus"
        elif percents:
            item.percent, item.source = Decimal(sum(percents)) / len(percents), "sheets"
        if consensus is not None and consensus[1].strip():
            item.comment, item.strengths, item.opportunities = split_comment(consensus[1])
            item.text_source = "consensus"
        else:
            item.strengths = merge_points(s for _p, s, _o in rows)
            item.opportunities = merge_points(o for _p, _s, o in rows)
            item.text_source = "sheets" if item.has_text else ""
        category.items.append(item)
    return FeedbackData(application=application, stage=stage, categories=list(categories.values()),
                        summary=summary, generated_on=today or timezone.localdate())


# -- lists and access -------------------------------------------------------------------
def _with_relations(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("cycle__programme", "category", "organization", "nominee", "feedback_report")


def has_scores():
    """Exists(): the application has a submitted sheet (feedback can be generated)."""
    return Exists(Assignment.objects.filter(application=OuterRef("pk"), state=AssignmentState.SUBMITTED))


def feedback_applications(cycle: Cycle) -> QuerySet[Application]:
    """The cycle's applications that reached document review, with their report (one query)."""
    return (_with_relations(Application.objects.filter(cycle=cycle, state__in=list(FEEDBACK_STATES)))
            .annotate(has_scores=has_scores()).order_by("reference", "pk"))


def feedback_pending_ids(cycle: Cycle) -> list[int]:
    """Applications whose report can be (re)generated: scored, no released report."""
    return list(Application.objects.filter(cycle=cycle, state__in=list(FEEDBACK_STATES))
                .filter(has_scores())
                .exclude(feedback_report__status=FeedbackStatus.RELEASED)
                .order_by("reference", "pk").values_list("pk", flat=True))


def feedback_cycles() -> list[Cycle]:
    """Cycles with applications that reached document review, with report counts."""
    states = list(FEEDBACK_STATES)
    return list(Cycle.objects.filter(applications__state__in=states).distinct()
                .select_related("programme")
                .annotate(fb_applications=Count("applications", filter=Q(applications__state__in=states),
                                                distinct=True),
                          fb_drafts=Count("applications__feedback_report", distinct=True,
                                          filter=Q(applications__feedback_report__status=FeedbackStatus.DRAFT)),
                          fb_released=Count("applications__feedback_report", distinct=True,
                                            filter=Q(applications__feedback_report__status=FeedbackStatus.RELEASED)))
                .order_by("-year", "programme__order", "pk"))


def feedback_report_get(pk) -> FeedbackReport | None:
    """A report by id with its application (secretariat pages)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (FeedbackReport.objects.select_related("application__cycle__programme", "application__category",
                                                  "application__organization", "application__nominee",
                                                  "generated_by", "released_by")
            .filter(pk=pk).first())


def applicant_may_download(report: FeedbackReport) -> bool:
    """Released, and the cycle's results published (or archived)."""
    return report.is_released and bool(report.pdf) and report.application.cycle.status in RESULTS_PUBLIC


def feedback_report_for_user(user, application_pk) -> FeedbackReport | None:
    """The report this user may download, or None alike for missing, not yet available and
    not yours: the secretariat any generated report; the application's applicants a
    released report once the cycle's results are published. Judges as such: never."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        application_pk = int(application_pk)
    except (TypeError, ValueError):
        return None
    report = (FeedbackReport.objects.select_related("application__cycle__programme", "application__organization")
              .filter(application_id=application_pk).first())
    if report is None or not report.pdf:
        return None
    if rules.is_secretariat(user):
        return report
    from nominations.rules import is_application_applicant

    if is_application_applicant(user, report.application) and applicant_may_download(report):
        return report
    return None


def feedback_for_applicant(user) -> list[Application]:
    """The applicant's applications that reached document review, newest cycle first, each
    with `feedback_available` (may download now)."""
    from nominations.rules import organization_ids

    orgs = organization_ids(user)
    if not orgs:
        return []
    apps = list(_with_relations(Application.objects.filter(organization_id__in=orgs,
                                                           state__in=list(FEEDBACK_STATES)))
                .order_by("-cycle__year", "reference", "pk"))
    for app in apps:
        report = getattr(app, "feedback_report", None)
        app.feedback_available = report is not None and applicant_may_download(report)
    return apps
