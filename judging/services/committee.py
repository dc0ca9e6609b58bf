"""Committee decisions: the secretariat records approve / decline with the vote.

The decision is an application transition (application_transition with name "approve" or
"decline"); judging registers a guard (meeting date and votes are required) and an apply
hook that writes the CommitteeDecision row in the same transaction. Committee members with
an active conflict on the applicant are recused (listed in the decision).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from judging.enums import DecisionOutcome
from judging.errors import JudgingError
from judging.models import CommitteeDecision
from judging.selectors.conflicts import conflict_map
from judging.selectors.ranking import decision_quota_warning
from nominations.enums import ApplicationState
from nominations.models import Application
from nominations.rules import COMMITTEE
from nominations.services.audit import audit_record
from nominations.services.transitions import application_transition

VOTE_FIELDS = ("votes_for", "votes_against", "votes_abstain")
VOTE_LABELS = {"votes_for": "赞成票", "votes_against": "反对票", "votes_abstain": "弃权票"}


def parse_vote_params(params: dict, *, now: dt.datetime | None = None) -> tuple[dict, list[str]]:
    """Clean the decision parameters: decided_on (a date not in the future), three
    non-negative integer vote counts with at least one vote, recused user ids."""
    now = now or timezone.now()
    clean: dict = {}
    missing: list[str] = []
    decided_on = params.get("decided_on")
    if isinstance(decided_on, dt.datetime):
        decided_on = timezone.localdate(decided_on)
    elif decided_on not in (None, "") and not isinstance(decided_on, dt.date):
        decided_on = parse_date(str(decided_on))
        if decided_on is None:
            missing.append(_("会议日期格式应为 YYYY-MM-DD。"))
    if not decided_on:
        if not missing:
            missing.append(_("请填写审定委员会会议日期。"))
    elif decided_on > timezone.localdate(now):
        missing.append(_("会议日期不能晚于今天。"))
    clean["decided_on"] = decided_on or None
    for name in VOTE_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if value in (None, ""):
            missing.append(_("请填写%(label)s数。") % {"label": VOTE_LABELS[name]})
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            missing.append(_("%(label)s数应为非负整数。") % {"label": VOTE_LABELS[name]})
        else:
            clean[name] = value
    if all(name in clean for name in VOTE_FIELDS) and not sum(clean[n] for n in VOTE_FIELDS):
        missing.append(_("投票总数不能为 0。"))
    recused = params.get("recused") or []
    if not isinstance(recused, (list, tuple, set)):
        recused = [recused]
    ids = []
    for value in recused:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            missing.append(_("回避委员应为用户编号。"))
            break
    known = set(get_user_model().objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    unknown = [i for i in ids if i not in known]
    if unknown:
        missing.append(_("回避委员不存在：%(ids)s。") % {"ids": "、".join(map(str, unknown))})
    clean["recused"] = sorted(set(ids) & known)
    return clean, missing


def committee_conflicted_members(application: Application, *, now=None) -> list[int]:
    members = list(get_user_model().objects.filter(groups__name=COMMITTEE).values_list("pk", flat=True))
    conflicts = conflict_map(members, [application.organization], now=now)
    return sorted(m for m in members if (m, application.organization_id) in conflicts)


# -- hooks registered with nominations.workflow (see judging.hooks) ------------------------
def guard_committee_vote(*, application, actor, now, params) -> list[str]:
    return parse_vote_params(params, now=now)[1]


def apply_committee_decision(*, application, actor, now, note, params) -> None:
    """Inside the approve/decline transaction: write the CommitteeDecision and its audit entry."""
    clean, missing = parse_vote_params(params, now=now)
    if missing:  # the guard ran before; keep the invariant anyway
        raise JudgingError(missing[0], missing=missing)
    outcome = DecisionOutcome.APPROVE if application.state == ApplicationState.APPROVED else DecisionOutcome.DECLINE
    recused = sorted(set(clean["recused"]) | set(committee_conflicted_members(application, now=now)))
    decision, _created = CommitteeDecision.objects.update_or_create(application=application, defaults={
        "outcome": outcome, "decided_on": clean["decided_on"], "minute": note or "",
        "recorded_by": actor, "recorded_at": now, **{n: clean[n] for n in VOTE_FIELDS}})
    decision.recused.set(recused)
    audit_record(obj=decision, action=f"decision.{outcome}", actor=actor, note=note,
                 data={"application": application.pk, "decided_on": clean["decided_on"].isoformat(),
                       **{n: clean[n] for n in VOTE_FIELDS}, "recused": recused})


@dataclass
class DecisionResult:
    application: Application
    decision: CommitteeDecision
    warnings: list[str]


def committee_decision_record(*, application, outcome: str, decided_on, votes_for, votes_against, votes_abstain,
                              actor, minute: str = "", recused=(), ip: str | None = None,
                              now: dt.datetime | None = None) -> DecisionResult:
    """Record the committee's decision through the application transition. The transition
    proceeds even when approvals exceed the category quota; `warnings` says so."""
    if outcome not in DecisionOutcome.values:
        msg = _("审定结果应为 approve（通过）或 decline（不通过）。")
        raise JudgingError(msg, code="invalid", field_errors={"outcome": [msg]})
    app = application_transition(application=application, name=outcome, actor=actor, note=minute, ip=ip, now=now,
                                 decided_on=decided_on, votes_for=votes_for, votes_against=votes_against,
                                 votes_abstain=votes_abstain, recused=list(recused or []))
    decision = CommitteeDecision.objects.prefetch_related("recused").get(application=app)
    warnings = decision_quota_warning(cycle=app.cycle, category=app.category)
    return DecisionResult(application=app, decision=decision, warnings=warnings)
