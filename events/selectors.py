"""Reads of events and registrations, with counts and flags computed in the database: every
list reads a fixed number of queries whatever its length."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from events.enums import EventState, PublicStatus, RegistrationState
from events.models import Attendee, Event, EventHost, Registration
from nominations import rules as nrules
from nominations.enums import ApplicationState

C, W = RegistrationState.CONFIRMED, RegistrationState.WAITLISTED


def events_annotated() -> QuerySet[Event]:
    """Events with `confirmed` and `waitlisted` persons, `host_revoked` (a host's award was
    revoked after the event was created) and their hosts (one more query)."""
    revoked = EventHost.objects.filter(event=OuterRef("pk"), application__state=ApplicationState.REVOKED)
    confirmed = (Registration.objects.filter(event=OuterRef("pk"), status=C).values("event")
                 .annotate(n=Sum("persons")).values("n"))
    waitlisted = (Registration.objects.filter(event=OuterRef("pk"), status=W).values("event")
                  .annotate(n=Sum("persons")).values("n"))
    return (Event.objects.annotate(confirmed=Coalesce(confirmed, Value(0)), waitlisted=Coalesce(waitlisted, Value(0)),
                                   host_revoked=Exists(revoked))
            .prefetch_related(Prefetch("hosts", queryset=hosts_annotated())))


def hosts_annotated() -> QuerySet[EventHost]:
    """Hosts with `revoked`: their application's award has been revoked since."""
    from nominations.models import Application

    revoked = Application.objects.filter(pk=OuterRef("application_id"), state=ApplicationState.REVOKED)
    return EventHost.objects.annotate(revoked=Exists(revoked)).order_by("order", "id")


def event_get(pk) -> Event | None:
    if not str(pk).isdigit():
        return None
    return events_annotated().filter(pk=int(pk)).first()


def public_status(event: Event, now: dt.datetime | None = None) -> str:
    """open | full | closed | cancelled | done (API.md); `full` while the window is open and
    every place is taken (registrations then join the waiting list)."""
    now = now or timezone.now()
    if event.state == EventState.CANCELLED:
        return PublicStatus.CANCELLED
    if event.state == EventState.DONE:
        return PublicStatus.DONE
    if not event.registration_open(now):
        return PublicStatus.CLOSED
    return PublicStatus.FULL if event.confirmed >= event.capacity or event.waitlisted else PublicStatus.OPEN


def events_public(*, year: int | None = None, kind: str | None = None, now: dt.datetime | None = None,
                  years_back: int | None = None) -> QuerySet[Event]:
    """Events of the current and past years (and upcoming ones), newest first."""
    qs = events_annotated().annotate(year=ExtractYear("starts_at"))
    if year is not None:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-starts_at", "-id")


def events_hosted_by(user) -> QuerySet[Event]:
    """Events hosted by the user's organizations (their members see the visitors)."""
    hosted = EventHost.objects.filter(event=OuterRef("pk"), organization_id__in=nrules.organization_ids(user))
    return events_annotated().filter(Exists(hosted)).order_by("-starts_at", "-id")


def events_for_desk() -> QuerySet[Event]:
    return events_annotated().order_by("-starts_at", "-id")


def waitlist_positions(event_ids) -> dict[int, int]:
    """registration id → its place (1, 2, …) in its event's waiting list, one query."""
    rows = (Registration.objects.filter(event_id__in=list(event_ids), status=W)
            .order_by("event_id", "waitlisted_at", "id").values_list("event_id", "id"))
    positions, last_event, n = {}, None, 0
    for event_id, pk in rows:
        n = n + 1 if event_id == last_event else 1
        last_event = event_id
        positions[pk] = n
    return positions


def registrations_with_positions(registrations: list[Registration]) -> list[Registration]:
    positions = waitlist_positions({r.event_id for r in registrations if r.status == W})
    for r in registrations:
        r.position = positions.get(r.pk)
    return registrations


def _registrations() -> QuerySet[Registration]:
    return (Registration.objects.select_related("organization", "event")
            .prefetch_related(Prefetch("attendees", queryset=Attendee.objects.order_by("order", "id"))))


def registrations_for_event(event: Event, *, query: str = "", active_only: bool = False) -> QuerySet[Registration]:
    """An event's registrations (the host sees the live ones only; the secretariat all)."""
    qs = _registrations().filter(event=event)
    if active_only:
        qs = qs.exclude(status=RegistrationState.CANCELLED)
    if query:
        qs = qs.filter(Q(attendees__name__icontains=query) | Q(organization__name__icontains=query)
                       | Q(receipt__iexact=query)).distinct()
    return qs.order_by("status", "waitlisted_at", "created_at", "id")


def registrations_of_user(user) -> QuerySet[Registration]:
    return _registrations().filter(organization_id__in=nrules.organization_ids(user)).order_by("-created_at", "-id")


def registrations_visible(user, *, mine: bool = False) -> QuerySet[Registration]:
    if nrules.is_secretariat(user) and not mine:
        return _registrations().order_by("-created_at", "-id")
    return registrations_of_user(user)


def registration_for_user(user, pk) -> Registration | None:
    """A registration this user may see (own organization's, or any for the secretariat);
    None alike for missing and not yours."""
    if not str(pk).isdigit():
        return None
    return registrations_visible(user).filter(pk=int(pk)).first()


def event_counts(event: Event) -> dict:
    """Confirmed and waiting persons, and attendees checked in (two queries: summing persons
    over a join with attendees would count each registration once per attendee)."""
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Coalesce(Sum("persons", filter=Q(status=C)), Value(0)),
        waitlisted=Coalesce(Sum("persons", filter=Q(status=W)), Value(0)))
    counts["checked_in"] = Attendee.objects.filter(registration__event=event, checked_in_at__isnull=False).count()
    return counts


def published_hosts_choices() -> QuerySet:
    """Published applications that may host an event: award record frozen, not revoked."""
    from nominations.models import AwardRecord

    return (AwardRecord.objects.filter(application__state=ApplicationState.PUBLISHED, revoked_at__isnull=True)
            .select_related("programme", "application").order_by("-year", "programme__code", "holder_name"))

