"""The secretariat's judging hub, judge pool (评审专家库) and conflicts board (回避).
Every write calls one judging service."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from judging import selectors, services
from judging.enums import (
    ConflictStatus,
)
from judging.errors import NotFound, WorkflowError
from judging.forms import (
    ConflictAddForm,
    ConflictFilterForm,
    JudgeCreateForm,
    JudgeImportForm,
    JudgeProfileForm,
    ReasonForm,
    RelationForm,
)
from judging.models import Conflict, JudgeProfile, JudgeRelation
from judging.selectors.ranking import APPROVED_STATES
from judging.views.common import (
    not_found,
    secretariat_required,
)
from nominations.enums import ApplicationState as S
from nominations.models import Application, Cycle, Organization
from nominations.views.common import client_ip, error_html, paginate, report_error, safe_next

from judging.views.common import judging_cycles


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
