"""The one path for every state change of an Application or a Cycle.

Every service here keeps the same order:
  transaction.atomic → lock/refetch → permission and conditions (a clear error
  listing what is missing) → the @transition method → save(update_fields) →
  audit entry → side effects registered with transaction.on_commit.
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
from nominations.signals import application_transitioned, cycle_transitioned

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
def _require_reason(note: str, what: str) -> list[str]:
    return [] if (note or "").strip() else [_("请填写%(what)s。") % {"what": what}]


def _prepare(application: Application, name: str, *, actor, note: str, now: dt.datetime,
             params: dict[str, Any]) -> tuple[dict[str, Any], list[str], dict]:
    """Compute the transition's arguments and what blocks it. Returns (kwargs, missing, audit data)."""
    from nominations.services import eligibility, intake  # local: these import this module

    if name == T.SUBMIT:
        missing = intake.application_submit_blockers(application, now=now)
        kwargs = {"now": now}
        if not missing and not application.reference:
            kwargs["reference"] = intake.reference_allocate(application.cycle_id)
        return kwargs, missing, {}
    if name == T.RETURN:
        missing = _require_reason(note, _("退回理由"))
        deadline = params.get("deadline") or (now + dt.timedelta(days=application.cycle.amendment_days))
        if deadline <= now:
            missing.append(_("补正截止时间必须晚于当前时间。"))
        return {"reason": note.strip(), "deadline": deadline}, missing, {"deadline": deadline.isoformat()}
    if name == T.ACCEPT:
        results = eligibility.eligibility_evaluate(application, now=now)
        failed = [r for r in results if not r["passed"]]
        override = (params.get("override_reason") or "").strip()
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


def application_transition(*, application: Application | int, name: str, actor, note: str = "",
                           ip: str | None = None, now: dt.datetime | None = None,
                           **params: Any) -> Application:
    """Run transition `name` on an application as `actor`. Raises a WorkflowError, changing nothing."""
    pk = application.pk if isinstance(application, Application) else application
    now = now or timezone.now()
    note = (note or "").strip()
    try:
        with transaction.atomic():
            app = (Application.objects.select_for_update(of=("self",))
                   .select_related("cycle__programme", "category", "organization", "nominee",
                                   "recommending_unit")
                   .filter(pk=pk).first())
            if app is None:
                raise NotFound(_("申报不存在。"))
            if isinstance(application, Application) and application.state != app.state:
                raise ConcurrentChange(_("该申报已被他人处理，请刷新页面后重试。"))
            source = app.state
            fsm_transition = _check(app, name, actor, source)
            kwargs, missing, data = _prepare(app, name, actor=actor, note=note, now=now, params=params)
            for guard in workflow.guards_for(name):
                missing.extend(guard(application=app, actor=actor, now=now, params=params))
            if missing:
                raise ConditionsUnmet(missing[0] if len(missing) == 1 else
                                      _("还不能执行“%(label)s”：%(n)d 项条件未满足。")
                                      % {"label": fsm_transition.custom.get("label", name), "n": len(missing)},
                                      missing=missing)
            getattr(app, _method_name(name))(**kwargs)
            app.save(update_fields=APPLICATION_FIELDS)
            for hook in workflow.apply_hooks_for(name):
                hook(application=app, actor=actor, now=now, note=note, params=params)
            audit_record(obj=app, action=name, actor=actor, source=source, target=app.state,
                         note=note, ip=ip, data=data)
            transaction.on_commit(lambda: application_transitioned.send(
                sender=Application, application_id=app.pk, name=name, source=source,
                target=app.state, actor_id=getattr(actor, "pk", None), note=note))
            for hook in workflow.after_commit_hooks_for(name):
                transaction.on_commit(lambda hook=hook: hook(application_id=app.pk, actor_id=getattr(actor, "pk", None)))
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
def cycle_transition(*, cycle: Cycle | int, name: str, actor, note: str = "", ip: str | None = None,
                     now: dt.datetime | None = None, system: bool = False, **params: Any) -> Cycle:
    """Run a cycle transition. `system=True` is for the automatic close (no actor)."""
    from nominations.rules import is_secretariat

    pk = cycle.pk if isinstance(cycle, Cycle) else cycle
    now = now or timezone.now()
    if not system and not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以管理评选周期。"))
    try:
        with transaction.atomic():
            obj = Cycle.objects.select_for_update().select_related("programme").filter(pk=pk).first()
            if obj is None:
                raise NotFound(_("评选周期不存在。"))
            meta = _meta(Cycle, name)
            transition = meta.get_transition(obj.status)
            if transition is None:
                raise InvalidState(_("评选周期当前为“%(state)s”，不能执行该操作。")
                                   % {"state": _state_label(obj, obj.status)})
            missing = _cycle_blockers(obj, name, now=now)
            for guard in workflow.guards_for(f"cycle.{name}"):
                missing.extend(guard(cycle=obj, actor=actor, now=now, params=params))
            if missing:
                raise ConditionsUnmet(missing[0], missing=missing)
            source = obj.status
            getattr(obj, name)()
            obj.save(update_fields=["status"])
            for hook in workflow.apply_hooks_for(f"cycle.{name}"):
                hook(cycle=obj, actor=actor, now=now, note=note, ip=ip, params=params)
            audit_record(obj=obj, action=name, actor=actor, source=source, target=obj.status,
                         note=note, ip=ip)
            transaction.on_commit(lambda: cycle_transitioned.send(
                sender=Cycle, cycle_id=obj.pk, name=name, source=source, target=obj.status))
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该评选周期已被他人同时修改，请刷新后重试。")) from exc
    return obj


def _cycle_blockers(cycle: Cycle, name: str, *, now: dt.datetime) -> list[str]:
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
