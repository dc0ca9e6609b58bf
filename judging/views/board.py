"""The secretariat's assignment board (auto-assign, manual assignment, reopen, leader, due
dates), the review transitions of the judging stages and the progress page.
Every write calls one judging service or the application transition service."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from judging import selectors, services
from judging.enums import (
    ASSIGNABLE_STATES,
    LIVE_ASSIGNMENT,
    OUTSTANDING,
    REVIEW_STATE,
    AssignmentState,
    Stage,
)
from judging.errors import NotFound, WorkflowError
from judging.forms import (
    AutoAssignForm,
    DueForm,
    ManualAssignForm,
    NoteForm,
    ReasonForm,
    judges_queryset,
)
from judging.models import Assignment
from judging.selectors.assignments import page_ids, page_rows
from judging.selectors.todos import applications_disagreement, applications_overdue, applications_understaffed
from judging.views.common import (
    application_or_404,
    get_cycle,
    is_overdue,
    not_found,
    secretariat_required,
    stage_param,
    stages_of,
)
from nominations.enums import ApplicationState as S
from nominations.enums import Transition as T
from nominations.models import Application
from nominations.services.transitions import application_transition
from nominations.views.common import client_ip, error_html, local, paginate, report_error, safe_next

from judging.views.common import REVIEW_TRANSITIONS


# -- assignment board -----------------------------------------------------------------------------
BOARD_PAGE_SIZE = 20  # applications per page: their panels, conflicts and judge choices are read per page
PROGRESS_PAGE_SIZE = 25


def _board_applications(cycle, stage, *, understaffed: bool = False):
    """The board's applications; `understaffed`: only those the 工作台 counts as 待分配专家."""
    staffed = Exists(Assignment.objects.filter(application=OuterRef("pk"), stage=stage))
    qs = (Application.objects.filter(cycle=cycle)
          .filter(Q(state__in=list(ASSIGNABLE_STATES[stage]) + [REVIEW_STATE[stage]]) | staffed))
    if understaffed:
        qs = qs.filter(pk__in=applications_understaffed(stage, cycle=cycle).values("pk"))
    return (qs.select_related("organization", "category", "nominee").defer("answers")
            .order_by("category__order", "reference", "pk"))


@require_GET
@secretariat_required
def assignment_board(request, pk: int):
    """Applications × assigned judges (with states) for one cycle and stage; manual and
    automatic assignment; start review; reopen a submitted sheet."""
    cycle = get_cycle(pk)
    stage = stage_param(request, cycle)
    return render(request, "judging/secretariat/board.html", _board_context(request, cycle, stage))


def _board_context(request, cycle, stage, *, manual_form=None, auto_form=None) -> dict:
    now = timezone.now()
    understaffed = request.GET.get("show") == "understaffed"
    applications = _board_applications(cycle, stage, understaffed=understaffed)
    page, query = paginate(request, page_ids(applications), per_page=BOARD_PAGE_SIZE)
    apps = page_rows(applications, page.object_list)
    orgs = {a.pk: a.organization for a in apps}
    assignments = selectors.panels_of(apps, stage=stage)
    pool = list(judges_queryset())
    conflicts = selectors.conflict_map({j.pk for j in pool} | {a.judge_id for a in assignments}, orgs.values(),
                                       now=now)
    by_app = defaultdict(list)
    for a in assignments:
        a.name = a.judge.get_full_name() or a.judge.username  # shown three times per entry
        a.overdue = is_overdue(a, now)
        a.conflict_reasons = conflicts.get((a.judge_id, orgs[a.application_id].pk), [])
        by_app[a.application_id].append(a)
    needed = cycle.judges_site if stage == Stage.SITE else cycle.judges_document
    # Each judge's <option>, escaped once (plain, and marked for a conflicted applicant); a
    # row's list is then a join of ready strings, not page size × pool format_html calls.
    recuse = _("（利益冲突，须回避）")
    names = [(j.pk, format_html('<option value="{}">{}</option>', j.pk, j.get_full_name() or j.username),
              format_html('<option value="{}">{}</option>', j.pk, (j.get_full_name() or j.username) + recuse))
             for j in pool]
    rows = []
    for app in apps:
        panel = by_app.get(app.pk, [])
        live = [a for a in panel if a.state in LIVE_ASSIGNMENT]
        taken = {a.judge_id for a in panel}
        # The <option>s of the judges not on the panel, built here: a template loop over
        # page size × pool options was a third of the page's time.
        options = mark_safe("".join(  # noqa: S308 (joins options escaped above)
            marked if (pk, app.organization_id) in conflicts else plain
            for pk, plain, marked in names if pk not in taken))
        rows.append({"app": app, "panel": panel, "live": len(live), "missing": max(0, needed - len(live)),
                     "submitted": sum(1 for a in panel if a.state == AssignmentState.SUBMITTED),
                     "assignable": app.state in ASSIGNABLE_STATES[stage], "options": options,
                     "can_start": stage == Stage.DOCUMENT and app.state == S.ACCEPTED})
    loads = selectors.judges_with_load(cycle=cycle, known=pool)
    return {
        "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label, "stages": stages_of(cycle),
        "rows": rows, "needed": needed, "page_obj": page, "query": query, "understaffed": understaffed,
        "manual_form": manual_form or ManualAssignForm(applications=[r["app"] for r in rows if r["assignable"]],
                                                       prefix="manual"),
        "auto_form": auto_form or AutoAssignForm(initial={"judges_per_application": needed}, prefix="auto"),
        "loads": [j for j in loads if j.load], "pool_size": len(pool),
        "runs": list(cycle.auto_assign_runs.filter(stage=stage).select_related("actor")[:3]),
        "reopen_form": ReasonForm(prefix="reopen"), "note_form": NoteForm(prefix="t"),
        "assignable_count": Application.objects.filter(cycle=cycle, state__in=list(ASSIGNABLE_STATES[stage])).count(),
    }


def _board_url(cycle, stage, anchor: str = "") -> str:
    return reverse("judging:assignment_board", args=[cycle.pk]) + f"?stage={stage}" + (f"#{anchor}" if anchor else "")


@require_POST
@secretariat_required
def assignment_create(request, pk: int):
    cycle = get_cycle(pk)
    stage = stage_param(request, cycle)
    apps = _board_applications(cycle, stage)
    form = ManualAssignForm(request.POST, applications=[a for a in apps if a.state in ASSIGNABLE_STATES[stage]],
                            prefix="manual")
    if form.is_valid():
        d = form.cleaned_data
        app = next(a for a in apps if a.pk == d["application"])
        try:
            services.assignment_create(application=app, judge=d["judge"], stage=stage, actor=request.user,
                                       due_at=d.get("due_at"), is_leader=d.get("is_leader", False),
                                       ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form, {"due_at": "due_at", "judge": "judge"})
        else:
            messages.success(request, _("已将 %(judge)s 分配到“%(app)s”（%(stage)s）。") % {
                "judge": d["judge"].get_full_name() or d["judge"].get_username(), "app": app.display_name,
                "stage": Stage(stage).label})
            return redirect(_board_url(cycle, stage, f"app-{app.pk}"))
    else:
        messages.error(request, _("请选择申报和评审专家。"))
    return render(request, "judging/secretariat/board.html",
                  _board_context(request, cycle, stage, manual_form=form), status=400)


@require_POST
@secretariat_required
def auto_assign(request, pk: int):
    cycle = get_cycle(pk)
    stage = stage_param(request, cycle)
    form = AutoAssignForm(request.POST, prefix="auto")
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = services.assignments_auto_assign(
                cycle=cycle, stage=stage, judges_per_application=d["judges_per_application"], actor=request.user,
                seed=d.get("seed"), due_at=d.get("due_at"), ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
        else:
            messages.success(request, _("自动分配完成：新建 %(n)d 个评审任务（复现码 %(seed)d，已记入审计记录；数据不变时用同一复现码可重现本次分配）。") % {
                "n": len(result.created), "seed": result.seed})
            if result.unfilled:
                refs = dict(Application.objects.filter(pk__in=[u["application"] for u in result.unfilled])
                            .values_list("pk", "reference"))
                messages.warning(request, format_html(
                    '<p class="msg-title">{}</p><ul class="msg-list">{}</ul>',
                    _("以下申报的专家人数仍不足（可用且无利益冲突的专家不够）："),
                    format_html_join("", "<li>{}</li>", ((
                        _("%(ref)s：还缺 %(k)d 位") % {"ref": refs.get(u["application"]) or u["application"],
                                                     "k": u["missing"]},) for u in result.unfilled))))
            return redirect(_board_url(cycle, stage))
    else:
        messages.error(request, _("请按提示修改自动分配参数。"))
    return render(request, "judging/secretariat/board.html",
                  _board_context(request, cycle, stage, auto_form=form), status=400)


@require_POST
@secretariat_required
def assignment_reopen(request, pk: int):
    try:
        assignment = selectors.assignment_for_secretariat(request.user, pk)
    except NotFound as exc:
        raise not_found(exc) from None
    form = ReasonForm(request.POST, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("请填写退回理由。"))
    else:
        try:
            services.assignment_reopen(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"],
                                       ip=client_ip(request))
        except WorkflowError as exc:
            messages.error(request, error_html(exc))
        else:
            messages.success(request, _("已将 %(judge)s 的评分表退回修改，并通知专家。") % {
                "judge": assignment.judge.get_full_name() or assignment.judge.get_username()})
    return redirect(safe_next(request, _board_url(assignment.application.cycle, assignment.stage,
                                                  f"app-{assignment.application_id}")))


@require_POST
@secretariat_required
def assignment_leader(request, pk: int):
    try:
        assignment = selectors.assignment_for_secretariat(request.user, pk)
    except NotFound as exc:
        raise not_found(exc) from None
    try:
        services.assignment_set_leader(assignment=assignment, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("已指定 %(judge)s 为评审组组长。") % {
            "judge": assignment.judge.get_full_name() or assignment.judge.get_username()})
    return redirect(_board_url(assignment.application.cycle, assignment.stage, f"app-{assignment.application_id}"))


@require_POST
@secretariat_required
def assignment_due(request, pk: int):
    """Change one judge's due date from the board (assignment_set_due; empty clears it)."""
    try:
        assignment = selectors.assignment_for_secretariat(request.user, pk)
    except NotFound as exc:
        raise not_found(exc) from None
    form = DueForm(request.POST)
    judge = assignment.judge.get_full_name() or assignment.judge.get_username()
    if not form.is_valid():
        messages.error(request, _("完成期限格式不正确，请按“年-月-日 时:分”填写。"))
    else:
        due_at = form.cleaned_data.get("due_at")
        try:
            services.assignment_set_due(assignment=assignment, due_at=due_at, actor=request.user,
                                        ip=client_ip(request))
        except WorkflowError as exc:
            messages.error(request, error_html(exc))
        else:
            if due_at:
                messages.success(request, _("已将 %(judge)s 的完成期限调整为 %(due)s。") % {
                    "judge": judge, "due": local(due_at)})
            else:
                messages.success(request, _("已取消 %(judge)s 的完成期限。") % {"judge": judge})
    return redirect(_board_url(assignment.application.cycle, assignment.stage, f"app-{assignment.application_id}"))


# -- review transitions (start_review, shortlist, eliminate, finish_review) ---------------------
@require_POST
@secretariat_required
def application_review_transition(request, pk: int, name: str):
    if name not in REVIEW_TRANSITIONS:
        raise Http404(_("未知的操作。"))
    app = application_or_404(pk)
    form = NoteForm(request.POST, prefix="t")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        app = application_transition(application=app, name=name, actor=request.user, note=note, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("“%(app)s”已%(label)s，当前状态：%(state)s。") % {
            "app": app.display_name, "label": T(name).label, "state": app.get_state_display()})
    return redirect(safe_next(request, reverse("judging:ranking", args=[app.cycle_id])))


# -- progress -------------------------------------------------------------------------------------
@require_GET
@secretariat_required
def progress(request, pk: int):
    """Sheets submitted / expected per application and stage, with overdue tasks."""
    cycle = get_cycle(pk)
    now = timezone.now()
    show = request.GET.get("show")
    applications = selectors.progress_applications(cycle=cycle)
    disagreement: dict[int, list[str]] = {}
    if show == "overdue":  # the 工作台's 评审逾期, same queryset
        applications = applications.filter(pk__in=applications_overdue(now=now, cycle=cycle).values("pk"))
    elif show == "disagreement":  # the 工作台's 分歧待合议
        disagreement = applications_disagreement(cycle_ids=[cycle.pk]).get(cycle.pk, {})
        applications = applications.filter(pk__in=list(disagreement))
    else:
        show = None
    page, query = paginate(request, page_ids(applications), per_page=PROGRESS_PAGE_SIZE)
    rows = selectors.judging_progress(cycle=cycle, now=now, applications=page_rows(applications, page.object_list))
    stages = stages_of(cycle)
    empty = {"live": 0, "submitted": 0, "overdue": 0, "declined": 0, "assigned": 0}
    whole = selectors.judging_progress_totals(cycle=cycle, now=now)  # the totals cover every page
    totals = {s: whole.get(s, dict(empty)) for s, _l in stages}
    for row in rows:
        row["cells"] = []
        for s, label in stages:
            counts = row["stages"].get(s)
            parts = []
            if counts:
                for key, text in ((AssignmentState.ASSIGNED, _("待确认 %(n)d")),
                                  ("scoring", _("评审中 %(n)d")), (AssignmentState.DECLINED, _("回避 %(n)d"))):
                    n = (counts[AssignmentState.ACCEPTED] + counts[AssignmentState.REOPENED]
                         if key == "scoring" else counts[key])
                    if n:
                        parts.append(text % {"n": n})
            row["cells"].append({"label": label, "c": counts, "parts": parts})
        row["disagreement"] = disagreement.get(row["application"].pk, [])
        row["consensus_stage"] = Stage.SITE if row["application"].state == S.SITE_REVIEW else Stage.DOCUMENT
    # The 50 most overdue tasks: their ids first (one narrow query), then those rows in full —
    # not every late task of the cycle joined to its application, judge and profile to keep 50.
    late = list(Assignment.objects.filter(application__cycle=cycle, state__in=list(OUTSTANDING),
                                          due_at__lt=timezone.now())
                .order_by("due_at", "pk").values_list("pk", flat=True)[:50])
    overdue = (list(selectors.assignments_list().filter(pk__in=late).order_by("due_at", "pk"))  # ids of this cycle
               if late else [])
    stage_totals = [{"stage": s, "label": label, **totals[s],
                     "percent": int(100 * totals[s]["submitted"] / totals[s]["live"]) if totals[s]["live"] else 0}
                    for s, label in stages]
    return render(request, "judging/secretariat/progress.html", {
        "cycle": cycle, "rows": rows, "stages": stages, "totals": stage_totals, "overdue_list": overdue,
        "now": now, "page_obj": page, "query": query, "show": show,
        "show_label": {"overdue": _("评审逾期"), "disagreement": _("分歧待合议")}.get(show, ""),
    })
