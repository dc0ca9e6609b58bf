"""Assignments: manual creation, the one transition service, leaders, due dates, reminders.

Every service keeps the house order:
  transaction.atomic → lock/refetch (select_for_update) → permission and conditions (a
  clear error listing what is missing) → the @transition method → save(update_fields) →
  audit entry → side effects (e-mail) registered with transaction.on_commit.
Web views, the API, the admin and commands all call these functions; nothing else
writes Assignment.state.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_fsm import ConcurrentTransition

from judging import rules
from judging.enums import (
    ASSIGNABLE_STATES,
    LIVE_ASSIGNMENT,
    REVIEW_STATE,
    AssignmentState,
    AssignmentTransition,
    Stage,
)
from judging.errors import ConcurrentChange, InvalidState, JudgingError, NotPermitted
from judging.models import Assignment, JudgeProfile, person_name
from judging.selectors.conflicts import conflict_reasons
from judging.selectors.scoresheets import scoresheet_get
from judging.services.conflicts import _declare
from nominations.models import Application
from nominations.rules import JUDGE
from nominations.services.audit import audit_record

T = AssignmentTransition


def _state_label(state: str) -> str:
    return str(AssignmentState(state).label)


def _stage(stage: str) -> str:
    if stage not in Stage.values:
        msg = _("评审阶段应为 document（资料评审）或 site（现场评审）。")
        raise JudgingError(msg, code="invalid_stage", field_errors={"stage": [msg]})
    return stage


def judge_problem(judge) -> str | None:
    """Why `judge` cannot take assignments (None when they can)."""
    if judge is None or not judge.is_active or not judge.groups.filter(name=JUDGE).exists():
        return _("该用户不是评审专家库中的专家。")
    profile = JudgeProfile.objects.filter(user=judge).first()
    if profile is not None and not profile.active:
        return _("专家 %(name)s 已停用，不能分配任务。") % {"name": person_name(judge)}
    return None


def _notify_assigned(assignment_ids: list[int]) -> None:
    from judging.tasks import send_assignment_notice

    for pk in assignment_ids:
        send_assignment_notice.enqueue(pk)


def ensure_leader(*, application_id: int, stage: str, actor=None) -> Assignment | None:
    """Inside a transaction: make the earliest live assignment the panel leader when there is none."""
    live = Assignment.objects.filter(application_id=application_id, stage=stage, state__in=LIVE_ASSIGNMENT)
    leader = live.filter(is_leader=True).first()
    if leader is not None:
        return leader
    first = live.order_by("created_at", "id").first()
    if first is None:
        return None
    Assignment.objects.filter(pk=first.pk).update(is_leader=True)
    first.is_leader = True
    audit_record(obj=first, action="assignment.leader", actor=actor, target=first.state,
                 data={"application": application_id, "stage": stage, "judge": first.judge_id})
    return first


def assignment_create(*, application: Application | int, judge, stage: str, actor, due_at: dt.datetime | None = None,
                      is_leader: bool = False, now: dt.datetime | None = None, ip: str | None = None) -> Assignment:
    """The secretariat assigns a judge. A conflict or a duplicate is refused (400) with the
    reason; the application must be accepted / in document review (document stage) or in
    site review (site stage). The first live assignment of a panel becomes its leader."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以分配评审任务。"))
    stage = _stage(stage)
    now = now or timezone.now()
    pk = application.pk if isinstance(application, Application) else application
    problem = judge_problem(judge)
    if problem:
        raise JudgingError(problem, code="invalid_judge", field_errors={"judge": [problem]})
    if due_at is not None and due_at <= now:
        msg = _("完成期限必须晚于当前时间。")
        raise JudgingError(msg, code="invalid_due", field_errors={"due_at": [msg]})
    with transaction.atomic():
        app = Application.objects.select_for_update(of=("self",)).select_related("organization").get(pk=pk)
        if app.state not in ASSIGNABLE_STATES[stage]:
            raise InvalidState(_("该申报当前为“%(state)s”，不能分配%(stage)s专家。")
                               % {"state": app.get_state_display(), "stage": Stage(stage).label})
        existing = Assignment.objects.filter(application=app, judge=judge, stage=stage).first()
        if existing is not None:
            msg = (_("专家 %(name)s 已回避过该申报的%(stage)s，不能再次分配。")
                   if existing.state == AssignmentState.DECLINED else
                   _("专家 %(name)s 已分配到该申报的%(stage)s，不能重复分配。")) % {
                "name": person_name(judge), "stage": Stage(stage).label}
            raise JudgingError(msg, code="duplicate", field_errors={"judge": [msg]})
        reasons = conflict_reasons(judge=judge, organization=app.organization, now=now)
        if reasons:
            msg = _("专家 %(name)s 与申报单位存在利益冲突，须回避：%(reasons)s") % {
                "name": person_name(judge), "reasons": pgettext("reason separator", "；").join(reasons)}
            raise JudgingError(msg, code="conflict_of_interest", missing=reasons, field_errors={"judge": [msg]})
        if is_leader:
            Assignment.objects.filter(application=app, stage=stage, is_leader=True).update(is_leader=False)
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(application=app, judge=judge, stage=stage, due_at=due_at,
                                                       is_leader=bool(is_leader), assigned_by=actor)
        except IntegrityError as exc:
            msg = _("专家 %(name)s 已分配到该申报，不能重复分配。") % {"name": person_name(judge)}
            raise JudgingError(msg, code="duplicate", field_errors={"judge": [msg]}) from exc
        audit_record(obj=assignment, action="assignment.create", actor=actor, target=assignment.state, ip=ip,
                     data={"application": app.pk, "judge": judge.pk, "stage": stage, "leader": bool(is_leader),
                           "due_at": due_at.isoformat() if due_at else None})
        leader = ensure_leader(application_id=app.pk, stage=stage, actor=actor)
        assignment.is_leader = leader is not None and leader.pk == assignment.pk
        transaction.on_commit(lambda: _notify_assigned([assignment.pk]))
    return assignment


# -- the one transition service --------------------------------------------------------
def _check_permission_and_state(assignment: Assignment, name: str, actor):
    meta = getattr(Assignment, name)._django_fsm
    candidates = list(meta.transitions.values())
    label = T(name).label
    if not any(t.has_perm(assignment, actor) for t in candidates):
        raise NotPermitted(_("您无权执行“%(label)s”操作。") % {"label": label})
    transition = meta.get_transition(assignment.state)
    if transition is None:
        raise InvalidState(_("评审任务当前为“%(state)s”，不能执行“%(label)s”操作。")
                           % {"state": _state_label(assignment.state), "label": label})
    return transition


def _conditions(assignment: Assignment, name: str, *, actor, reason: str, now: dt.datetime) -> tuple[dict, list[str]]:
    """Arguments of the @transition method and what blocks it (400)."""
    app = assignment.application
    if name == T.ACCEPT:
        allowed = ASSIGNABLE_STATES[assignment.stage] | {REVIEW_STATE[assignment.stage]}
        if app.state not in allowed:
            raise InvalidState(_("该申报当前为“%(state)s”，不能接受评审任务。") % {"state": app.get_state_display()})
        reasons = conflict_reasons(judge=assignment.judge, organization=app.organization, now=now)
        if reasons:
            return {}, [_("您与该申报单位存在利益冲突，请选择回避：%(r)s") % {"r": pgettext("reason separator", "；").join(reasons)}]
        return {"now": now}, []
    if name == T.DECLINE:
        return {"now": now, "reason": reason}, ([] if reason else [_("请填写回避理由。")])
    if name == T.SUBMIT:
        if app.state != REVIEW_STATE[assignment.stage]:
            raise InvalidState(_("该申报当前不在“%(stage)s”阶段，不能提交评分。") % {"stage": assignment.get_stage_display()})
        if conflict_reasons(judge=assignment.judge, organization=app.organization, now=now):
            raise JudgingError(_("您与该申报单位存在利益冲突，不能提交评分。"), code="conflict_of_interest")
        sheet = scoresheet_get(assignment)
        return {"now": now, "sheet_raw": sheet.raw_total, "sheet_percents": sheet.percents_code}, sheet.missing
    if name == T.REOPEN:
        if app.state != REVIEW_STATE[assignment.stage]:
            raise InvalidState(_("该申报已不在“%(stage)s”阶段，不能退回评分表。") % {"stage": assignment.get_stage_display()})
        return {"now": now, "reason": reason}, ([] if reason else [_("请填写退回理由。")])
    raise JudgingError(_("未知的操作：%(name)s。") % {"name": name}, code="unknown_transition")


def assignment_transition(*, assignment: Assignment | int, name: str, actor, reason: str = "",
                          now: dt.datetime | None = None, ip: str | None = None) -> Assignment:
    """Run transition `name` (accept / decline / submit / reopen) as `actor`.
    Raises a WorkflowError and changes nothing when refused."""
    if name not in T.values:
        raise JudgingError(_("未知的操作：%(name)s。") % {"name": name}, code="unknown_transition")
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            obj = (Assignment.objects.select_for_update(of=("self",))
                   .select_related("application__organization", "application__category", "application__cycle",
                                   "judge").get(pk=pk))
            now = now or timezone.now()  # after the lock: never earlier than a save that held it before us
            if isinstance(assignment, Assignment) and assignment.state != obj.state:
                raise ConcurrentChange(_("该评审任务已被他人处理，请刷新页面后重试。"))
            source = obj.state
            _check_permission_and_state(obj, name, actor)
            kwargs, missing = _conditions(obj, name, actor=actor, reason=reason, now=now)
            if missing:
                if name == T.SUBMIT:
                    raise JudgingError(_("还有 %(n)d 个评分条款未评分：%(codes)s。")
                                       % {"n": len(missing), "codes": pgettext("list separator", "、").join(missing)},
                                       code="incomplete", missing=missing)
                raise JudgingError(missing[0], code="conditions_unmet", missing=missing)
            was_leader = obj.is_leader
            getattr(obj, name)(**kwargs)
            obj.save(update_fields=Assignment.TRANSITION_FIELDS)
            audit_record(obj=obj, action=f"assignment.{name}", actor=actor, source=source, target=obj.state,
                         note=reason, ip=ip, data={"application": obj.application_id, "stage": obj.stage,
                                                   "judge": obj.judge_id})
            if name == T.DECLINE:
                _declare(judge=obj.judge, organization=obj.application.organization, actor=actor,
                         reason=reason, now=now, ip=ip)
                if was_leader:
                    ensure_leader(application_id=obj.application_id, stage=obj.stage, actor=actor)
            if name == T.REOPEN:
                transaction.on_commit(lambda: _notify_reopened(obj.pk))
    except ConcurrentTransition as exc:
        raise ConcurrentChange(_("该评审任务已被他人同时处理，请刷新页面后重试。")) from exc
    if isinstance(assignment, Assignment) and assignment is not obj:
        assignment.refresh_from_db()
    return obj


def _notify_reopened(pk: int) -> None:
    from judging.tasks import send_reopen_notice

    send_reopen_notice.enqueue(pk)


def assignment_accept(*, assignment, actor, now=None, ip=None) -> Assignment:
    """The judge accepts, confirming no conflict of interest."""
    return assignment_transition(assignment=assignment, name=T.ACCEPT, actor=actor, now=now, ip=ip)


def assignment_decline(*, assignment, actor, reason: str, now=None, ip=None) -> Assignment:
    """The judge declines with a reason: records a declared conflict; the judge loses access."""
    return assignment_transition(assignment=assignment, name=T.DECLINE, actor=actor, reason=reason, now=now, ip=ip)


def assignment_submit(*, assignment, actor, now=None, ip=None) -> Assignment:
    """The judge submits a complete sheet; it is locked. Incomplete → 400 with `missing` codes."""
    return assignment_transition(assignment=assignment, name=T.SUBMIT, actor=actor, now=now, ip=ip)


def assignment_reopen(*, assignment, actor, reason: str, now=None, ip=None) -> Assignment:
    """The secretariat returns a submitted sheet to its judge, with a reason."""
    return assignment_transition(assignment=assignment, name=T.REOPEN, actor=actor, reason=reason, now=now, ip=ip)


# -- leader, due date, reminders ----------------------------------------------------------
def assignment_set_leader(*, assignment: Assignment, actor, ip: str | None = None) -> Assignment:
    """The secretariat names the panel leader (组长) of an application and stage."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以指定评审组组长。"))
    with transaction.atomic():
        obj = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if obj.state == AssignmentState.DECLINED:
            raise InvalidState(_("已回避的专家不能担任组长。"))
        if not obj.is_leader:
            Assignment.objects.filter(application_id=obj.application_id, stage=obj.stage, is_leader=True).update(
                is_leader=False)
            Assignment.objects.filter(pk=obj.pk).update(is_leader=True)
            obj.is_leader = True
            audit_record(obj=obj, action="assignment.leader", actor=actor, target=obj.state, ip=ip,
                         data={"application": obj.application_id, "stage": obj.stage, "judge": obj.judge_id})
    return obj


def assignment_set_due(*, assignment: Assignment, due_at: dt.datetime | None, actor, now: dt.datetime | None = None,
                       ip: str | None = None) -> Assignment:
    """Change one judge's due date; the reminder is re-armed for the new date."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以调整完成期限。"))
    now = now or timezone.now()
    if due_at is not None and due_at <= now:
        msg = _("完成期限必须晚于当前时间。")
        raise JudgingError(msg, code="invalid_due", field_errors={"due_at": [msg]})
    with transaction.atomic():
        obj = Assignment.objects.select_for_update().get(pk=assignment.pk)
        old = obj.due_at
        Assignment.objects.filter(pk=obj.pk).update(due_at=due_at, reminded_at=None)
        obj.due_at, obj.reminded_at = due_at, None
        audit_record(obj=obj, action="assignment.due", actor=actor, target=obj.state, ip=ip,
                     data={"old": old.isoformat() if old else None, "new": due_at.isoformat() if due_at else None})
    return obj


def assignments_send_due_reminders(*, within_days: int = 3, now: dt.datetime | None = None) -> list[int]:
    """E-mail judges whose unsubmitted assignments are due within `within_days`. Safe to run
    twice: each assignment is claimed by setting reminded_at (only if still empty)."""
    from judging.selectors.assignments import assignments_due
    from judging.tasks import send_due_reminder

    now = now or timezone.now()
    sent = []
    for pk in assignments_due(within_days=within_days, now=now).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now)
            if claimed:
                transaction.on_commit(lambda pk=pk: send_due_reminder.enqueue(pk))
                sent.append(pk)
    return sent

