"""The application page every role shares, and the one view that runs transitions."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nominations import rules, selectors
from nominations.enums import EDITABLE
from nominations.enums import ApplicationState as S
from nominations.enums import Transition as T
from nominations.errors import WorkflowError
from nominations.forms.intake import TransitionForm, transition_ui
from nominations.services import consequences
from nominations.services.eligibility import eligibility_evaluate
from nominations.services.acts import application_act
from nominations.services.transitions import application_available_transitions
from nominations.views.common import (
    answer_rows,
    client_ip,
    completeness,
    draft_headline,
    access_application_or_404,
    history_rows,
    next_step,
    post_data,
    report_error,
    safe_next,
)

# Transitions the secretariat runs from the formal-review page rather than inline.
REVIEW_TRANSITIONS = frozenset({T.ACCEPT, T.REJECT, T.RETURN})


def _transition_forms(request, app, available) -> list[dict]:
    forms = []
    for t in available:
        ui = transition_ui(t.name)
        forms.append({"t": t, "ui": ui, "form": TransitionForm(name=t.name, application=app,
                                                                 prefix=t.name, needs_override=False)})
    return forms


@login_required
def application_detail(request, pk: int):
    app = access_application_or_404(request, pk)
    user = request.user
    documents = list(selectors.application_documents(app))
    available = application_available_transitions(app, user)
    is_secretariat = rules.is_secretariat(user)
    in_review = is_secretariat and any(t.name in REVIEW_TRANSITIONS for t in available)
    inline = [t for t in available if not (is_secretariat and t.name in REVIEW_TRANSITIONS)]
    mine = rules.is_application_applicant(user, app)
    checklist = completeness(app, documents) if app.state in EDITABLE and mine else []
    return render(request, "nominations/application/detail.html", {
        "app": app, "documents": documents, "answers": answer_rows(app),
        "history": history_rows(app), "next_step": next_step(app, user),
        "checklist": checklist,
        "headline": draft_headline(checklist) if checklist and app.state == S.DRAFT else "",
        "transition_forms": _transition_forms(request, app, inline),
        "in_review": in_review, "can_edit": rules.can_edit_application(user, app), "is_mine": mine,
    })


@require_http_methods(["GET", "POST"])
@login_required
def application_transition_view(request, pk: int, name: str):
    """GET: a confirmation page with the transition's fields. POST: run it through the
    transition service; on success redirect (POST/redirect/GET), on failure show why."""
    app = access_application_or_404(request, pk)
    available = {t.name: t for t in application_available_transitions(app, request.user)}
    default_next = reverse("application_detail", args=[app.pk])
    ui = transition_ui(name)
    label = available[name].label if name in available else _transition_label(name)
    eligibility = None
    if name == T.ACCEPT and rules.is_secretariat(request.user) and app.state in (S.SUBMITTED, S.ENDORSED):
        eligibility = eligibility_evaluate(app, now=timezone.now())
    needs_override = bool(eligibility and any(not r["passed"] for r in eligibility))
    form = TransitionForm(post_data(request), name=name, application=app, needs_override=needs_override,
                          prefix=request.POST.get("prefix") or None)
    if name in (T.APPROVE, T.DECLINE):  # judging's act: the decision page records the votes
        return redirect("judging:decision", pk=app.pk)
    if name == T.OPEN_NOTICE:  # the cycle's act: the notice desk takes the text and contact
        return redirect("notice_desk", pk=app.cycle_id)
    if request.method == "GET" and name not in available:
        messages.error(request, _("当前不能对该申报执行“%(label)s”操作。") % {"label": label})
        return redirect(default_next)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                app = application_act(application=app, name=name, actor=request.user,
                                      ip=client_ip(request), **form.service_kwargs())
            except WorkflowError as exc:
                report_error(request, exc, form)
                if not form.has_inputs:
                    return redirect(safe_next(request, default_next))
            else:
                messages.success(request, _("已完成“%(label)s”。%(next)s") % {
                    "label": label, "next": next_step(app, request.user)})
                target = safe_next(request, default_next)
                if name == T.SUBMIT or name == T.WITHDRAW:
                    target = default_next  # the edit page is locked now
                return redirect(target)
        else:
            messages.error(request, _("请按提示修改后再提交。"))
        status = 400
    return render(request, "nominations/application/transition.html", {
        "app": app, "name": name, "label": label, "ui": ui, "form": form, "eligibility": eligibility,
        "consequences": _consequences(app, name),
        "next": safe_next(request, default_next), "is_mine": rules.is_application_applicant(request.user, app),
    }, status=status)


def _consequences(app, name: str):
    """What publish / revoke will do, from the data (None for the other transitions)."""
    if name == T.PUBLISH:
        return consequences.application_publish_consequences(app)
    if name == T.REVOKE:
        return consequences.application_revoke_consequences(app)
    return None


def _transition_label(name: str) -> str:
    try:
        return str(T(name).label)
    except ValueError:
        return name
