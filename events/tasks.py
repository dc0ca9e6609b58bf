"""E-mail of events, sent after commit. Tasks take ids, refetch, and are safe to run twice
(a second run sends the same message again, never a wrong one)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from events.enums import RegistrationState
from events.models import EventHost, Registration

KINDS = ("received", "promoted", "rescheduled", "cancelled", "cancelled_by_registrant", "reminder")
WITH_QR = {"received", "promoted", "rescheduled", "reminder"}


def registration_recipients(reg: Registration) -> list[str]:
    emails = {reg.contact_email, reg.organization.contact_email}
    return sorted(e for e in emails if e)


def _send(*, template: str, to: list[str], context: dict, attachments=()) -> bool:
    if not to:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}-body.txt", ctx)
        message = EmailMultiAlternatives(subject=subject, body=body, to=to)
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
    return True


@task()
def send_registration_email(registration_id: int, kind: str) -> int:
    from events.services.registrations import checkin_qr_png, checkin_url, waitlist_position

    reg = (Registration.objects.select_related("event", "organization").prefetch_related("attendees")
           .filter(pk=registration_id).first())
    if reg is None or kind not in KINDS:
        return 0
    confirmed = reg.status == RegistrationState.CONFIRMED
    attachments = []
    if confirmed and kind in WITH_QR:
        attachments.append((f"checkin-{reg.receipt}.png", checkin_qr_png(reg), "image/png"))
    context = {"reg": reg, "event": reg.event, "kind": kind, "confirmed": confirmed,
               "waitlisted": reg.status == RegistrationState.WAITLISTED, "position": waitlist_position(reg),
               "attendees": list(reg.attendees.all()), "checkin_url": checkin_url(reg) if confirmed else ""}
    return int(_send(template="event-registration", to=registration_recipients(reg), context=context,
                     attachments=attachments))


def secretariat_emails() -> list[str]:
    from nominations.rules import SECRETARIAT

    users = get_user_model().objects.filter(is_active=True, groups__name=SECRETARIAT).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@task()
def send_host_revoked(host_id: int) -> int:
    """Tell the secretariat that an event's host no longer holds its award."""
    host = EventHost.objects.select_related("event", "application").filter(pk=host_id).first()
    if host is None:
        return 0
    return int(_send(template="event-host-revoked", to=secretariat_emails(),
                     context={"host": host, "event": host.event}))
