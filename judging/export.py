"""Excel export of a cycle: the ranking per category and stage, one sheet per stage with
every item score and comment (independent sheets and consensus), judge leniency, site
reports. For the secretariat (judge names included). A fixed number of queries per
category and stage."""
from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from judging.enums import AssignmentState, Stage
from judging.models import ConsensusScore, ItemScore, SiteVisitReport, person_name
from judging.selectors.ranking import judge_leniency, ranking
from judging.selectors.scoresheets import item_points, q2
from nominations.enums import ApplicationState

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")
WRAP = Alignment(wrap_text=True, vertical="top")
SECTION_FONT = Font(bold=True, size=12)

RANKING_COLUMNS = [
    gettext_lazy("排名"), gettext_lazy("申报编号"), gettext_lazy("申报对象"), gettext_lazy("项目名称"),
    gettext_lazy("状态"), gettext_lazy("已提交评分表"), gettext_lazy("平均分"), gettext_lazy("去掉最高最低分平均分"),
    gettext_lazy("标准差"), gettext_lazy("合议分"), gettext_lazy("最终得分"), gettext_lazy("标记")]
SCORE_COLUMNS = [
    gettext_lazy("申报编号"), gettext_lazy("申报对象"), gettext_lazy("申报类别"), gettext_lazy("评审专家"),
    gettext_lazy("评分表状态"), gettext_lazy("条款"), gettext_lazy("条款名称"), gettext_lazy("分值"),
    gettext_lazy("得分率（%）"), gettext_lazy("得分"), gettext_lazy("优势"), gettext_lazy("改进机会")]
LENIENCY_COLUMNS = [
    gettext_lazy("申报类别"), gettext_lazy("评审阶段"), gettext_lazy("评审专家"), gettext_lazy("评分表数"),
    gettext_lazy("可比较数"), gettext_lazy("平均总分"), gettext_lazy("宽严度（与同组均值之差）")]
SITE_REPORT_COLUMNS = [
    gettext_lazy("申报编号"), gettext_lazy("申报对象"), gettext_lazy("组长"), gettext_lazy("现场评审日期"),
    gettext_lazy("综述"), gettext_lazy("建议"), gettext_lazy("条款发现")]


def _header(ws, columns: list[str], row: int) -> None:
    for col, title in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=str(title))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL


def _widths(ws, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def _stages(cycle) -> list[str]:
    return [Stage.DOCUMENT, Stage.SITE] if cycle.programme.has_site_stage else [Stage.DOCUMENT]


def _ranking_sheet(wb, cycle, categories) -> None:
    ws = wb.active
    ws.title = _("排名")
    ws.cell(row=1, column=1, value=_("%(cycle)s 评审排名（计分方法：%(method)s）") % {
        "cycle": cycle, "method": cycle.get_aggregation_display()}).font = SECTION_FONT
    ws.cell(row=2, column=1, value=_("导出时间：%(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    row = 4
    for category in categories:
        for stage in _stages(cycle):
            ws.cell(row=row, column=1, value=f"{category.name} · {Stage(stage).label}").font = SECTION_FONT
            row += 1
            _header(ws, RANKING_COLUMNS, row)
            row += 1
            for r in ranking(cycle=cycle, category=category, stage=stage):
                values = [r.rank, r.reference, r.name, r.title, str(ApplicationState(r.state).label), r.judges, r.mean, r.trimmed_mean, r.stdev,
                          r.consensus, r.final_score, pgettext("list separator", "、").join(r.flags)]
                for col, value in enumerate(values, start=1):
                    cell = ws.cell(row=row, column=col, value=value)
                    if isinstance(value, Decimal):
                        cell.number_format = "0.00"
                row += 1
            row += 1
    _widths(ws, {1: 8, 2: 16, 3: 30, 4: 36, 5: 14, 6: 12, 7: 10, 8: 12, 9: 10, 10: 10, 11: 10, 12: 40})


def _scores_sheet(wb, cycle, stage: str, *, judge_names: bool) -> None:
    ws = wb.create_sheet(str(Stage(stage).label))
    _header(ws, SCORE_COLUMNS, 1)
    row = 2
    scores = (ItemScore.objects.filter(assignment__application__cycle=cycle, assignment__stage=stage,
                                       assignment__state=AssignmentState.SUBMITTED)
              .select_related("assignment__application__organization", "assignment__application__nominee",
                              "assignment__application__category", "assignment__judge", "criterion")
              .order_by("assignment__application__category__order", "assignment__application__reference",
                        "assignment__judge__username", "criterion__order"))
    aliases: dict[int, str] = {}
    for s in scores:
        a = s.assignment
        app = a.application
        judge = (person_name(a.judge) if judge_names
                 else aliases.setdefault(a.judge_id, _("专家%(n)d") % {"n": len(aliases) + 1}))
        points = q2(item_points(s.criterion.max_points, s.percent))
        values = [app.reference, app.display_name, app.category.name, judge, a.get_state_display(), s.criterion.code,
                  s.criterion.title, s.criterion.max_points, s.percent, points, s.strengths, s.opportunities]
        _row(ws, row, values)
        row += 1
    consensus = (ConsensusScore.objects.filter(application__cycle=cycle, stage=stage)
                 .select_related("application__organization", "application__nominee", "application__category",
                                 "criterion", "author")
                 .order_by("application__category__order", "application__reference", "criterion__order"))
    for c in consensus:
        app = c.application
        values = [app.reference, app.display_name, app.category.name,
                  _("合议（记录人：%(author)s）") % {"author": person_name(c.author)}, _("合议"), c.criterion.code,
                  c.criterion.title, c.criterion.max_points, c.percent,
                  q2(item_points(c.criterion.max_points, c.percent)), c.comment, ""]
        _row(ws, row, values)
        row += 1
    ws.freeze_panes = "A2"
    _widths(ws, {1: 16, 2: 30, 3: 22, 4: 16, 5: 10, 6: 8, 7: 24, 8: 8, 9: 10, 10: 8, 11: 50, 12: 50})


def _row(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, Decimal):
            cell.number_format = "0.00"
        if col >= 11:
            cell.alignment = WRAP


def _leniency_sheet(wb, cycle, categories) -> None:
    ws = wb.create_sheet(_("专家宽严度"))
    _header(ws, LENIENCY_COLUMNS, 1)
    row = 2
    for category in categories:
        for stage in _stages(cycle):
            for r in judge_leniency(cycle=cycle, category=category, stage=stage):
                _row(ws, row, [category.name, str(Stage(stage).label), r.judge_name, r.sheets, r.compared, r.mean_total,
                               r.leniency])
                row += 1
    _widths(ws, {1: 22, 2: 10, 3: 16, 4: 10, 5: 10, 6: 10, 7: 24})


def _site_reports_sheet(wb, cycle) -> None:
    ws = wb.create_sheet(_("现场评审报告"))
    _header(ws, SITE_REPORT_COLUMNS, 1)
    row = 2
    for report in (SiteVisitReport.objects.filter(application__cycle=cycle)
                   .select_related("application__organization", "application__nominee", "leader")
                   .order_by("application__reference")):
        findings = "\n".join(_("%(criterion)s：%(finding)s") % {"criterion": f["criterion"], "finding": f["finding"]}
                             + (_("（调整为 %(percent)s%%）") % {"percent": f["adjusted_percent"]}
                                if f.get("adjusted_percent") is not None else "")
                             for f in report.findings)
        values = [report.application.reference, report.application.display_name, person_name(report.leader),
                  report.visited_on, report.summary, report.recommendation, findings]
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value).alignment = WRAP
        row += 1
    _widths(ws, {1: 16, 2: 30, 3: 12, 4: 12, 5: 60, 6: 40, 7: 60})


def export_steps(cycle, *, judge_names: bool = True) -> int:
    """How many steps `cycle_export_xlsx` reports to its `progress` callback."""
    return 2 + len(_stages(cycle)) + int(judge_names) + int(cycle.programme.has_site_stage)


def cycle_export_xlsx(*, cycle, judge_names: bool = True, progress=None) -> bytes:
    """The workbook as bytes. `progress()`, when given, is called after each step (one per
    sheet, and the saving): `export_steps` calls in all."""
    step = progress or (lambda: None)
    categories = list(cycle.categories.order_by("order", "code"))
    wb = Workbook()
    _ranking_sheet(wb, cycle, categories)
    step()
    for stage in _stages(cycle):
        _scores_sheet(wb, cycle, stage, judge_names=judge_names)
        step()
    if judge_names:
        _leniency_sheet(wb, cycle, categories)
        step()
    if cycle.programme.has_site_stage:
        _site_reports_sheet(wb, cycle)
        step()
    out = io.BytesIO()
    wb.save(out)
    step()
    return out.getvalue()
