"""Scheduled work of events, run by `manage.py send_due_reminders` (cron, safe to run twice):
the day-before reminder to each confirmed registration, and telling the secretariat once
when an event's host has had its award revoked."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from events.enums import EventState, RegistrationState
from events.models import EventHost, Registration
from nominations.enums import ApplicationState


def registrations_due_reminder(*, now: dt.datetime):
    """Confirmed registrations of scheduled events that start tomorrow (local date) or within
    the next 24 hours, not reminded yet."""
    today = timezone.localdate(now)
    local = timezone.get_current_timezone()
    end_of_tomorrow = dt.datetime.combine(today + dt.timedelta(days=2), dt.time.min, tzinfo=local)
    return Registration.objects.filter(
        status=RegistrationState.CONFIRMED, reminded_at__isnull=True, event__state=EventState.SCHEDULED,
        event__starts_at__gt=now, event__starts_at__lt=max(end_of_tomorrow, now + dt.timedelta(days=1)))


def events_send_reminders(*, now: dt.datetime | None = None) -> list[int]:
    """E-mail every registration due a reminder, once: each is claimed by setting reminded_at
    only if still empty (a second run, or a second cron host, finds nothing to claim)."""
    from events.tasks import send_registration_email

    now = now or timezone.now()
    sent = []
    for pk in list(registrations_due_reminder(now=now).values_list("pk", flat=True)):
        with transaction.atomic():
            if Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                transaction.on_commit(lambda pk=pk: send_registration_email.enqueue(pk, "reminder"))
                sent.append(pk)
    return sent


def hosts_revoked_unnotified():
    return EventHost.objects.filter(application__state=ApplicationState.REVOKED, revoke_notified_at__isnull=True,
                                    event__state=EventState.SCHEDULED)


def events_notify_revoked_hosts(*, now: dt.datetime | None = None) -> list[int]:
    """E-mail the secretariat once per scheduled event whose host's award was revoked."""
    from events.tasks import send_host_revoked

    now = now or timezone.now()
    sent = []
    for pk in list(hosts_revoked_unnotified().values_list("pk", flat=True)):
        with transaction.atomic():
            if EventHost.objects.filter(pk=pk, revoke_notified_at__isnull=True).update(revoke_notified_at=now):
                transaction.on_commit(lambda pk=pk: send_host_revoked.enqueue(pk))
                sent.append(pk)
    return sent


def events_scheduled_run(*, now: dt.datetime | None = None) -> tuple[int, str]:
    """The events' part of the reminder command: (count, line to print)."""
    reminders = events_send_reminders(now=now)
    revoked = events_notify_revoked_hosts(now=now)
    return len(reminders) + len(revoked), (f"已发送 {len(reminders)} 条活动提醒，{len(revoked)} 条主办单位撤销通知 / "
                                           f"{len(reminders)} event reminder(s), {len(revoked)} revoked-host notice(s).")
