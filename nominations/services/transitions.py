"""The one path for every state change of an Application or a Cycle.

Every service here keeps the same order:
  transaction.atomic → lock/refetch → the clock → permission and conditions (a clear
  error listing what is missing) → the @transition method → save(update_fields) →
  audit entry → side effects registered with transaction.on_commit.
The simple transitions run through `application_transition` / `cycle_transition`. The
business acts (committee decision, notice, confirm, overturn, publish, revoke) are named
services that lock with `application_lock` / `cycle_lock`, run their state change with
`transition_run` / `cycle_transition_run` and write their own rows in the same transaction.
Web views, the API, the admin and management commands all call these functions;
nothing else writes a state field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from nominations import workflow
from nominations.enums import ApplicationState, CycleState
from nominations.enums import Transition as T
from nominations.errors import ConcurrentChange, ConditionsUnmet, InvalidState, NotFound, NotPermitted
from nominations.models import Application, Cycle
from nominations.services.audit import audit_record
from nominations.tasks import TRANSITION_EMAILS, send_transition_emails

APPLICATION_FIELDS = [
    "state", "reference", "submitted_at", "first_submitted_at", "amendment_deadline",
    "return_reason", "decision_reason", "eligibility_results", "eligibility_override_reason",
    "live_key", "updated_at",
]


@dataclass(frozen=True)
class AvailableTransition:
    name: str
    label: str
    target: str


def _method_name(name: str) -> str:
    return "return_" if name == T.RETURN else name


def _meta(model, name: str):
    method = getattr(model, _method_name(name), None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ConditionsUnmet(_("未知的操作：%(name)s。") % {"name": name}, code="unknown_transition")
    return meta


def _unmet_conditions(transition, instance) -> list[str]:
    return [str(getattr(c, "message", c.__name__)) for c in transition.conditions if not c(instance)]


def _check(instance, name: str, actor, state: str):
    """Permission (403), state (409), fsm conditions (400). Returns the fsm Transition."""
    meta = _meta(type(instance), name)
    candidates = list(meta.transitions.values())
    if not any(t.has_perm(instance, actor) for t in candidates):
        raise NotPermitted(_("您无权执行“%(label)s”操作。") % {"label": candidates[0].custom.get("label", name)})
    transition = meta.get_transition(state)
    if transition is None:
        raise InvalidState(
            _("当前状态“%(state)s”下不能执行“%(label)s”操作。")
            % {"state": _state_label(instance, state), "label": candidates[0].custom.get("label", name)}
        )
    if not transition.has_perm(instance, actor):
        raise NotPermitted(_("您无权执行“%(label)s”操作。") % {"label": transition.custom.get("label", name)})
    unmet = _unmet_conditions(transition, instance)
    if unmet:
        raise ConditionsUnmet(unmet[0], missing=unmet)
    return transition


def _state_label(instance, state: str) -> str:
    choices = ApplicationState if isinstance(instance, Application) else CycleState
    try:
        return str(choices(state).label)
    except ValueError:
        return state


# -- application --------------------------------------------------------------------
# Transitions owned by a named act (a service that writes the act's own rows too). The
# shared core refuses them, so that no entry point can run the bare state change.
ACT_TRANSITIONS = frozenset({T.APPROVE, T.DECLINE, T.OPEN_NOTICE, T.CONFIRM, T.OVERTURN, T.PUBLISH, T.REVOKE})
ACT_HOMES = {
    T.APPROVE: _("审定结果须在“审定”页面录入会议日期和表决票数。"),
    T.DECLINE: _("审定结果须在“审定”页面录入会议日期和表决票数。"),
    T.OPEN_NOTICE: _("公示须从“公示与发布”页面开启，并填写公示说明和联系方式。"),
}


def _require_reason(note: str, what: str) -> list[str]:
    return [] if (note or "").strip() else [_("请填写%(what)s。") % {"what": what}]


def _prepare(application: Application, name: str, *, note: str, now: dt.datetime,
             deadline: dt.datetime | None, override_reason: str) -> tuple[dict[str, Any], list[str], dict]:
    """The transition's arguments and what blocks it. Returns (kwargs, missing, audit data)."""
    from nominations.services import eligibility, intake  # local: these import this module

    if name == T.SUBMIT:
        missing = intake.application_submit_blockers(application, now=now)
        kwargs = {"now": now}
        if not missing and not application.reference:
            kwargs["reference"] = intake.reference_allocate(application.cycle_id)
        return kwargs, missing, {}
    if name == T.RETURN:
        missing = _require_reason(note, _("退回理由"))
        deadline = deadline or (now + dt.timedelta(days=application.cycle.amendment_days))
        if deadline <= now:
            missing.append(_("补正截止时间必须晚于当前时间。"))
        return {"reason": note.strip(), "deadline": deadline}, missing, {"deadline": deadline.isoformat()}
    if name == T.ACCEPT:
        results = eligibility.eligibility_evaluate(application, now=now)
        failed = [r for r in results if not r["passed"]]
        override = (override_reason or "").strip()
        missing = []
        if failed and not override:
            missing = [_("资格条件未通过：%(rule)s（%(detail)s）。如确需受理，请填写例外理由。")
                       % {"rule": r["description"], "detail": r["detail"]} for r in failed]
        return ({"results": results, "override_reason": override if failed else ""}, missing,
                {"eligibility": results, "override_reason": override if failed else ""})
    if name == T.REJECT:
        return {"reason": (note or "").strip()}, _require_reason(note, _("不予受理的理由")), {}
    if name == T.REVOKE:
        return {"reason": (note or "").strip()}, _require_reason(note, _("撤销理由")), {}
    return {}, [], {}


def application_lock(application: Application | int) -> Application:
    """Inside an atomic block: the application's row, locked, with what transitions read.
    A stale instance (its state changed since it was read) raises ConcurrentChange."""
    pk = application.pk if isinstance(application, Application) else application
    app = (Application.objects.select_for_update(of=("self",))
           .select_related("cycle__programme", "category", "organization", "nominee", "recommending_unit")
           .filter(pk=pk).first())
    if app is None:
        raise NotFound(_("申报不存在。"))
    if isinstance(application, Application) and application.state != app.state:
        raise ConcurrentChange(_("该申报已被他人处理，请刷新页面后重试。"))
    return app


def transition_check(app: Application, name: str, actor) -> Any:
    """Permission (403), state (409) and the transition's own conditions (400), without running it."""
    return _check(app, name, actor, app.state)


def transition_run(app: Application, name: str, *, actor, now: dt.datetime, note: str = "",
                   ip: str | None = None, deadline: dt.datetime | None = None, override_reason: str = "",
                   data: dict | None = None) -> str:
    """Run transition `name` on a LOCKED application inside the caller's atomic block:
    permission and conditions (ours and the registered guards) → the @transition method →
    save(update_fields) → audit entry → the transition's e-mail on commit. Returns the source
    state. Acts call this for their state change and write their own rows around it."""
    source = app.state
    fsm_transition = _check(app, name, actor, source)
    kwargs, missing, audit_data = _prepare(app, name, note=note, now=now, deadline=deadline,
                                           override_reason=override_reason)
    for guard in workflow.guards_for(name):
        missing.extend(guard(application=app, actor=actor, now=now))
    if missing:
        raise ConditionsUnmet(missing[0] if len(missing) == 1 else
                              _("还不能执行“%(label)s”：%(n)d 项条件未满足。")
                              % {"label": fsm_transition.custom.get("label", name), "n": len(missing)},
                              missing=missing)
    getattr(app, _method_name(name))(**kwargs)
    app.save(update_fields=APPLICATION_FIELDS)
    audit_record(obj=app, action=name, actor=actor, source=source, target=app.state, note=note, ip=ip,
                 data={**audit_data, **(data or {})})
    if name in TRANSITION_EMAILS:
        pk = app.pk
        transaction.on_commit(lambda: send_transition_emails.enqueue(pk, name, source))
    return source


def application_transition(*, application: Application | int, name: str, actor, note: str = "",
                           ip: str | None = None, now: dt.datetime | None = None,
                           deadline: dt.datetime | None = None, override_reason: str = "") -> Application:
    """The shared core for the simple transitions (submit, endorse, return, accept, reject,
    withdraw, start_review, shortlist, eliminate, finish_review).

    Effects, in one transaction: lock the application → its clock reading (after the lock) →
    permission, state, conditions and guards (a clear error listing what is missing) → the
    transition → save → audit entry → on commit, the transition's e-mail. Acts with effects of
    their own (approve/decline, open_notice, confirm, overturn, publish, revoke) are refused
    here: they are run by their named services (see nominations.services.acts). Raises a
    WorkflowError, changing nothing."""
    note = (note or "").strip()
    if name in ACT_TRANSITIONS:
        raise ConditionsUnmet(ACT_HOMES.get(name, _("该操作须通过其专门的功能执行。")), code="act_required")
    try:
        with transaction.atomic():
            app = application_lock(application)
            now = now or timezone.now()
            transition_run(app, name, actor=actor, now=now, note=note, ip=ip, deadline=deadline,
                           override_reason=override_reason)
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该申报已被他人同时处理，请刷新页面后重试。")) from exc
    if isinstance(application, Application):
        application.refresh_from_db()
    return app


def application_available_transitions(application: Application, user) -> list[AvailableTransition]:
    """The transitions `user` may run now (state + conditions + permission; guards not evaluated)."""
    result = []
    for t in application.get_available_user_state_transitions(user):
        result.append(AvailableTransition(name=t.custom.get("name", t.name),
                                          label=str(t.custom.get("label", t.name)), target=t.target))
    return result


# -- cycle ------------------------------------------------------------------------
# Cycle transitions owned by an act: start_notice (notices.notice_open) and publish
# (publication.cycle_publish).
CYCLE_ACT_TRANSITIONS = frozenset({"start_notice", "publish"})


def cycle_lock(cycle: Cycle | int) -> Cycle:
    pk = cycle.pk if isinstance(cycle, Cycle) else cycle
    obj = Cycle.objects.select_for_update().select_related("programme").filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("评选周期不存在。"))
    return obj


def cycle_transition_run(obj: Cycle, name: str, *, actor, now: dt.datetime, note: str = "",
                         ip: str | None = None, data: dict | None = None) -> str:
    """Run cycle transition `name` on a LOCKED cycle inside the caller's atomic block:
    state → conditions → transition → save → audit. Returns the source state."""
    meta = _meta(Cycle, name)
    transition = meta.get_transition(obj.status)
    if transition is None:
        raise InvalidState(_("评选周期当前为“%(state)s”，不能执行“%(label)s”。")
                           % {"state": _state_label(obj, obj.status), "label": _cycle_label(name)})
    missing = _cycle_blockers(obj, name, now=now, note=note)
    if missing:
        raise ConditionsUnmet(missing[0], missing=missing,
                              code="reason_required" if name == "close" else None)
    source = obj.status
    getattr(obj, name)()
    obj.save(update_fields=["status"])
    audit_record(obj=obj, action=name, actor=actor, source=source, target=obj.status, note=note, ip=ip,
                 data=data or {})
    return source


def cycle_transition(*, cycle: Cycle | int, name: str, actor, note: str = "", ip: str | None = None,
                     now: dt.datetime | None = None, system: bool = False) -> Cycle:
    """Run a simple cycle transition (open, close, start_judging, start_deliberation, archive).
    `system=True` is for the automatic close (no actor). start_notice and publish are acts:
    nominations.services.acts.cycle_act runs them with their inputs."""
    from nominations.rules import is_secretariat

    if not system and not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以管理评选周期。"))
    if name in CYCLE_ACT_TRANSITIONS:
        raise ConditionsUnmet(_("“%(label)s”须在“公示与发布”页面执行，并填写所需内容。") % {"label": _cycle_label(name)},
                              code="act_required")
    try:
        with transaction.atomic():
            obj = cycle_lock(cycle)
            now = now or timezone.now()
            cycle_transition_run(obj, name, actor=actor, now=now, note=note, ip=ip)
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该评选周期已被他人同时修改，请刷新后重试。")) from exc
    return obj


def _cycle_blockers(cycle: Cycle, name: str, *, now: dt.datetime, note: str = "") -> list[str]:
    if name == "close":  # before the announced deadline: only with a written reason
        from nominations.services.consequences import early_close_problems

        return early_close_problems(cycle, now=now, note=note)
    if name == "open":
        missing = []
        categories = list(cycle.categories.all())
        if not categories:
            missing.append(_("尚未设置申报类别。"))
        if cycle.closes_at <= now:
            missing.append(_("申报截止时间已过，请先调整申报时间。"))
        return missing
    return []


def cycle_available_transitions(cycle: Cycle) -> list[AvailableTransition]:
    return [AvailableTransition(name=t.name, label=_cycle_label(t.name), target=t.target)
            for t in cycle.get_available_status_transitions()]


def _cycle_label(name: str) -> str:
    from nominations.enums import CycleTransition

    return str(CycleTransition(name).label)


def cycles_close_expired(*, now: dt.datetime | None = None) -> list[int]:
    """Close every open cycle whose window has ended (the automatic `close`)."""
    now = now or timezone.now()
    closed = []
    for pk in Cycle.objects.filter(status=CycleState.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        try:
            cycle_transition(cycle=pk, name="close", actor=None, system=True, now=now,
                             note=_("申报截止，系统自动关闭"))
            closed.append(pk)
        except (InvalidState, ConcurrentChange):
            continue
    return closed
