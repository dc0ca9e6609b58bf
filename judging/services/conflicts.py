"""Writing conflicts of interest (回避). Every decision is audited in the same transaction.

Order in every service: transaction.atomic → lock/refetch → permission and conditions →
write → save(update_fields) → audit entry → side effects on commit.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import rules
from judging.enums import ConflictSource, ConflictStatus
from judging.errors import JudgingError, NotFound, NotPermitted
from judging.models import Conflict
from judging.selectors.conflicts import detected_conflicts
from nominations.services.audit import audit_record

DECISION_FIELDS = ["source", "reason", "status", "pinned", "decided_by", "decided_at", "decision_note"]


def _audit(conflict: Conflict, action: str, actor, *, source: str = "", note: str = "", ip=None) -> None:
    audit_record(obj=conflict, action=action, actor=actor, source=source, target=conflict.status, note=note,
                 ip=ip, data={"judge": conflict.judge_id, "organization": conflict.organization_id,
                              "source": conflict.source, "pinned": conflict.pinned})


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        msg = _("请填写%(what)s。") % {"what": what}
        raise JudgingError(msg, code="reason_required", field_errors={"reason": [msg]})
    return reason


def conflict_declare(*, judge, organization, actor, reason: str, now: dt.datetime | None = None,
                     ip: str | None = None) -> Conflict:
    """The judge declares a conflict with an organization (profile, or declining a task).
    Re-activates a dismissed record: the judge's own declaration always counts."""
    if actor is None or actor.pk != judge.pk:
        raise NotPermitted(_("只能由专家本人声明回避。"))
    reason = _require_reason(reason, _("回避理由"))
    with transaction.atomic():
        return _declare(judge=judge, organization=organization, actor=actor, reason=reason,
                        now=now or timezone.now(), ip=ip)


def _declare(*, judge, organization, actor, reason: str, now: dt.datetime, ip=None) -> Conflict:
    """Inside the caller's transaction (also used by assignment_decline)."""
    conflict = Conflict.objects.select_for_update().filter(judge=judge, organization=organization).first()
    if conflict is None:
        conflict = Conflict.objects.create(judge=judge, organization=organization, source=ConflictSource.DECLARED,
                                           reason=reason, created_by=actor, decided_by=actor, decided_at=now)
        _audit(conflict, "conflict.declare", actor, note=reason, ip=ip)
        return conflict
    source = conflict.status
    if conflict.status == ConflictStatus.DISMISSED:
        conflict.status = ConflictStatus.ACTIVE
        conflict.source = ConflictSource.DECLARED
        conflict.reason = reason
    elif conflict.source == ConflictSource.DECLARED:
        conflict.reason = reason
    else:  # an active detected / secretariat record stays as it is; the declaration is noted
        conflict.decision_note = reason
    conflict.decided_by, conflict.decided_at = actor, now
    conflict.save(update_fields=DECISION_FIELDS)
    _audit(conflict, "conflict.declare", actor, source=source, note=reason, ip=ip)
    return conflict


def conflict_add(*, judge, organization, actor, reason: str, pinned: bool = True, now: dt.datetime | None = None,
                 ip: str | None = None) -> Conflict:
    """The secretariat records a conflict (pinned by default: the judge cannot remove it)."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以认定利益冲突。"))
    reason = _require_reason(reason, _("认定理由"))
    now = now or timezone.now()
    with transaction.atomic():
        conflict = Conflict.objects.select_for_update().filter(judge=judge, organization=organization).first()
        source = conflict.status if conflict else ""
        if conflict is None:
            conflict = Conflict(judge=judge, organization=organization, created_by=actor)
        conflict.source, conflict.reason, conflict.status = ConflictSource.SECRETARIAT, reason, ConflictStatus.ACTIVE
        conflict.pinned, conflict.decided_by, conflict.decided_at = bool(pinned), actor, now
        if conflict.pk:
            conflict.save(update_fields=DECISION_FIELDS)
        else:
            conflict.save()
        _audit(conflict, "conflict.add", actor, source=source, note=reason, ip=ip)
    return conflict


def conflict_dismiss(*, conflict: Conflict, actor, reason: str, now: dt.datetime | None = None,
                     ip: str | None = None) -> Conflict:
    """The secretariat dismisses a conflict (e.g. a false positive). A dismissed record stays
    dismissed: detection never re-activates it (only a new declaration or conflict_add does)."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以排除利益冲突。"))
    reason = _require_reason(reason, _("排除理由"))
    with transaction.atomic():
        obj = Conflict.objects.select_for_update().get(pk=conflict.pk)
        if obj.status == ConflictStatus.DISMISSED:
            raise JudgingError(_("该回避记录已被排除。"), code="invalid_state")
        source = obj.status
        obj.status, obj.pinned = ConflictStatus.DISMISSED, False
        obj.decided_by, obj.decided_at, obj.decision_note = actor, now or timezone.now(), reason
        obj.save(update_fields=DECISION_FIELDS)
        _audit(obj, "conflict.dismiss", actor, source=source, note=reason, ip=ip)
    return obj


def conflict_dismiss_detected(*, judge, organization, actor, reason: str, now: dt.datetime | None = None,
                              ip: str | None = None) -> Conflict:
    """Dismiss a detection that has no record yet (records it, then dismisses it)."""
    if not rules.may_manage_judging(actor):
        raise NotPermitted(_("只有秘书处可以排除利益冲突。"))
    with transaction.atomic():
        conflict = Conflict.objects.filter(judge=judge, organization=organization).first()
        if conflict is None:
            reasons = detected_conflicts([judge], [organization], now=now).get((judge.pk, organization.pk), [])
            if not reasons:
                raise JudgingError(_("未检测到该专家与该单位的利益冲突。"), code="no_conflict")
            conflict = Conflict.objects.create(judge=judge, organization=organization, source=ConflictSource.DETECTED,
                                               reason="；".join(reasons), created_by=actor)
            _audit(conflict, "conflict.detect", actor, ip=ip)
        return conflict_dismiss(conflict=conflict, actor=actor, reason=reason, now=now, ip=ip)


def conflict_withdraw(*, conflict: Conflict, actor, ip: str | None = None) -> None:
    """The judge withdraws a conflict they declared. Pinned, detected or secretariat records
    cannot be removed by the judge. The record is deleted (the audit keeps it), so any
    detection from facts applies again."""
    with transaction.atomic():
        obj = Conflict.objects.select_for_update().filter(pk=conflict.pk).first()
        if obj is None or actor is None or obj.judge_id != actor.pk:
            raise NotFound(_("回避记录不存在。"))
        if obj.pinned:
            raise NotPermitted(_("该回避记录已由秘书处锁定，您不能撤销。"))
        if obj.source != ConflictSource.DECLARED or obj.status != ConflictStatus.ACTIVE:
            raise NotPermitted(_("只有您本人声明且仍有效的回避可以撤销；其他记录请联系秘书处。"))
        audit_record(obj=obj, action="conflict.withdraw", actor=actor, source=obj.status, target="withdrawn",
                     ip=ip, data={"judge": obj.judge_id, "organization": obj.organization_id, "reason": obj.reason})
        obj.delete()


def conflicts_scan(*, judges, organizations, actor=None, now: dt.datetime | None = None) -> list[Conflict]:
    """Record detected conflicts that have no record yet (never touches existing records,
    so a dismissed pair stays dismissed). Returns the new records."""
    organizations = list(organizations)
    detected = detected_conflicts(judges, organizations, now=now)
    if not detected:
        return []
    orgs = {o.pk: o for o in organizations}
    created = []
    with transaction.atomic():
        existing = set(Conflict.objects.filter(judge_id__in=[pair[0] for pair in detected],
                                               organization_id__in=[pair[1] for pair in detected])
                       .values_list("judge_id", "organization_id"))
        for (judge_id, org_id), reasons in sorted(detected.items()):
            if (judge_id, org_id) in existing:
                continue
            conflict = Conflict.objects.create(judge_id=judge_id, organization=orgs[org_id],
                                               source=ConflictSource.DETECTED, reason="；".join(reasons),
                                               created_by=actor if getattr(actor, "is_authenticated", False) else None)
            _audit(conflict, "conflict.detect", actor)
            created.append(conflict)
    return created


def conflicts_scan_cycle(*, cycle, actor=None, now: dt.datetime | None = None) -> list[Conflict]:
    """Scan every judge (and committee member) against every applicant of a cycle."""
    from django.contrib.auth import get_user_model

    from nominations.models import Organization
    from nominations.rules import COMMITTEE, JUDGE

    people = list(get_user_model().objects.filter(groups__name__in=[JUDGE, COMMITTEE]).distinct()
                  .values_list("pk", flat=True))
    orgs = Organization.objects.filter(applications__cycle=cycle).distinct()
    return conflicts_scan(judges=people, organizations=orgs, actor=actor, now=now)
