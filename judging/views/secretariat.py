"""The secretariat's judging pages: judge pool, conflicts board, assignment board with
auto-assign, progress, ranking with leniency, review transitions, committee decisions, export.
Every write calls one judging service (or the application transition service)."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from judging import selectors, services
from judging.enums import (
    ASSIGNABLE_STATES,
    LIVE_ASSIGNMENT,
    OUTSTANDING,
    REVIEW_STATE,
    AssignmentState,
    ConflictStatus,
    Stage,
)
from judging.errors import NotFound, WorkflowError
from judging.export import cycle_export_xlsx
from judging.forms import (
    AutoAssignForm,
    ConflictAddForm,
    ConflictFilterForm,
    DecisionForm,
    DueForm,
    JudgeCreateForm,
    JudgeImportForm,
    JudgeProfileForm,
    ManualAssignForm,
    NoteForm,
    ReasonForm,
    RelationForm,
    judges_queryset,
)
from judging.models import CommitteeDecision, Conflict, JudgeProfile, JudgeRelation, SiteVisitReport
from judging.selectors.ranking import APPROVED_STATES, attach_recused
from judging.views.common import (
    get_application,
    get_cycle,
    is_overdue,
    not_found,
    readable_flags,
    secretariat_required,
    stage_param,
    stages_of,
)
from nominations.enums import ApplicationState as S
from nominations.enums import CycleState
from nominations.enums import Transition as T
from nominations.models import Application, Cycle, Organization
from nominations.services.transitions import application_transition
from nominations.views.common import client_ip, error_html, local, paginate, report_error, safe_next

# Application transitions the secretariat runs from the judging pages.
REVIEW_TRANSITIONS = (T.START_REVIEW, T.SHORTLIST, T.ELIMINATE, T.FINISH_REVIEW)


def judging_cycles():
    """Cycles past their draft, newest first (the hub and the filters)."""
    return (Cycle.objects.exclude(status=CycleState.DRAFT).select_related("programme")
            .order_by("-year", "programme__order", "pk"))


# -- hub ------------------------------------------------------------------------------------------
@secretariat_required
def desk(request):
    """The secretariat's entry to judging: pool, conflicts and, per cycle, its judging pages."""
    cycles = list(judging_cycles())
    counts = defaultdict(lambda: defaultdict(int))
    for row in (Application.objects.filter(cycle__in=cycles).values("cycle_id", "state").order_by()
                .annotate(n=Count("id"))):
        counts[row["cycle_id"]][row["state"]] = row["n"]
    rows = []
    for cycle in cycles:
        c = counts[cycle.pk]
        rows.append({"cycle": cycle, "accepted": c.get(S.ACCEPTED, 0),
                     "in_review": c.get(S.DOCUMENT_REVIEW, 0) + c.get(S.SITE_REVIEW, 0),
                     "evaluated": c.get(S.EVALUATED, 0),
                     "decided": sum(c.get(s, 0) for s in APPROVED_STATES) + c.get(S.NOT_AWARDED, 0)})
    active_conflicts = Conflict.objects.filter(status=ConflictStatus.ACTIVE).count()
    return render(request, "judging/secretariat/desk.html", {
        "rows": rows, "judges": selectors.judges_list().count(), "active_conflicts": active_conflicts,
    })


# -- judge pool -----------------------------------------------------------------------------------
def _profile(user):
    try:
        return user.judge_profile
    except JudgeProfile.DoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
@secretariat_required
def judge_list(request):
    """The pool with expertise, affiliation and current load; the CSV / Excel import."""
    import_form = JudgeImportForm(request.POST or None, request.FILES or None)
    import_errors, status = [], 200
    if request.method == "POST":
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                result = services.judges_import(file=upload, filename=upload.name, actor=request.user,
                                                ip=client_ip(request))
            except WorkflowError as exc:
                import_errors = [e for errs in (exc.field_errors or {}).values() for e in errs]
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("导入完成：新增 %(c)d 位专家，更新 %(u)d 位。") % {
                    "c": len(result.created), "u": len(result.updated)})
                return redirect("judging:judge_list")
        else:
            messages.error(request, _("请选择要导入的 CSV 或 Excel 文件。"))
            status = 400
    q = (request.GET.get("q") or "").strip()
    judges = selectors.judges_list()
    if q:
        judges = judges.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                               | Q(judge_profile__affiliation__icontains=q)
                               | Q(judge_profile__expertise__icontains=q))
    if request.GET.get("active") == "0":
        judges = judges.filter(judge_profile__active=False)
    page, query = paginate(request, judges, per_page=50)
    rows = [{"user": u, "profile": _profile(u)} for u in page.object_list]
    return render(request, "judging/secretariat/judge_list.html", {
        "rows": rows, "page_obj": page, "query": query, "q": q, "import_form": import_form,
        "import_errors": import_errors,
    }, status=status)


@require_http_methods(["GET", "POST"])
@secretariat_required
def judge_create(request):
    form = JudgeCreateForm(request.POST or None, initial={"active": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.judge_create(actor=request.user, ip=client_ip(request), **form.service_fields())
            except WorkflowError as exc:
                report_error(request, exc, form)
            else:
                messages.success(request, _("已将 %(name)s 加入专家库。") % {"name": form.cleaned_data["name"]})
                return redirect("judging:judge_detail", pk=user.pk)
        else:
            messages.error(request, _("请按提示修改后再保存。"))
        status = 400
    return render(request, "judging/secretariat/judge_create.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@secretariat_required
def judge_detail(request, pk: int):
    """Edit the profile; the related organizations (the basis of conflict detection);
    the judge's conflicts and assignments."""
    try:
        judge = selectors.judge_for_secretariat(pk)
    except NotFound as exc:
        raise not_found(exc) from None
    profile = _profile(judge)
    initial = {"active": True}
    if profile is not None:
        initial = {"title": profile.title, "affiliation": profile.affiliation,
                   "affiliation_uscc": profile.affiliation_uscc, "expertise": "、".join(profile.expertise or []),
                   "phone": profile.phone, "active": profile.active, "note": profile.note}
    form = JudgeProfileForm(request.POST or None, initial=initial, prefix="profile")
    relation_form = RelationForm(prefix="relation")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.judge_profile_save(user=judge, actor=request.user, ip=client_ip(request),
                                            **form.service_fields())
            except WorkflowError as exc:
                report_error(request, exc, form)
            else:
                messages.success(request, _("已保存 %(name)s 的专家信息。") % {"name": judge.get_full_name() or judge})
                return redirect("judging:judge_detail", pk=judge.pk)
        else:
            messages.error(request, _("请按提示修改后再保存。"))
        status = 400
    return render(request, "judging/secretariat/judge_detail.html",
                  _judge_context(judge, profile, form, relation_form), status=status)


def _judge_context(judge, profile, form, relation_form) -> dict:
    relations = list(JudgeRelation.objects.filter(judge=profile).order_by("kind", "organization_name")) \
        if profile else []
    return {
        "judge": judge, "profile": profile, "form": form, "relation_form": relation_form, "relations": relations,
        "conflicts": list(selectors.conflicts_list(judge=judge)),
        "assignments": list(selectors.assignments_list(judge=judge)),
    }


@require_POST
@secretariat_required
def judge_relation_add(request, pk: int):
    try:
        judge = selectors.judge_for_secretariat(pk)
    except NotFound as exc:
        raise not_found(exc) from None
    relation_form = RelationForm(request.POST, prefix="relation")
    if relation_form.is_valid():
        try:
            services.judge_relation_add(judge=judge, actor=request.user, ip=client_ip(request),
                                        **relation_form.cleaned_data)
        except WorkflowError as exc:
            report_error(request, exc, relation_form)
        else:
            messages.success(request, _("已登记关联单位“%(name)s”，系统已重新检测利益冲突。") % {
                "name": relation_form.cleaned_data["organization_name"]})
            return redirect(reverse("judging:judge_detail", args=[judge.pk]) + "#relations")
    else:
        messages.error(request, _("请按提示修改关联单位信息。"))
    profile = _profile(judge)
    form = JudgeProfileForm(prefix="profile", initial={"active": True} if profile is None else {
        "title": profile.title, "affiliation": profile.affiliation, "affiliation_uscc": profile.affiliation_uscc,
        "expertise": "、".join(profile.expertise or []), "phone": profile.phone, "active": profile.active,
        "note": profile.note})
    return render(request, "judging/secretariat/judge_detail.html",
                  _judge_context(judge, profile, form, relation_form), status=400)


@require_POST
@secretariat_required
def judge_relation_remove(request, pk: int, relation_id: int):
    relation = get_object_or_404(JudgeRelation.objects.select_related("judge"), pk=relation_id, judge__user_id=pk)
    try:
        services.judge_relation_remove(relation=relation, actor=request.user, ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, error_html(exc))
    else:
        messages.success(request, _("已删除关联单位“%(name)s”。已记录的回避不受影响。") % {
            "name": relation.organization_name})
    return redirect(reverse("judging:judge_detail", args=[pk]) + "#relations")


# -- conflicts board ------------------------------------------------------------------------------
def _conflict_orgs(cycle):
    qs = Organization.objects.filter(applications__isnull=False).exclude(applications__state=S.DRAFT)
    if cycle is not None:
        qs = Organization.objects.filter(applications__cycle=cycle)
    return qs.distinct().order_by("name")


@require_http_methods(["GET", "POST"])
@secretariat_required
def conflict_board(request):
    """Recorded conflicts (judge × organization): active, pinned, dismissed, with the detected
    reasons; add a pinned conflict; dismiss a false positive with a reason; scan a cycle."""
    cycles = list(judging_cycles())
    filters = ConflictFilterForm(request.GET or None, cycles=cycles)
    data = filters.cleaned_data if filters.is_valid() else {}
    cycle = next((c for c in cycles if c.pk == data.get("cycle")), None)
    status_filter = data.get("status") or ""
    qs = selectors.conflicts_list(cycle=cycle, status=ConflictStatus.ACTIVE if status_filter == "pinned"
                                  else (status_filter or None))
    if status_filter == "pinned":
        qs = qs.filter(pinned=True)
    if data.get("q"):
        q = data["q"]
        qs = qs.filter(Q(judge__first_name__icontains=q) | Q(judge__last_name__icontains=q)
                       | Q(judge__username__icontains=q) | Q(organization__name__icontains=q))
    add_form = ConflictAddForm(request.POST or None, organizations=_conflict_orgs(cycle), prefix="add")
    status = 200
    if request.method == "POST":
        if add_form.is_valid():
            d = add_form.cleaned_data
            try:
                services.conflict_add(judge=d["judge"], organization=d["organization"], actor=request.user,
                                      reason=d["reason"], pinned=d["pinned"], ip=client_ip(request))
            except WorkflowError as exc:
                report_error(request, exc, add_form)
            else:
                messages.success(request, _("已认定 %(judge)s 与“%(org)s”须回避。") % {
                    "judge": d["judge"].get_full_name() or d["judge"].get_username(), "org": d["organization"].name})
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("请按提示填写认定信息。"))
        status = 400
    page, query = paginate(request, qs, per_page=50)
    counts = _conflict_counts()
    return render(request, "judging/secretariat/conflicts.html", {
        "filters": filters, "page_obj": page, "query": query, "add_form": add_form, "cycles": cycles,
        "cycle": cycle, "counts": counts, "dismiss_form": ReasonForm(prefix="dismiss"),
    }, status=status)


def _conflict_counts() -> dict:
    rows = Conflict.objects.values("status").annotate(n=Count("id"), pins=Count("id", filter=Q(pinned=True)))
    counts = {"active": 0, "dismissed": 0, "pinned": 0}
    for row in rows.order_by():
        counts[row["status"]] = row["n"]
        if row["status"] == ConflictStatus.ACTIVE:
            counts["pinned"] = row["pins"]
    return counts


@require_POST
@secretariat_required
def conflict_dismiss(request, pk: int):
    conflict = get_object_or_404(Conflict.objects.select_related("judge", "organization"), pk=pk)
    form = ReasonForm(request.POST, prefix="dismiss")
    if not form.is_valid():
        messages.error(request, _("请填写排除理由。"))
    else:
        try:
            services.conflict_dismiss(conflict=conflict, actor=request.user, reason=form.cleaned_data["reason"],
                                      ip=client_ip(request))
        except WorkflowError as exc:
            messages.error(request, error_html(exc))
        else:
            messages.success(request, _("已排除 %(judge)s 与“%(org)s”的回避记录；系统检测不会再将其恢复。") % {
                "judge": conflict.judge.get_full_name() or conflict.judge.get_username(),
                "org": conflict.organization.name})
    return redirect(safe_next(request, "judging:conflict_board"))


@require_POST
@secretariat_required
def conflict_scan(request):
    cycle = get_object_or_404(Cycle, pk=request.POST.get("cycle") or 0)
    created = services.conflicts_scan_cycle(cycle=cycle, actor=request.user)
    if created:
        messages.success(request, _("检测完成：新发现 %(n)d 条利益冲突，已列入回避。") % {"n": len(created)})
    else:
        messages.info(request, _("检测完成：没有新发现的利益冲突。"))
    return redirect(reverse("judging:conflict_board") + f"?cycle={cycle.pk}")


# -- assignment board -----------------------------------------------------------------------------
def _board_applications(cycle, stage):
    return list(Application.objects.filter(cycle=cycle)
                .filter(Q(state__in=list(ASSIGNABLE_STATES[stage]) + [REVIEW_STATE[stage]])
                        | Q(assignments__stage=stage))
                .select_related("organization", "category", "nominee").distinct()
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
    apps = _board_applications(cycle, stage)
    assignments = selectors.with_conflicts(selectors.assignments_list(cycle=cycle, stage=stage), now=now)
    by_app = defaultdict(list)
    for a in assignments:
        a.overdue = is_overdue(a, now)
        by_app[a.application_id].append(a)
    needed = cycle.judges_site if stage == Stage.SITE else cycle.judges_document
    pool = list(judges_queryset())
    conflicts = selectors.conflict_map([j.pk for j in pool], [a.organization for a in apps], now=now)
    rows = []
    for app in apps:
        panel = by_app.get(app.pk, [])
        live = [a for a in panel if a.state in LIVE_ASSIGNMENT]
        taken = {a.judge_id for a in panel}
        options = [{"judge": j, "conflict": (j.pk, app.organization_id) in conflicts}
                   for j in pool if j.pk not in taken]
        rows.append({"app": app, "panel": panel, "live": len(live), "missing": max(0, needed - len(live)),
                     "submitted": sum(1 for a in panel if a.state == AssignmentState.SUBMITTED),
                     "assignable": app.state in ASSIGNABLE_STATES[stage], "options": options,
                     "can_start": stage == Stage.DOCUMENT and app.state == S.ACCEPTED})
    loads = selectors.judges_list(cycle=cycle)
    return {
        "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label, "stages": stages_of(cycle),
        "rows": rows, "needed": needed,
        "manual_form": manual_form or ManualAssignForm(applications=[r["app"] for r in rows if r["assignable"]],
                                                       prefix="manual"),
        "auto_form": auto_form or AutoAssignForm(initial={"judges_per_application": needed}, prefix="auto"),
        "loads": [j for j in loads if j.load], "pool_size": len(pool),
        "runs": list(cycle.auto_assign_runs.filter(stage=stage).select_related("actor")[:3]),
        "reopen_form": ReasonForm(prefix="reopen"), "note_form": NoteForm(prefix="t"),
        "assignable_count": sum(1 for r in rows if r["assignable"]),
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
            messages.success(request, _("自动分配完成：新建 %(n)d 个评审任务（随机种子 %(seed)d，已记入审计记录）。") % {
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
    app = get_application(pk)
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
    rows = selectors.judging_progress(cycle=cycle)
    stages = stages_of(cycle)
    totals = {s: {"live": 0, "submitted": 0, "overdue": 0, "declined": 0, "assigned": 0} for s, _l in stages}
    for row in rows:
        row["cells"] = []
        for s, label in stages:
            counts = row["stages"].get(s)
            parts = []
            if counts:
                for key in totals[s]:
                    totals[s][key] += counts.get(key, 0)
                for key, text in ((AssignmentState.ASSIGNED, _("待确认 %(n)d")),
                                  ("scoring", _("评审中 %(n)d")), (AssignmentState.DECLINED, _("回避 %(n)d"))):
                    n = (counts[AssignmentState.ACCEPTED] + counts[AssignmentState.REOPENED]
                         if key == "scoring" else counts[key])
                    if n:
                        parts.append(text % {"n": n})
            row["cells"].append({"label": label, "c": counts, "parts": parts})
    overdue = list(selectors.assignments_list(cycle=cycle).filter(
        state__in=list(OUTSTANDING), due_at__lt=timezone.now()).order_by("due_at")[:50])
    stage_totals = [{"stage": s, "label": label, **totals[s],
                     "percent": int(100 * totals[s]["submitted"] / totals[s]["live"]) if totals[s]["live"] else 0}
                    for s, label in stages]
    return render(request, "judging/secretariat/progress.html", {
        "cycle": cycle, "rows": rows, "stages": stages, "totals": stage_totals, "overdue_list": overdue,
        "now": timezone.now(),
    })


# -- ranking --------------------------------------------------------------------------------------
def _category(request, cycle, categories):
    pk = request.GET.get("category")
    if pk:
        category = next((c for c in categories if str(c.pk) == pk), None)
        if category is None:
            raise Http404(_("申报类别不存在。"))
        return category
    return categories[0] if categories else None


@require_GET
@secretariat_required
def ranking(request, pk: int):
    """Rank, scores and readable flags per cycle, category and stage; each judge's leniency
    beside; the review transitions and the committee decision from the ranking."""
    cycle = get_cycle(pk)
    stage = stage_param(request, cycle)
    categories = list(cycle.categories.order_by("order", "code"))
    category = _category(request, cycle, categories)
    rows, leniency = [], []
    if category is not None:
        rows = selectors.ranking(cycle=cycle, category=category, stage=stage)
        leniency = selectors.judge_leniency(cycle=cycle, category=category, stage=stage)
    ids = [r.application for r in rows]
    decisions = {d.application_id: d for d in CommitteeDecision.objects.filter(application_id__in=ids)}
    reports = set(SiteVisitReport.objects.filter(application_id__in=ids).values_list("application_id", flat=True))
    has_site = cycle.programme.has_site_stage
    for row in rows:
        row.flag_list = readable_flags(row.flags)
        row.state_label = S(row.state).label
        row.decision = decisions.get(row.application)
        row.has_report = row.application in reports
        row.actions = _row_actions(row, stage, has_site)
    approved = sum(1 for r in rows if r.state in APPROVED_STATES)
    here = request.get_full_path()
    return render(request, "judging/secretariat/ranking.html", {
        "cycle": cycle, "stage": stage, "stage_label": Stage(stage).label, "stages": stages_of(cycle),
        "categories": categories, "category": category, "rows": rows, "leniency": leniency,
        "approved": approved, "here": here, "note_form": NoteForm(prefix="t"),
        "warnings": selectors.decision_quota_warning(cycle=cycle, category=category) if category else [],
    })


def _row_actions(row, stage: str, has_site: bool) -> list[tuple[str, str, str]]:
    """(transition name, label, button style) available from the ranking for this row."""
    if stage == Stage.DOCUMENT and row.state == S.DOCUMENT_REVIEW:
        if has_site:
            return [(T.SHORTLIST, T.SHORTLIST.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
        return [(T.FINISH_REVIEW, T.FINISH_REVIEW.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
    if stage == Stage.SITE and row.state == S.SITE_REVIEW:
        return [(T.FINISH_REVIEW, T.FINISH_REVIEW.label, "primary"), (T.ELIMINATE, T.ELIMINATE.label, "danger-outline")]
    return []


@require_GET
@secretariat_required
def export(request, pk: int):
    cycle = get_cycle(pk)
    response = HttpResponse(cycle_export_xlsx(cycle=cycle),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-scores.xlsx"'
    return response


# -- committee decision ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@secretariat_required
def decision(request, pk: int):
    """Record the committee's vote (approve / decline) on an evaluated application: meeting date,
    votes, minute; conflicted members are recused automatically. Over the quota: a warning."""
    app = get_application(pk)
    stage = selectors.committee_stage(app.cycle)
    rows = [r for r in selectors.ranking(cycle=app.cycle, category=app.category, stage=stage)
            if r.application == app.pk]
    row = attach_recused(rows)[0] if rows else None
    existing = CommitteeDecision.objects.filter(application=app).prefetch_related("recused").first()
    form = DecisionForm(request.POST or None, initial={
        "decided_on": timezone.localdate(), "recused": [m["id"] for m in (row.recused if row else [])]})
    status = 200
    if request.method == "POST":
        if app.state != S.EVALUATED:
            messages.error(request, _("该申报当前为“%(state)s”，不能记录审定结果。") % {"state": app.get_state_display()})
            return redirect("judging:decision", pk=app.pk)
        if form.is_valid():
            try:
                result = services.committee_decision_record(application=app, actor=request.user,
                                                            ip=client_ip(request), **form.service_kwargs())
            except WorkflowError as exc:
                report_error(request, exc, form)
            else:
                messages.success(request, _("已记录审定结果：%(outcome)s（赞成 %(f)d、反对 %(a)d、弃权 %(b)d）。") % {
                    "outcome": result.decision.get_outcome_display(), "f": result.decision.votes_for,
                    "a": result.decision.votes_against, "b": result.decision.votes_abstain})
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(reverse("judging:ranking", args=[app.cycle_id])
                                + f"?category={app.category_id}&stage={stage}")
        else:
            messages.error(request, _("请按提示修改后再提交。"))
        status = 400
    approved = Application.objects.filter(cycle=app.cycle, category=app.category,
                                          state__in=list(APPROVED_STATES)).count()
    return render(request, "judging/secretariat/decision.html", {
        "app": app, "row": row, "flags": readable_flags(row.flags) if row else [], "form": form,
        "existing": existing, "stage": stage, "stage_label": Stage(stage).label, "approved": approved,
        "quota": app.category.quota, "over_quota": bool(app.category.quota and approved >= app.category.quota),
        "members": get_user_model().objects.filter(groups__name="committee", is_active=True).count(),
    }, status=status)
