"""Committee decisions (审定): the secretariat records the committee's vote.

`committee_decision_record` is the act: one transaction that locks the application, checks
the votes against the outcome, the committee's size and quorum, writes the CommitteeDecision
and runs the application's approve / decline transition (nominations' shared core; judging's
guard there confirms the decision row agrees). Committee members with an active conflict on
the applicant are recused (listed in the decision).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_fsm import ConcurrentTransition

from judging.enums import DecisionOutcome
from judging.errors import JudgingError
from judging.models import CommitteeDecision
from judging.selectors.conflicts import conflict_map
from judging.selectors.ranking import decision_quota_warning
from nominations.errors import ConcurrentChange
from nominations.models import Application
from nominations.rules import COMMITTEE
from nominations.services.audit import audit_record
from nominations.services.transitions import application_lock, transition_check, transition_run

VOTE_FIELDS = ("votes_for", "votes_against", "votes_abstain")
VOTE_LABELS = {"votes_for": gettext_lazy("赞成票"), "votes_against": gettext_lazy("反对票"),
               "votes_abstain": gettext_lazy("弃权票")}


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
        missing.append(_("回避委员不存在：%(ids)s。") % {"ids": pgettext("list separator", "、").join(map(str, unknown))})
    clean["recused"] = sorted(set(ids) & known)
    return clean, missing


def committee_conflicted_members(application: Application, *, now=None) -> list[int]:
    members = list(get_user_model().objects.filter(groups__name=COMMITTEE).values_list("pk", flat=True))
    conflicts = conflict_map(members, [application.organization], now=now)
    return sorted(m for m in members if (m, application.organization_id) in conflicts)


def votes_problems(*, outcome: str, votes: dict[str, int], committee_size: int, quorum: int) -> list[str]:
    """What is wrong with these votes for this outcome (empty: they carry it)."""
    cast = sum(votes.values())
    problems = []
    if cast > committee_size:
        problems.append(_("表决票数合计 %(cast)d 票，超过审定委员会人数（%(size)d 人）。")
                        % {"cast": cast, "size": committee_size})
    if quorum and cast < quorum:
        problems.append(_("表决票数合计 %(cast)d 票，不足法定人数 %(quorum)d 人，决定无效。")
                        % {"cast": cast, "quorum": quorum})
    majority = votes["votes_for"] > votes["votes_against"] + votes["votes_abstain"]
    if outcome == DecisionOutcome.APPROVE and not majority:
        problems.append(_("赞成 %(f)d 票未超过表决票数的半数（反对 %(a)d、弃权 %(b)d），不能记录为“审定通过”。")
                        % {"f": votes["votes_for"], "a": votes["votes_against"], "b": votes["votes_abstain"]})
    if outcome == DecisionOutcome.DECLINE and majority:
        problems.append(_("赞成 %(f)d 票已超过表决票数的半数，不能记录为“不予通过”。") % {"f": votes["votes_for"]})
    return problems


def decision_consequences(application: Application, *, outcome: str, recused_names: list[str] = ()):
    """What recording the committee's decision will do, and to whom (the confirmation step)."""
    from judging.selectors.ranking import APPROVED_STATES
    from nominations.services.consequences import Consequences

    result = Consequences()
    name = application.display_name
    category = application.category
    if outcome == DecisionOutcome.APPROVE:
        result.items.append(_("“%(name)s”将记录为“审定通过”，随后由秘书处在公示台开启公示（公示名单向社会公开）。")
                            % {"name": name})
        if category.quota:
            approved = Application.objects.filter(cycle=application.cycle, category=category,
                                                  state__in=list(APPROVED_STATES)).count()
            after = approved + 1
            over = after - category.quota
            result.items.append(
                (_("“%(category)s”名额 %(quota)d 个，记录后已审定通过 %(n)d 个，超出名额 %(over)d 个。")
                 if over > 0 else _("“%(category)s”名额 %(quota)d 个，记录后已审定通过 %(n)d 个。"))
                % {"category": category.name, "quota": category.quota, "n": after, "over": over})
    else:
        result.items.append(_("“%(name)s”将记录为“审定不通过”，不予授奖。") % {"name": name})
        result.items.append(_("结果发布时，申报单位“%(org)s”将收到未获奖的结果通知邮件。")
                            % {"org": application.organization.name})
    if recused_names:
        result.items.append(_("回避的委员：%(names)s（不计入表决）。")
                            % {"names": pgettext("list separator", "、").join(recused_names)})
    result.items.append(_("审定结果记录后锁定，不能修改。"))
    return result


@dataclass
class DecisionResult:
    application: Application
    decision: CommitteeDecision
    warnings: list[str]


def committee_decision_record(*, application, outcome: str, decided_on, votes_for, votes_against, votes_abstain,
                              actor, minute: str = "", recused=(), ip: str | None = None,
                              now: dt.datetime | None = None) -> DecisionResult:
    """Record the committee's decision on an evaluated application.

    Effects, in one transaction: lock the application → its clock → permission and state of
    the transition → the meeting date and votes, which must carry the outcome (approve: more
    for than against and abstaining together; decline: not), fit the committee's size and
    reach its quorum → the CommitteeDecision row with the recused members (named and
    conflicted) → the approve / decline transition with its audit entry → the decision's audit
    entry. Approvals beyond the category's quota are allowed and reported in `warnings`.
    Raises a WorkflowError (JudgingError for the inputs), changing nothing."""
    if outcome not in DecisionOutcome.values:
        msg = _("审定结果应为 approve（通过）或 decline（不通过）。")
        raise JudgingError(msg, code="invalid", field_errors={"outcome": [msg]})
    try:
        with transaction.atomic():
            app = application_lock(application)
            now = now or timezone.now()
            transition_check(app, outcome, actor)
            clean, missing = parse_vote_params({"decided_on": decided_on, "votes_for": votes_for,
                                                "votes_against": votes_against, "votes_abstain": votes_abstain,
                                                "recused": list(recused or [])}, now=now)
            if not missing:
                missing = votes_problems(outcome=outcome, votes={n: clean[n] for n in VOTE_FIELDS},
                                         committee_size=app.cycle.committee_size, quorum=app.cycle.committee_quorum)
            if missing:
                raise JudgingError(missing[0], code="conditions_unmet", missing=missing)
            recused_ids = sorted(set(clean["recused"]) | set(committee_conflicted_members(app, now=now)))
            minute = (minute or "").strip()
            decision, _created = CommitteeDecision.objects.update_or_create(application=app, defaults={
                "outcome": outcome, "decided_on": clean["decided_on"], "minute": minute,
                "recorded_by": actor, "recorded_at": now, **{n: clean[n] for n in VOTE_FIELDS}})
            decision.recused.set(recused_ids)
            votes = {n: clean[n] for n in VOTE_FIELDS}
            transition_run(app, outcome, actor=actor, now=now, note=minute, ip=ip,
                           data={"decided_on": clean["decided_on"].isoformat(), **votes})
            audit_record(obj=decision, action=f"decision.{outcome}", actor=actor, note=minute, ip=ip,
                         data={"application": app.pk, "decided_on": clean["decided_on"].isoformat(),
                               **votes, "recused": recused_ids})
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该申报已被他人同时处理，请刷新页面后重试。")) from exc
    decision = CommitteeDecision.objects.prefetch_related("recused").get(application=app)
    warnings = decision_quota_warning(cycle=app.cycle, category=app.category) if outcome == "approve" else []
    return DecisionResult(application=app, decision=decision, warnings=warnings)
