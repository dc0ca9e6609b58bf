"""The secretariat records the committee's decision (审定) through the judging committee service."""
from __future__ import annotations


from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from judging import selectors, services
from judging.enums import (
    Stage,
)
from judging.errors import WorkflowError
from judging.forms import (
    DecisionForm,
)
from judging.enums import DecisionOutcome
from judging.models import CommitteeDecision
from judging.models.judges import person_name
from judging.services.committee import VOTE_FIELDS, decision_consequences, votes_problems
from judging.selectors.ranking import APPROVED_STATES, attach_recused
from judging.views.common import (
    application_or_404,
    readable_flags,
    secretariat_required,
)
from nominations.enums import ApplicationState as S
from nominations.models import Application
from nominations.views.common import client_ip, report_error



# -- committee decision ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@secretariat_required
def decision(request, pk: int):
    """Record the committee's vote (approve / decline) on an evaluated application: meeting date,
    votes, minute; conflicted members are recused automatically. Over the quota: a warning."""
    app = application_or_404(pk)
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
        if form.is_valid() and not form.cleaned_data["confirmed"]:
            data = form.service_kwargs()
            problems = votes_problems(outcome=data["outcome"], votes={k: data[k] for k in VOTE_FIELDS},
                                      committee_size=app.cycle.committee_size, quorum=app.cycle.committee_quorum)
            for problem in problems:
                form.add_error(None, problem)
            if not problems:  # show what will be recorded, what it does, and ask once more
                recused_names = [person_name(u) for u in form.cleaned_data.get("recused") or []]
                return render(request, "judging/secretariat/decision.html", {
                    **_context(app, form, stage, row, existing),
                    "consequences": decision_consequences(app, outcome=data["outcome"],
                                                          recused_names=recused_names),
                    "confirm": {"outcome": dict(DecisionOutcome.choices)[data["outcome"]], **data,
                                "votes_cast": sum(data[k] for k in VOTE_FIELDS)}})
        elif form.is_valid():
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
    return render(request, "judging/secretariat/decision.html", _context(app, form, stage, row, existing),
                  status=status)


def _context(app, form, stage, row, existing) -> dict:
    approved = Application.objects.filter(cycle=app.cycle, category=app.category,
                                          state__in=list(APPROVED_STATES)).count()
    return {
        "app": app, "row": row, "flags": readable_flags(row.flags) if row else [], "form": form,
        "existing": existing, "stage": stage, "stage_label": Stage(stage).label, "approved": approved,
        "quota": app.category.quota, "over_quota": bool(app.category.quota and approved >= app.category.quota),
        "members": app.cycle.committee_size, "quorum": app.cycle.committee_quorum,
    }
