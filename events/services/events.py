"""The secretariat's acts on an event: create, update (reschedule), cancel, close.

Every act keeps the house order: transaction.atomic → lock the event row → permission and
conditions (a clear error naming the field) → write with update_fields → audit entry →
e-mail on commit. Web views, the API and the admin call these functions only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.enums import EventKind, EventState, RegistrationState
from events.models import Event, EventHost, Registration
from events.services.registrations import event_lock, waitlist_promote
from nominations.enums import ApplicationState
from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import AwardRecord
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record

EDITABLE = ("kind", "title", "topic", "description", "starts_at", "ends_at", "location", "capacity",
            "per_organization_limit", "registration_opens_at", "registration_closes_at", "show_phones_to_host")
RESCHEDULE_FIELDS = ("starts_at", "ends_at", "location")


@dataclass
class EventInput:
    kind: str = ""
    title: str = ""
    topic: str = ""
    description: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    location: str = ""
    capacity: int | None = None
    per_organization_limit: int | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    show_phones_to_host: bool = False
    host_applications: list[int] = field(default_factory=list)


def _secretariat(actor) -> None:
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以安排交流活动。"))


def _invalid(errors: dict[str, list[str]]) -> WorkflowError:
    first = next(iter(errors.values()))[0]
    return WorkflowError(first, code="invalid", field_errors=errors)


def _check(values: dict, *, confirmed: int = 0) -> dict[str, list[str]]:
    """Field errors of an event's values (all fields present)."""
    errors: dict[str, list[str]] = {}

    def add(name, msg):
        errors.setdefault(name, []).append(msg)

    if values["kind"] not in EventKind.values:
        add("kind", _("请选择活动类型：标杆企业参观交流或获奖组织经验交流会。"))
    for name, label in (("title", _("活动名称")), ("location", _("地点"))):
        if not (values[name] or "").strip():
            add(name, _("请填写%(label)s。") % {"label": label})
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if values[name] is None:
            add(name, _("请填写时间。"))
    if not errors.get("starts_at") and not errors.get("ends_at") and values["ends_at"] <= values["starts_at"]:
        add("ends_at", _("结束时间应晚于开始时间。"))
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens and closes:
        if closes <= opens:
            add("registration_closes_at", _("报名截止时间应晚于报名开始时间。"))
        elif values["starts_at"] and closes > values["starts_at"]:
            add("registration_closes_at", _("报名应在活动开始前截止。"))
    capacity, limit = values["capacity"], values["per_organization_limit"]
    if not capacity or capacity < 1:
        add("capacity", _("名额至少为 1 人。"))
    elif capacity < confirmed:
        add("capacity", _("已有 %(n)d 人报名成功，名额不能少于该人数；如需减少，请先与报名单位沟通取消。")
            % {"n": confirmed})
    if not limit or limit < 1:
        add("per_organization_limit", _("每单位限报人数至少为 1 人。"))
    elif capacity and limit > capacity:
        add("per_organization_limit", _("每单位限报人数不能超过活动名额。"))
    return errors


def _host_awards(kind: str, application_ids) -> tuple[list[AwardRecord], dict[str, list[str]]]:
    ids = []
    for raw in application_ids or []:
        if not str(raw).isdigit():
            return [], {"host_applications": [_("主办单位应为已发布获奖申报的编号。")]}
        if int(raw) not in ids:
            ids.append(int(raw))
    if not ids:
        return [], {"host_applications": [_("请选择主办（分享）的获奖单位。")]}
    if kind == EventKind.EXCHANGE_VISIT and len(ids) != 1:
        return [], {"host_applications": [_("标杆企业参观交流由一家获奖单位主办。")]}
    awards = {a.application_id: a for a in AwardRecord.objects.select_related("programme").filter(
        application_id__in=ids, application__state=ApplicationState.PUBLISHED, revoked_at__isnull=True)}
    missing = [i for i in ids if i not in awards]
    if missing:
        return [], {"host_applications": [_("以下申报不是已发布的获奖者，不能作为主办单位：%(ids)s。")
                                          % {"ids": pgettext("list separator", "、").join(str(i) for i in missing)}]}
    return [awards[i] for i in ids], {}


def _write_hosts(event: Event, awards: list[AwardRecord]) -> None:
    EventHost.objects.filter(event=event).delete()
    EventHost.objects.bulk_create([
        EventHost(event=event, application_id=a.application_id, organization_id=a.organization_id,
                  name=a.holder_name, title=a.title, award=a.programme.name, order=i)
        for i, a in enumerate(awards)])


def _strip(values: dict) -> dict:
    for name in ("title", "topic", "description", "location"):
        values[name] = (values.get(name) or "").strip()
    return values


def event_create(*, actor, data: EventInput, ip: str | None = None) -> Event:
    """Create an event hosted by published winners. Effects: the hosts' public names and
    award titles copied from their frozen award records → the event → audit entry."""
    _secretariat(actor)
    values = _strip({name: getattr(data, name) for name in EDITABLE})
    errors = _check(values)
    awards, host_errors = _host_awards(values["kind"], data.host_applications)
    errors.update(host_errors)
    if errors:
        raise _invalid(errors)
    if not values["topic"]:
        values["topic"] = "；".join(a.title for a in awards if a.title)
    with transaction.atomic():
        event = Event.objects.create(**values, created_by=actor)
        _write_hosts(event, awards)
        audit_record(obj=event, action="event.create", actor=actor, target=event.state, ip=ip,
                     data={"title": event.title, "kind": event.kind, "hosts": [a.application_id for a in awards],
                           "starts_at": event.starts_at.isoformat(), "capacity": event.capacity})
    return event


def _active_ids(event: Event) -> list[int]:
    return list(Registration.objects.filter(event=event, status__in=[RegistrationState.CONFIRMED,
                                                                     RegistrationState.WAITLISTED])
                .values_list("pk", flat=True))


def _confirmed_persons(event: Event) -> int:
    return sum(Registration.objects.filter(event=event, status=RegistrationState.CONFIRMED)
               .values_list("persons", flat=True))


def _value(v):
    return v.isoformat() if isinstance(v, dt.datetime) else v


def same_to_the_minute(old, new) -> bool:
    """Equal as people see them: the desk's form, the pages and the e-mails show times to the
    minute, so two times within the same minute are the same time to a registrant."""
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return old == new


def _rescheduled(changed: dict) -> bool:
    """A new place, or a new time to the minute (a change of seconds is stored, not announced)."""
    return any(name in changed and not same_to_the_minute(*changed[name]) for name in RESCHEDULE_FIELDS)


def event_update(*, event: Event | int, actor, changes: dict, host_applications: list[int] | None = None,
                 ip: str | None = None, now: dt.datetime | None = None) -> Event:
    """Edit a scheduled event; a new time (to the minute) or place is a reschedule. Effects: lock → checks on
    the resulting values (capacity not below the confirmed persons) → save → hosts re-frozen
    when changed → a larger capacity promotes the waiting list → audit entry with old and new
    values → on commit: every registrant e-mailed when rescheduled (and their day-before
    reminder re-armed), each promoted registrant e-mailed."""
    _secretariat(actor)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise _invalid({name: [_("该字段不能修改。")] for name in unknown})
    with transaction.atomic():
        locked = event_lock(event)
        now = now or timezone.now()
        if locked.state != EventState.SCHEDULED:
            raise InvalidState(_("活动%(state)s，不能再修改。") % {"state": locked.get_state_display()})
        values = _strip({name: changes.get(name, getattr(locked, name)) for name in EDITABLE})
        errors = _check(values, confirmed=_confirmed_persons(locked))
        if values["starts_at"] and values["starts_at"] != locked.starts_at and values["starts_at"] <= now:
            # A reschedule tells every registrant a new time: it must be one they can still come to.
            errors.setdefault("starts_at", []).append(_("改期后的开始时间已过，请改到将来的时间。"))
        awards = None
        if host_applications is not None:
            awards, host_errors = _host_awards(values["kind"], host_applications)
            errors.update(host_errors)
        elif values["kind"] == EventKind.EXCHANGE_VISIT and locked.hosts.count() != 1:
            errors["kind"] = [_("标杆企业参观交流由一家获奖单位主办。")]
        if errors:
            raise _invalid(errors)
        changed = {name: (getattr(locked, name), values[name]) for name in EDITABLE
                   if getattr(locked, name) != values[name]}
        for name, (_old, new) in changed.items():
            setattr(locked, name, new)
        if changed:
            locked.save(update_fields=list(changed))
        if awards is not None and [a.application_id for a in awards] != list(
                locked.hosts.order_by("order", "id").values_list("application_id", flat=True)):
            _write_hosts(locked, awards)
            changed["hosts"] = (None, [a.application_id for a in awards])
        rescheduled = _rescheduled(changed)
        if rescheduled:
            Registration.objects.filter(event=locked).update(reminded_at=None)
        promoted = waitlist_promote(locked, now=now) if "capacity" in changed else []
        if changed:
            audit_record(obj=locked, action="event.reschedule" if rescheduled else "event.update", actor=actor,
                         target=locked.state, ip=ip,
                         data={"changes": {k: {"old": _value(o), "new": _value(n)} for k, (o, n) in changed.items()},
                               "promoted": [r.receipt for r in promoted]})
        from events import tasks

        if rescheduled:
            ids = _active_ids(locked)
            transaction.on_commit(lambda: [tasks.send_registration_email.enqueue(pk, "rescheduled") for pk in ids])
        promoted_ids = [r.pk for r in promoted]
        transaction.on_commit(lambda: [tasks.send_registration_email.enqueue(pk, "promoted") for pk in promoted_ids])
    return locked


def event_cancel(*, event: Event | int, actor, reason: str, ip: str | None = None,
                 now: dt.datetime | None = None) -> Event:
    """Cancel a scheduled event, with a reason. Effects: lock → state cancelled → audit entry →
    on commit, every registrant (confirmed and waiting) e-mailed with the reason."""
    _secretariat(actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        msg = (_("请填写取消原因，将通知所有报名单位。") if not reason
               else _("取消原因不超过 2000 字。"))
        raise ConditionsUnmet(msg, field_errors={"reason": [msg]})
    with transaction.atomic():
        locked = event_lock(event)
        now = now or timezone.now()
        if locked.state != EventState.SCHEDULED:
            raise InvalidState(_("活动%(state)s，不能取消。") % {"state": locked.get_state_display()})
        locked.state, locked.cancel_reason, locked.cancelled_at = EventState.CANCELLED, reason, now
        locked.save(update_fields=["state", "cancel_reason", "cancelled_at"])
        ids = _active_ids(locked)
        audit_record(obj=locked, action="event.cancel", actor=actor, source=EventState.SCHEDULED,
                     target=locked.state, note=reason, ip=ip, data={"registrations": len(ids)})
        from events import tasks

        transaction.on_commit(lambda: [tasks.send_registration_email.enqueue(pk, "cancelled") for pk in ids])
    return locked


def event_close(*, event: Event | int, actor, attendance, summary: str, ip: str | None = None,
                now: dt.datetime | None = None) -> Event:
    """Record an event that took place: attendance (persons) and a short summary shown on the
    public page. Effects: lock → the event has ended → state done → audit entry."""
    _secretariat(actor)
    summary = (summary or "").strip()
    errors: dict[str, list[str]] = {}
    text = str(attendance if attendance is not None else "").strip()
    # ASCII digits only ("²" and "５" pass isdigit() but not int()), and within the column's range.
    if not (text.isascii() and text.isdecimal()) or int(text) > 100000:
        errors["attendance"] = [_("请填写实到人数（0–100000 的整数）。")]
    if not summary:
        errors["summary"] = [_("请填写活动纪要，将在公开页面展示。")]
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        locked = event_lock(event)
        now = now or timezone.now()
        if locked.state != EventState.SCHEDULED:
            raise InvalidState(_("活动%(state)s，不能再登记结果。") % {"state": locked.get_state_display()})
        if now < locked.ends_at:
            raise InvalidState(_("活动尚未结束（%(end)s 结束），结束后才能登记实到人数和纪要。")
                               % {"end": timezone.localtime(locked.ends_at).strftime("%Y-%m-%d %H:%M")})
        locked.state, locked.attendance, locked.summary, locked.closed_at = (
            EventState.DONE, int(text), summary, now)
        locked.save(update_fields=["state", "attendance", "summary", "closed_at"])
        audit_record(obj=locked, action="event.close", actor=actor, source=EventState.SCHEDULED,
                     target=locked.state, ip=ip, data={"attendance": locked.attendance})
    return locked
