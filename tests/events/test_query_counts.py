"""List pages and list endpoints read a fixed number of queries: 1 row or 3 rows alike."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from events.services.events import event_create
from events.services.registrations import registration_create
from tests import factories as f
from tests.events.conftest import event_input, org_of, people, published_winner

pytestmark = pytest.mark.django_db


def _events(secretariat, winner, n):
    return [event_create(actor=secretariat, data=event_input([winner[0].pk], title=f"参观交流{i}", capacity=n,
                                                             per_organization_limit=1)) for i in range(n)]


def _registrations(event, n):
    for i in range(n):
        org = f.OrganizationFactory()
        user = f.UserFactory(username=f"q-{event.pk}-{i}")
        f.member(user, org)
        registration_create(event=event, organization=org, attendees=people(1), actor=user)


def _count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _pages(client, user, secretariat, winner, n):
    """n events of n places, each with n confirmed registrations and one waiting."""
    events = _events(secretariat, winner, n)
    for e in events:
        _registrations(e, n + 1)
    if user is not None:
        client.force_login(user)
    return events


@pytest.mark.parametrize("n", [1, 3])
def test_public_pages_fixed_queries(client, secretariat, winner, n, django_assert_num_queries):
    _pages(client, None, secretariat, winner, n)
    with django_assert_num_queries(2):  # events with counts and flags; hosts
        client.get(reverse("events:list"))
    with django_assert_num_queries(2):
        APIClient().get("/api/v1/public/events/")


def _secretariat_counts(client, secretariat, winner, n):
    events = _pages(client, secretariat, secretariat, winner, n)
    api = APIClient()
    api.force_authenticate(secretariat)
    return (_count(lambda: client.get(reverse("events:desk"))),
            _count(lambda: client.get(reverse("events:desk_detail", args=[events[-1].pk]))),
            _count(lambda: client.get(reverse("events:registrations", args=[events[-1].pk]))),
            _count(lambda: api.get(f"/api/v1/events/{events[-1].pk}/registrations/")),
            _count(lambda: api.get("/api/v1/registrations/")),
            _count(lambda: api.get("/api/v1/events/")))


def test_secretariat_lists_do_not_grow_with_rows(client, secretariat, db):
    winner = published_winner(secretariat=secretariat)
    one = _secretariat_counts(client, secretariat, winner, 1)
    from events.models import Attendee, Event, EventHost, Registration

    Attendee.objects.all().delete(), Registration.objects.all().delete()
    EventHost.objects.all().delete(), Event.objects.all().delete()
    three = _secretariat_counts(client, secretariat, winner, 3)
    assert one == three


def test_my_registrations_fixed_queries(client, secretariat, winner, applicant):
    counts = []
    for n in (1, 3):
        for e in _events(secretariat, winner, 1 if n == 1 else 2):
            registration_create(event=e, organization=org_of(applicant), attendees=people(1), actor=applicant)
        client.force_login(applicant)
        counts.append(_count(lambda: client.get(reverse("events:mine"))))
    assert counts[0] == counts[1]
