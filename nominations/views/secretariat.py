"""Secretariat pages: cycles with counts, the cycle dashboard and formal review."""
from __future__ import annotations


from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nominations import selectors, workflow
from nominations.enums import ApplicationState as S
from nominations.enums import CycleTransition
from nominations.enums import Transition as T
from nominations.errors import WorkflowError
from nominations.forms.intake import ApplicationFilterForm, CycleTransitionForm, TransitionForm
from nominations.selectors.todos import applications_for_filter
from nominations.models import Application, Cycle
from nominations.services.consequences import cycle_transition_consequences
from nominations.services.eligibility import eligibility_evaluate
from nominations.services.transitions import (
    application_available_transitions,
    cycle_available_transitions,
    cycle_transition,
    cycles_close_expired,
)
from nominations.views.common import (
    answer_rows,
    client_ip,
    completeness,
    error_html,
    access_application_or_404,
    history_rows,
    next_step,
    paginate,
    report_error,
    secretariat_required,
)

# The states shown as columns on the cycle list, in workflow order.
LIST_STATES = [S.SUBMITTED, S.ENDORSED, S.RETURNED, S.ACCEPTED, S.INELIGIBLE, S.WITHDRAWN]
REVIEWABLE = frozenset({S.SUBMITTED, S.ENDORSED})


def _to_review(cycle, by_state) -> int:
    """待形式审查: endorsed, or submitted where the programme needs no recommendation."""
    waiting = by_state.get(S.ENDORSED, 0)
    if not cycle.programme.needs_recommender:
        waiting += by_state.get(S.SUBMITTED, 0)
    return waiting


@secretariat_required
def cycle_list(request):
    closed = cycles_close_expired()
    if closed:
        messages.info(request, _("%(n)d 个评选周期已到申报截止时间，系统已自动截止申报。") % {"n": len(closed)})
    cycles = list(selectors.cycles_with_counts())
    counts = selectors.cycles_state_counts([c.pk for c in cycles])
    rows = []
    for cycle in cycles:
        by_state = counts.get(cycle.pk, {})
        rows.append({
            "cycle": cycle,
            "states": [(s, s.label, by_state.get(s, 0)) for s in LIST_STATES],
            "to_review": _to_review(cycle, by_state),
            "drafts": by_state.get(S.DRAFT, 0),
            "total": sum(n for s, n in by_state.items() if s != S.DRAFT),
        })
    return render(request, "nominations/cycle/list.html", {"rows": rows, "list_states": LIST_STATES})


@secretariat_required
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
    counts = selectors.cycle_state_counts(cycle)
    categories = list(cycle.categories.order_by("order", "code"))
    names = workflow.rubric_names({c.rubric_code for c in categories})
    for category in categories:
        category.rubric_name = names.get(category.rubric_code, "")
    filters = ApplicationFilterForm(request.GET or None, categories=categories)
    queryset = (Application.objects.filter(cycle=cycle)
                .select_related("cycle__programme", "category", "organization", "nominee", "recommending_unit")
                .exclude(state=S.DRAFT).order_by("reference", "id"))
    if filters.is_valid():
        data = filters.cleaned_data
        special = applications_for_filter(queryset, data.get("state") or "")
        if special is not None:  # the 工作台's links: to_review, awaiting_recommender, notice_due
            queryset = special
        elif data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("category"):
            queryset = queryset.filter(category_id=data["category"])
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(Q(reference__icontains=q) | Q(title__icontains=q)
                                       | Q(organization__name__icontains=q) | Q(nominee__name__icontains=q))
    page, query = paginate(request, queryset, per_page=50)
    state_chips = [(s, s.label, counts.get(s, 0)) for s in S if counts.get(s, 0) and s != S.DRAFT]
    return render(request, "nominations/cycle/detail.html", {
        "cycle": cycle, "counts": counts, "state_chips": state_chips,
        "drafts": counts.get(S.DRAFT, 0), "total": sum(n for s, n in counts.items() if s != S.DRAFT),
        "to_review": _to_review(cycle, counts),
        "filters": filters, "page_obj": page, "query": query,
        "reviewable": REVIEWABLE, "categories": categories,
        "cycle_transitions": [(t, CycleTransitionForm(prefix=t.name)) for t in cycle_available_transitions(cycle)],
    })


@require_http_methods(["GET", "POST"])
@secretariat_required
def cycle_transition_view(request, pk: int, name: str):
    """GET: the confirmation page — what the transition will do, to whom, computed from the
    data (e.g. 截止申报: drafts cut off, applications still within their amendment deadline),
    with the note (a reason where the act requires one). POST: run it through the service,
    which refuses what contradicts the data whatever the entry point."""
    cycle = get_object_or_404(Cycle.objects.select_related("programme"), pk=pk)
    if name not in CycleTransition.values:
        raise Http404(_("未知的操作。"))
    # start_notice and publish are acts with inputs of their own: they live on their desks.
    if name == "start_notice":
        messages.info(request, _("请在公示台填写公示说明和联系方式后开启公示。"))
        return redirect("notice_desk", pk=cycle.pk)
    if name == "publish":
        messages.info(request, _("请在发布台填写结果公告后发布。"))
        return redirect("publication_desk", pk=cycle.pk)
    available = {t.name: t for t in cycle_available_transitions(cycle)}
    form = CycleTransitionForm(request.POST if request.method == "POST" else None, prefix=name)
    status = 200
    if request.method == "GET" and name not in available:
        messages.error(request, _("评选周期当前为“%(state)s”，不能执行“%(label)s”。") % {
            "state": cycle.get_status_display(), "label": CycleTransition(name).label})
        return redirect("cycle_detail", pk=cycle.pk)
    if request.method == "POST":
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            cycle = cycle_transition(cycle=cycle, name=name, actor=request.user, note=note, ip=client_ip(request))
        except WorkflowError as exc:
            report_error(request, exc, form)
            status = exc.status
        else:
            messages.success(request, _("已完成“%(label)s”，评选周期当前状态：%(state)s。") % {
                "label": CycleTransition(name).label, "state": cycle.get_status_display()})
            return redirect("cycle_detail", pk=cycle.pk)
    effects = cycle_transition_consequences(cycle, name)
    if effects.reason_required:
        form.fields["note"].label = _("提前截止的理由（必填）")
    return render(request, "nominations/cycle/transition_confirm.html", {
        "cycle": cycle, "name": name, "label": CycleTransition(name).label, "form": form,
        "consequences": effects, "danger": name == "close"}, status=status)


@secretariat_required
def application_review(request, pk: int):
    """Formal review (形式审查): eligibility per rule, completeness, documents, and the decision."""
    app = access_application_or_404(request, pk)
    documents = list(selectors.application_documents(app))
    reviewable = app.state in REVIEWABLE
    eligibility = eligibility_evaluate(app, now=timezone.now()) if reviewable else app.eligibility_results
    failed = [r for r in (eligibility or []) if not r["passed"]]
    available = {t.name: t for t in application_available_transitions(app, request.user)}
    here = reverse("application_review", args=[app.pk])
    forms = []
    for name in (T.ACCEPT, T.RETURN, T.REJECT):
        if name in available:
            forms.append({"t": available[name], "form": TransitionForm(
                name=name, application=app, needs_override=bool(failed), prefix=name)})
    return render(request, "nominations/application/review.html", {
        "app": app, "documents": documents, "eligibility": eligibility, "failed": failed,
        "checklist": completeness(app, documents), "answers": answer_rows(app),
        "history": history_rows(app), "decision_forms": forms, "reviewable": reviewable,
        "next_step": next_step(app, request.user), "here": here,
    })
