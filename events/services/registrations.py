"""Enterprises' acts on an event: register, cancel (promoting the waiting list), check in.

Capacity is safe under concurrency: every act that changes who holds a place locks the
event row first (SELECT … FOR UPDATE), then counts the confirmed persons, so two
organizations taking the last place at once are served one after the other: one is
confirmed, the other waits. The waiting list is first in, first out, without overtaking:
when places free up, waiting registrations are confirmed in order while they fit.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.enums import ACTIVE_REGISTRATION, EventState, RegistrationState
from events.models import Attendee, Event, Registration, new_registration_receipt
from events.rules import host_organization_ids, is_member_of, may_manage_registration, may_register
from nominations.errors import ConditionsUnmet, InvalidState, NotPermitted, WorkflowError
from nominations.models import Organization
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record

C, W, X = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED, RegistrationState.CANCELLED
CHECKIN_SALT = "events.checkin"


def event_lock(event: Event | int) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    return Event.objects.select_for_update().get(pk=pk)


def _confirmed_persons(event: Event) -> int:
    return sum(Registration.objects.filter(event=event, status=C).values_list("persons", flat=True))


def waitlist_promote(event: Event, *, now: dt.datetime) -> list[Registration]:
    """Inside an act holding the event's lock: confirm waiting registrations in order while
    they fit; stop at the first that does not (nobody overtakes)."""
    free = event.capacity - _confirmed_persons(event)
    promoted = []
    for reg in Registration.objects.filter(event=event, status=W).order_by("waitlisted_at", "id"):
        if reg.persons > free:
            break
        reg.status, reg.confirmed_at = C, now
        reg.save(update_fields=["status", "confirmed_at"])
        free -= reg.persons
        promoted.append(reg)
    return promoted


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != W:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=W).filter(
        waitlisted_at__lt=registration.waitlisted_at).count()
    ahead += Registration.objects.filter(event_id=registration.event_id, status=W,
                                         waitlisted_at=registration.waitlisted_at, id__lt=registration.pk).count()
    return ahead + 1


def _clean_attendees(attendees, limit: int) -> tuple[list[dict], dict[str, list[str]]]:
    rows, errors = [], {}
    for raw in attendees or []:
        if not isinstance(raw, dict):
            errors["attendees"] = [_("参会人员格式不正确。")]
            return [], errors
        row = {k: str(raw.get(k) or "").strip() for k in ("name", "position", "phone")}
        if any(row.values()):
            rows.append(row)
    if not rows:
        errors["attendees"] = [_("请至少填写一名参会人员。")]
    elif any(not r["name"] or not r["phone"] for r in rows):
        errors["attendees"] = [_("每名参会人员都需填写姓名和联系电话。")]
    elif any(len(r["name"]) > 50 or len(r["position"]) > 100 or len(r["phone"]) > 30 for r in rows):
        errors["attendees"] = [_("姓名不超过 50 字，职务不超过 100 字，电话不超过 30 位。")]
    elif len(rows) > limit:
        errors["attendees"] = [_("每家单位最多报名 %(n)d 人，您填写了 %(m)d 人。") % {"n": limit, "m": len(rows)}]
    elif len({r["name"] for r in rows}) != len(rows):
        errors["attendees"] = [_("参会人员姓名重复。")]
    return rows, errors


def _refuse(errors: dict[str, list[str]]) -> WorkflowError:
    first = next(iter(errors.values()))[0]
    return ConditionsUnmet(first, code="registration_refused", field_errors=errors)


def _window_errors(event: Event, now: dt.datetime) -> list[str]:
    if event.state == EventState.CANCELLED:
        return [_("该活动已取消，不能报名。")]
    if event.state == EventState.DONE or now >= event.starts_at:
        return [_("该活动已开始或已结束，不能报名。")]
    fmt = "%Y-%m-%d %H:%M"
    if now < event.registration_opens_at:
        return [_("报名尚未开始（%(at)s 开始）。") % {"at": timezone.localtime(event.registration_opens_at).strftime(fmt)}]
    if now >= event.registration_closes_at:
        return [_("报名已于 %(at)s 截止。") % {"at": timezone.localtime(event.registration_closes_at).strftime(fmt)}]
    return []


def registration_create(*, event: Event | int, organization: Organization | int | None, attendees, actor,
                        ip: str | None = None, now: dt.datetime | None = None) -> Registration:
    """Register an organization with named attendees. Effects: lock the event → the caller is
    a member of the organization, inside the window, not cancelled, within the per-organization
    limit, not registered yet, not a host → confirmed when nobody waits and the persons fit the
    remaining places, else waitlisted at the end of the list → the registration with a human
    receipt and its attendees → audit entry → on commit, the confirmation e-mail (time, place,
    check-in QR code) or the waiting-list e-mail with the position."""
    if not may_register(actor):
        raise NotPermitted(_("请使用申报单位（企业）账号报名。"))
    org_id = organization.pk if isinstance(organization, Organization) else organization
    if not str(org_id or "").isdigit() or not is_member_of(actor, int(org_id)):
        raise _refuse({"organization": [_("请选择您所属的单位。")]})
    org_id = int(org_id)
    with transaction.atomic():
        locked = event_lock(event)
        now = now or timezone.now()
        window = _window_errors(locked, now)
        if window:
            raise ConditionsUnmet(window[0], code="registration_closed", missing=window)
        rows, errors = _clean_attendees(attendees, locked.per_organization_limit)
        if org_id in host_organization_ids(locked):
            errors["organization"] = [_("主办单位无需报名本单位主办的活动。")]
        elif Registration.objects.filter(event=locked, organization_id=org_id, status__in=ACTIVE_REGISTRATION).exists():
            errors["organization"] = [_("本单位已报名该活动，不能重复报名；如需调整人员，请先取消原报名。")]
        if errors:
            raise _refuse(errors)
        persons = len(rows)
        if persons > locked.capacity:
            raise _refuse({"attendees": [_("活动名额共 %(n)d 人，请减少参会人数。") % {"n": locked.capacity}]})
        waiting = Registration.objects.filter(event=locked, status=W).exists()
        fits = not waiting and _confirmed_persons(locked) + persons <= locked.capacity
        status = C if fits else W
        email = (getattr(actor, "email", "") or "").strip()
        reg = None
        for _attempt in range(8):  # a receipt collision (1 in 33 million) just draws again
            try:
                with transaction.atomic():
                    reg = Registration.objects.create(
                        event=locked, organization_id=org_id, receipt=new_registration_receipt(now), status=status,
                        persons=persons, contact_email=email, created_by=actor, created_at=now,
                        confirmed_at=now if fits else None, waitlisted_at=None if fits else now)
                break
            except IntegrityError:
                if Registration.objects.filter(event=locked, organization_id=org_id,
                                               status__in=ACTIVE_REGISTRATION).exists():
                    raise _refuse({"organization": [_("本单位已报名该活动，不能重复报名。")]}) from None
        if reg is None:
            raise WorkflowError(_("系统繁忙，请稍后再试。"))
        Attendee.objects.bulk_create([Attendee(registration=reg, order=i, **row) for i, row in enumerate(rows)])
        reg.position = None if fits else waitlist_position(reg)
        audit_record(obj=reg, action="registration.create", actor=actor, target=reg.status, ip=ip,
                     data={"event": locked.pk, "organization": org_id, "receipt": reg.receipt, "persons": persons,
                           "position": reg.position})
        from events import tasks

        pk = reg.pk
        transaction.on_commit(lambda: tasks.send_registration_email.enqueue(pk, "received"))
    return reg


def registration_cancel(*, registration: Registration | int, actor, ip: str | None = None,
                        now: dt.datetime | None = None) -> tuple[Registration, list[Registration]]:
    """Cancel a registration (its organization's member or the secretariat), before the event
    starts. Effects: lock the event, then the registration → cancelled → the waiting list
    promoted in order while places fit → audit entry → on commit, the cancellation e-mail and
    one e-mail to each promoted registrant."""
    pk = registration.pk if isinstance(registration, Registration) else registration
    event_id = Registration.objects.filter(pk=pk).values_list("event_id", flat=True).first()
    with transaction.atomic():
        locked = event_lock(event_id)
        reg = Registration.objects.select_for_update().get(pk=pk)
        if not may_manage_registration(actor, reg):
            raise NotPermitted(_("只有报名单位或秘书处可以取消该报名。"))
        now = now or timezone.now()
        if reg.status not in ACTIVE_REGISTRATION:
            raise InvalidState(_("该报名已取消。"))
        if locked.state != EventState.SCHEDULED or now >= locked.starts_at:
            raise InvalidState(_("活动已开始、已结束或已取消，不能再取消报名。"))
        source = reg.status
        reg.status, reg.cancelled_at = X, now
        reg.save(update_fields=["status", "cancelled_at"])
        promoted = waitlist_promote(locked, now=now) if source == C else []
        audit_record(obj=reg, action="registration.cancel", actor=actor, source=source, target=reg.status, ip=ip,
                     data={"event": locked.pk, "receipt": reg.receipt, "promoted": [r.receipt for r in promoted]})
        from events import tasks

        ids = [r.pk for r in promoted]
        transaction.on_commit(lambda: tasks.send_registration_email.enqueue(pk, "cancelled_by_registrant"))
        transaction.on_commit(lambda: [tasks.send_registration_email.enqueue(i, "promoted") for i in ids])
    return reg, promoted


def registration_check_in(*, registration: Registration | int, actor, attendee_ids: list[int] | None = None,
                          ip: str | None = None, now: dt.datetime | None = None) -> Registration:
    """Check attendees in at the door (secretariat): all of the registration's attendees, or
    the named ones. Effects: lock → the registration is confirmed and the event not cancelled
    → attendees not yet checked in get the time → audit entry. Checking in twice is harmless."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以办理签到。"))
    pk = registration.pk if isinstance(registration, Registration) else registration
    with transaction.atomic():
        reg = Registration.objects.select_for_update().select_related("event", "organization").get(pk=pk)
        now = now or timezone.now()
        if reg.event.state == EventState.CANCELLED:
            raise InvalidState(_("活动已取消。"))
        if reg.status != C:
            raise InvalidState(_("该报名%(status)s，不能签到。") % {"status": reg.get_status_display()})
        qs = reg.attendees.filter(checked_in_at__isnull=True)
        if attendee_ids is not None:
            ids = [int(i) for i in map(str, attendee_ids) if i.isascii() and i.isdecimal() and len(i) < 19]
            if not ids or reg.attendees.filter(pk__in=ids).count() != len(set(ids)):
                msg = _("请选择本报名中的参会人员。")
                raise ConditionsUnmet(msg, field_errors={"attendees": [msg]})
            qs = qs.filter(pk__in=ids)
        names = list(qs.values_list("name", flat=True))
        if names:
            qs.update(checked_in_at=now)
            audit_record(obj=reg, action="registration.check_in", actor=actor, target=reg.status, ip=ip,
                         data={"event": reg.event_id, "receipt": reg.receipt, "attendees": names})
    return reg


# -- the check-in QR code ----------------------------------------------------------------
def checkin_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "c": registration.receipt}, salt=CHECKIN_SALT, compress=True)


def checkin_url(registration: Registration) -> str:
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('events:checkin_scan', args=[checkin_token(registration)])}"


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=CHECKIN_SALT)
    except signing.BadSignature:
        return None
    return (Registration.objects.select_related("event", "organization").prefetch_related("attendees")
            .filter(pk=data.get("r"), receipt=data.get("c")).first())


def checkin_qr_png(registration: Registration, *, scale: int = 6) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    # A fixed data mask (any of the eight is valid): segno otherwise scores all eight, most of
    # the cost of a code (as for certificates, nominations/pdf/certificates.py).
    segno.make_qr(checkin_url(registration), error="m", mask=2).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
