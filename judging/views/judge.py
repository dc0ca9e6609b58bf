"""The judge's pages: task dashboard, accept / decline, the scoresheet, the consensus book and
the site-visit report. Every page fetches through a judging selector that returns 404 alike
for "missing" and "not yours" (and for a declined or conflicted judge)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from judging import rules, selectors, services
from judging.data.bands import FACTORS, band_for, bands_for_kind
from judging.enums import MATERIAL_ACCESS, REVIEW_STATE, SCORING, AssignmentState, CriterionKind, Stage
from judging.errors import NotFound, NotPermitted, WorkflowError
from judging.forms import (
    CONSENSUS_CHOICES,
    PERCENT_CHOICES,
    ConflictDeclareForm,
    ConsensusForm,
    DeclineForm,
    ScoresheetForm,
    SiteReportForm,
)
from judging.models import Conflict, SiteVisitReport
from judging.selectors.assignments import panels_complete
from judging.selectors.ranking import rubric_sizes
from judging.selectors.todos import judge_filters
from judging.services.scoresheets import parse_percent
from judging.services.site_visits import site_report_permission
from judging.views.figures import book_charts
from judging.views.common import application_or_404, is_overdue, item_anchor, judge_required, not_found, panel_required
from nominations.enums import ApplicationState
from nominations.models import Organization
from nominations.selectors.applications import application_documents
from nominations.text import quoted
from nominations.views.common import answer_rows, client_ip, error_html, report_error, safe_next

A = AssignmentState
GROUPS = [
    ("todo", gettext_lazy("待确认的任务"), [A.ASSIGNED]),
    ("scoring", gettext_lazy("待评分"), [A.ACCEPTED, A.REOPENED]),  # the stage is being scored
    ("waiting", gettext_lazy("待开始评审"), [A.ACCEPTED, A.REOPENED]),  # accepted; the stage not open yet
    ("done", gettext_lazy("已提交"), [A.SUBMITTED]),
    ("declined", gettext_lazy("已回避"), [A.DECLINED]),
]
# ?show= on the task list: the 工作台's to-dos (judging.selectors.todos.judge_filters), same filters.
SHOW = {"todo": gettext_lazy("待接受"), "scoring": gettext_lazy("待评分"), "waiting": gettext_lazy("待开始评审"),
        "consensus": gettext_lazy("待合议（组长）")}


# -- dashboard ------------------------------------------------------------------------------
@judge_required
def home(request):
    """The judge's own assignments grouped by state, with due dates and scoring progress;
    below, the judge's own conflicts of interest with the form to declare one."""
    return render(request, "judging/judge/home.html", _home_context(request))


def _declarable_organizations():
    """Organizations with an application past its draft (the list of the declaration form)."""
    return (Organization.objects.filter(applications__isnull=False).exclude(applications__state=ApplicationState.DRAFT)
            .distinct().order_by("name"))


def _home_context(request, *, declare_form=None) -> dict:
    now = timezone.now()
    show = request.GET.get("show")
    mine = selectors.assignments_for_judge(request.user)
    if show in SHOW:
        mine = mine.filter(judge_filters()[show])
    else:
        show = None
    assignments = selectors.with_conflicts(mine, now=now)
    sizes = rubric_sizes({a.application.category.rubric_code for a in assignments})
    complete = panels_complete({(a.application_id, a.stage) for a in assignments if a.state == A.SUBMITTED})
    for a in assignments:
        a.items_total = sizes.get(a.application.category.rubric_code, 0)
        a.overdue = is_overdue(a, now)
        a.scoring_open = a.application.state == REVIEW_STATE[a.stage]
        a.consensus_open = (a.application_id, a.stage) in complete
        a.percent_done = int(100 * a.scored_items / a.items_total) if a.items_total else 0
    groups = []
    for key, label, states in GROUPS:
        rows = [a for a in assignments if a.state in states
                and (key not in ("scoring", "waiting") or a.scoring_open == (key == "scoring"))]
        groups.append({"key": key, "label": label, "rows": rows})
    counts = {g["key"]: len(g["rows"]) for g in groups}
    return {
        "groups": groups, "counts": counts, "overdue": sum(1 for a in assignments if a.overdue),
        "decline_form": DeclineForm(), "has_any": bool(assignments) or show is not None,
        "show": show, "show_label": SHOW.get(show, ""),
        "my_conflicts": list(selectors.conflicts_list(judge=request.user)),
        "declare_form": declare_form or ConflictDeclareForm(organizations=_declarable_organizations(),
                                                            prefix="declare"),
    }


@require_POST
@judge_required
def my_conflict_declare(request):
    """The judge declares a conflict with an organization in their profile (conflict_declare)."""
    form = ConflictDeclareForm(request.POST, organizations=_declarable_organizations(), prefix="declare")
    if form.is_valid():
        org = form.cleaned_data["organization"]
        try:
            services.conflict_declare(judge=request.user, organization=org, actor=request.user,
                                      reason=form.cleaned_data["reason"], ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("已声明与“%(org)s”存在利益冲突；您不会再被分配该单位的申报。")
                             % {"org": org.name})
            return redirect(reverse("judging:home") + "#my-conflicts")
    else:
        messages.error(request, _("请按提示填写回避声明。"))
    return render(request, "judging/judge/home.html", _home_context(request, declare_form=form), status=400)


@require_POST
@judge_required
def my_conflict_withdraw(request, pk: int):
    """The judge withdraws a conflict they declared; the service refuses pinned, detected and
    secretariat records (the refusal is shown as a message)."""
    conflict = get_object_or_404(Conflict.objects.select_related("organization"), pk=pk)
    try:
        services.conflict_withdraw(conflict=conflict, actor=request.user, ip=client_ip(request))
    except NotFound as exc:
        raise not_found(exc) from None
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("已撤销与“%(org)s”的回避声明。") % {"org": conflict.organization.name})
    return redirect(reverse("judging:home") + "#my-conflicts")


@require_POST
@judge_required
def assignment_accept(request, pk: int):
    try:
        assignment = selectors.assignment_for_judge(request.user, pk)
    except NotFound as exc:
        raise not_found(exc) from None
    try:
        services.assignment_accept(assignment=assignment, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
        return redirect(safe_next(request, "judging:home"))
    messages.success(request, _("已接受评审任务%(title)s，现在可以查看申报材料。") % {
        "title": quoted(assignment.application.title)})
    return redirect("judging:assignment_sheet", pk=assignment.pk)


@require_http_methods(["GET", "POST"])
@judge_required
def assignment_decline(request, pk: int):
    """Decline with a reason (a declared conflict): the judge loses access to the application."""
    try:
        assignment = selectors.assignment_for_judge(request.user, pk)
    except NotFound as exc:
        raise not_found(exc) from None
    if assignment.state == A.DECLINED:
        raise Http404(_("您已回避该评审任务。"))
    form = DeclineForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assignment_decline(assignment=assignment, actor=request.user,
                                            reason=form.cleaned_data["reason"], ip=client_ip(request))
            except WorkflowError as exc:
                messages.error(request, error_html(exc))
            else:
                messages.success(request, _("已回避%(title)s。秘书处将另行安排专家；您已不能再查看该申报的材料和评分。")
                                 % {"title": quoted(assignment.application.title)})
                return redirect("judging:home")
        else:
            messages.error(request, _("请填写回避理由。"))
        status = 400
    return render(request, "judging/judge/decline.html", {"assignment": assignment, "form": form}, status=status)


# -- the scoresheet ---------------------------------------------------------------------------
@dataclass
class SheetRow:
    """One rubric item on the scoring page: the saved (or just posted) values and the bands."""
    item: object
    anchor: str
    percent: str  # "" or "65" (as posted when the save failed)
    strengths: str
    opportunities: str
    bands: list[dict]
    error: str = ""

    @property
    def band(self):
        value, _problem = parse_percent(self.percent)
        return band_for(value)

    @property
    def band_text(self) -> str:
        band = self.band
        return band.text(self.item.kind) if band else ""


@dataclass
class SheetGroup:
    code: str
    title: str
    kind: str
    max_points: Decimal
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def points(self) -> Decimal | None:
        values = [r.item.points for r in self.rows if r.item.points is not None]
        return sum(values, Decimal(0)) if values else None


def _sheet_groups(sheet, posted=None, errors=None) -> list[SheetGroup]:
    groups: dict[str, SheetGroup] = {}
    for item in sheet.items:
        group = groups.get(item.parent)
        if group is None:
            group = groups[item.parent] = SheetGroup(code=item.parent, title=item.parent_title, kind=item.kind,
                                                     max_points=Decimal(0))
        group.max_points += item.max_points
        code = item.criterion
        if posted is not None:
            values = (posted.get(f"p-{code}", ""), posted.get(f"s-{code}", ""), posted.get(f"o-{code}", ""))
        else:
            values = ("" if item.percent is None else str(item.percent), item.strengths, item.opportunities)
        percent = values[0]
        bands = [{**b, "choices": [{"value": str(p), "checked": str(p) == percent} for p in b["percents"]]}
                 for b in sheet.bands[item.kind]]
        group.rows.append(SheetRow(item=item, anchor=item_anchor(code), percent=percent, strengths=values[1],
                                   opportunities=values[2], bands=bands, error=(errors or {}).get(code, "")))
    return list(groups.values())


def _item_problems(form: ScoresheetForm) -> dict[str, str]:
    """Which posted items the service refused (its own rule, for showing the error at the item)."""
    problems = {}
    for item in form.items():
        _value, problem = parse_percent(item["percent"])
        if problem:
            problems[item["criterion"]] = problem
    return problems


def _missing_html(exc: WorkflowError, sheet):
    titles = {i.criterion: i.title for i in sheet.items}
    missing = [m for m in exc.missing if m in titles]
    if not missing:
        return error_html(exc)
    links = format_html_join("", '<li><a href="#{}">{} {}</a></li>',
                             ((item_anchor(code), code, titles[code]) for code in missing))
    return format_html('<p class="msg-title">{}</p><ul class="msg-list msg-list--columns">{}</ul>',
                       _("还有 %(n)d 个条款未评分，评分表未提交：") % {"n": len(missing)}, links)


@require_http_methods(["GET", "POST"])
@judge_required
def assignment_sheet(request, pk: int):
    """The scoring page. GET shows the sheet; POST "save" saves every item through
    scoresheet_save (the same service the autosave API calls); POST "submit" saves, then
    submits. Bad input: the error at the item, nothing saved, what was typed kept on screen."""
    try:
        assignment = selectors.assignment_for_judge(request.user, pk, scoring=True)
    except NotFound as exc:
        raise not_found(exc) from None
    app = assignment.application
    if assignment.state == A.ASSIGNED:
        if request.method == "POST":
            messages.error(request, _("请先接受评审任务，再开始评分。"))
        return render(request, "judging/judge/accept.html", {
            "assignment": assignment, "decline_form": DeclineForm(),
            "conflicts": selectors.conflict_reasons(judge=request.user, organization=app.organization),
        }, status=409 if request.method == "POST" else 200)
    sheet = selectors.scoresheet_get(assignment)
    codes = [i.criterion for i in sheet.items]
    posted, errors, status = None, None, 200
    if request.method == "POST":
        if assignment.state not in SCORING:
            messages.error(request, _("评分表已提交，不能再修改；如需修改，请联系秘书处退回。"))
            return redirect("judging:assignment_sheet", pk=assignment.pk)
        form = ScoresheetForm(request.POST, codes=codes)
        form.is_valid()  # every field is optional text: the service validates the values
        action = request.POST.get("action", "save")
        try:
            sheet = services.scoresheet_save(assignment=assignment, items=form.items(), actor=request.user)
        except WorkflowError as exc:
            messages.error(request, error_html(exc))
            posted, errors, status = request.POST, _item_problems(form), 400
        else:
            if action != "submit":
                messages.success(request, _("评分表已保存（%(n)d/%(total)d 项已评分，当前总分 %(score)s）。") % {
                    "n": sheet.scored_count, "total": len(sheet.items), "score": sheet.total})
                return redirect("judging:assignment_sheet", pk=assignment.pk)
            try:
                services.scoresheet_submit(assignment=assignment, actor=request.user, ip=client_ip(request))
            except WorkflowError as exc:
                messages.error(request, _missing_html(exc, sheet))
            else:
                messages.success(request, _("评分表已提交，总分 %(score)s。提交后评分表已锁定。") % {"score": sheet.total})
            return redirect("judging:assignment_sheet", pk=assignment.pk)
    documents = []
    may_open = assignment.state in MATERIAL_ACCESS and selectors.judge_may_access_application(request.user, app.pk)
    if may_open:
        documents = list(application_documents(app))
    scoring_open = selectors.scoring_open(assignment)
    editable = sheet.editable and scoring_open
    consensus_open = assignment.state == A.SUBMITTED and (app.pk, assignment.stage) in panels_complete(
        {(app.pk, assignment.stage)})
    return render(request, "judging/judge/sheet.html", {
        "assignment": assignment, "app": app, "sheet": sheet, "groups": _sheet_groups(sheet, posted, errors),
        "editable": editable, "documents": documents, "may_open": may_open,
        "answers": answer_rows(app) if may_open else [],
        "guide": [{"label": label, "factors": FACTORS[kind], "bands": bands_for_kind(kind)}
                  for kind, label in CriterionKind.choices],
        "overdue": is_overdue(assignment), "consensus_open": consensus_open,
        # accepted but the stage has not started: "待开始", as on the judge's list (not 评审中)
        "not_started": assignment.state == A.ACCEPTED and not scoring_open,
        "api_url": reverse("api-assignment-scoresheet", args=[assignment.pk]),
        "js_messages": {"on": _("自动保存已开启"), "pending": _("有未保存的修改…"), "saving": _("正在保存…"),
                        "saved": _("已自动保存"), "zone": _("（北京时间）"), "offline": _("保存失败，请检查网络"), "refused": _("保存失败："),
                        "locked": _("评分表已不能修改，请刷新页面。"),
                        "unscored": _("尚未评分：选择整体最符合的档位，再在档内确定得分率。")},
    }, status=status)


# -- the consensus book ------------------------------------------------------------------------
def _stage(stage: str) -> str:
    if stage not in Stage.values:
        raise Http404(_("评审阶段不存在。"))
    return stage


@dataclass
class ConsensusRow:
    item: object
    anchor: str
    sheets: list[dict]  # per judge: name, percent, points, strengths, opportunities
    percent: str
    comment: str
    reason: str
    error: str = ""

    @property
    def spread_flag(self) -> bool:
        from judging.enums import SPREAD_THRESHOLD

        return self.item.spread is not None and self.item.spread >= SPREAD_THRESHOLD


@require_http_methods(["GET", "POST"])
@panel_required
def consensus(request, pk: int, stage: str):
    """After every independent sheet of the stage is in: all judges' percents side by side,
    spread flags, and the agreed percent + comment (+ reason for a change) with its history.
    The panel leader (and the secretariat) record; the other panel members read."""
    stage = _stage(stage)
    app = application_or_404(pk)
    try:
        book = selectors.consensus_book(application=app, stage=stage, user=request.user)
    except NotFound as exc:
        raise not_found(exc) from None
    is_leader = book.leader_id == request.user.pk
    can_edit = (is_leader or rules.is_secretariat(request.user)) and app.state == REVIEW_STATE[stage] and book.ready
    codes = [i.criterion for i in book.items]
    posted, errors, status = None, {}, 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有评审组组长或秘书处可以记录合议分。"))
        form = ConsensusForm(request.POST, codes=codes)
        form.is_valid()
        try:
            services.consensus_save(application=app, stage=stage, items=form.items(), actor=request.user,
                                    ip=client_ip(request))
        except WorkflowError as exc:
            messages.error(request, error_html(exc))
            posted, status = request.POST, 400
            for message in (exc.field_errors or {}).get("items", []):
                for code in codes:
                    if f"（{code}）" in message or message.startswith(f"{code}："):
                        errors.setdefault(code, message)
        else:
            messages.success(request, _("合议分已保存。"))
            return redirect("judging:consensus", pk=app.pk, stage=stage)
    rows = []
    for item in book.items:
        code = item.criterion
        present = [p for p in item.percents if p is not None]
        hi, lo = (max(present), min(present)) if present else (None, None)
        sheets = [{"name": s.judge_name, "leader": s.is_leader, **s.items[code],
                   "hi": present and s.items[code]["percent"] == hi, "lo": present and s.items[code]["percent"] == lo}
                  for s in book.sheets]
        if posted is not None:
            values = (posted.get(f"c-{code}", ""), posted.get(f"m-{code}", ""), posted.get(f"r-{code}", ""))
        else:
            values = ("" if item.percent is None else str(item.percent), item.comment, "")
        rows.append(ConsensusRow(item=item, anchor=item_anchor(code), sheets=sheets, percent=values[0],
                                 comment=values[1], reason=values[2], error=errors.get(code, "")))
    recorded = sum(1 for i in book.items if i.percent is not None)
    return render(request, "judging/judge/consensus.html", {
        "app": app, "stage": stage, "stage_label": Stage(stage).label, "book": book, "rows": rows,
        "can_edit": can_edit, "is_leader": is_leader, "percent_choices": CONSENSUS_CHOICES,
        "recorded": recorded, "spread_count": sum(1 for r in rows if r.spread_flag),
        "charts": book_charts(book, named=True) if book.ready else [],
    }, status=status)


# -- the site-visit report ------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@panel_required
def site_report(request, pk: int):
    """The site panel leader's (or the secretariat's) report: summary, recommendation, findings
    and adjusted percents per item. finish_review from site review needs it."""
    app = application_or_404(pk)
    try:
        site_report_permission(application=app, actor=request.user)
    except NotFound as exc:
        raise not_found(exc) from None
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    report = SiteVisitReport.objects.select_related("leader").filter(application=app).first()
    criteria = selectors.criteria_for_application(app)
    codes = [c.code for c in criteria]
    editable = app.state == "site_review"
    status = 200
    if request.method == "POST":
        form = SiteReportForm(request.POST, codes=codes)
        if editable and form.is_valid():
            try:
                services.site_report_save(application=app, actor=request.user, ip=client_ip(request),
                                          summary=form.cleaned_data["summary"],
                                          recommendation=form.cleaned_data["recommendation"],
                                          visited_on=form.cleaned_data["visited_on"], findings=form.findings())
            except WorkflowError as exc:
                messages.error(request, error_html(exc))
                for name, errs in (exc.field_errors or {}).items():
                    for e in errs:
                        form.add_error(name if name in form.fields else None, e)
            else:
                messages.success(request, _("现场评审报告已保存。"))
                return redirect(safe_next(request, reverse("judging:site_report", args=[app.pk])))
        elif not editable:
            messages.error(request, _("该申报当前不在现场评审阶段，报告不能修改。"))
        else:
            messages.error(request, _("请按提示修改后再保存。"))
        status = 400
    else:
        initial = {}
        if report:
            initial = {"summary": report.summary, "recommendation": report.recommendation,
                       "visited_on": report.visited_on}
            for f in report.findings or []:
                initial[f"f-{f['criterion']}"] = f.get("finding", "")
                if f.get("adjusted_percent") is not None:
                    initial[f"a-{f['criterion']}"] = str(f["adjusted_percent"])
        form = SiteReportForm(initial=initial, codes=codes)
    rows = []
    for c in criteria:
        rows.append({"criterion": c, "anchor": item_anchor(c.code), "finding": form[f"f-{c.code}"],
                     "adjusted": form[f"a-{c.code}"].value() or ""})
    return render(request, "judging/judge/site_report.html", {
        "app": app, "report": report, "form": form, "rows": rows, "editable": editable,
        "percent_choices": PERCENT_CHOICES,
        "back": _site_report_back(request, app),
    }, status=status)


def _site_report_back(request, app) -> str:
    if rules.is_secretariat(request.user):
        default = reverse("judging:ranking", args=[app.cycle_id]) + f"?category={app.category_id}&stage=site"
    else:
        default = reverse("judging:home")
    return safe_next(request, default)
