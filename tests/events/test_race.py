"""Two enterprises take the last place at the same moment (PostgreSQL: real row locks):
one is confirmed, the other waits; the places are never over-booked."""
import threading

import pytest
from django.db import connection

from events.models import Registration
from events.services.events import event_create
from events.services.registrations import registration_cancel, registration_create
from nominations.models import AuditEntry
from nominations.services.audit import audit_verify_chain
from tests import factories as f
from tests.events.conftest import event_input, people, published_winner

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL row locks"),
]


@pytest.fixture(autouse=True)
def _catalog(transactional_db):
    f.ensure_catalog_data()


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _enterprises(n):
    out = []
    for i in range(n):
        org = f.OrganizationFactory(name=f"上海竞争{i}号有限公司")
        user = f.UserFactory(username=f"race-{i}")
        f.member(user, org)
        out.append((user, org))
    return out


@pytest.fixture
def last_place(secretariat):
    """An event of 3 places, 2 already taken."""
    winner = published_winner(secretariat=secretariat)
    event = event_create(actor=secretariat, data=event_input([winner[0].pk], capacity=3, per_organization_limit=2))
    (user, org), = _enterprises(1)
    registration_create(event=event, organization=org, attendees=people(2), actor=user)
    return event


def test_two_enterprises_take_the_last_place_at_once(last_place):
    contenders = _enterprises(3)[1:]
    results = _race([lambda u=u, o=o: registration_create(event=last_place.pk, organization=o, attendees=people(1),
                                                          actor=u) for u, o in contenders])
    assert sorted(r.status for r in results) == ["confirmed", "waitlisted"]
    assert [r.position for r in results if r.status == "waitlisted"] == [1]
    confirmed = sum(Registration.objects.filter(event=last_place, status="confirmed").values_list("persons", flat=True))
    assert confirmed == 3
    assert audit_verify_chain()[0] is True


def test_many_at_once_never_overbook(last_place):
    contenders = _enterprises(7)[1:]
    results = _race([lambda u=u, o=o: registration_create(event=last_place.pk, organization=o, attendees=people(1),
                                                          actor=u) for u, o in contenders])
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = sorted(r.status for r in results)
    assert statuses == ["confirmed"] + ["waitlisted"] * 5
    positions = sorted(r.position for r in results if r.status == "waitlisted")
    assert positions == [1, 2, 3, 4, 5]


def test_cancel_and_register_at_once_keep_capacity(last_place):
    """A cancellation (promoting the list) and a new registration race: never over capacity."""
    (waiting_user, waiting_org), (late_user, late_org) = _enterprises(3)[1:]
    registration_create(event=last_place, organization=waiting_org, attendees=people(2), actor=waiting_user)
    first = Registration.objects.filter(event=last_place, status="confirmed").get()
    owner = first.created_by
    _race([lambda: registration_cancel(registration=first.pk, actor=owner),
           lambda: registration_create(event=last_place.pk, organization=late_org, attendees=people(1),
                                       actor=late_user)])
    confirmed = sum(Registration.objects.filter(event=last_place, status="confirmed").values_list("persons", flat=True))
    assert confirmed <= 3
    assert Registration.objects.get(organization=waiting_org).status == "confirmed"  # first in line, promoted
    assert AuditEntry.objects.filter(action="registration.cancel").count() == 1


def test_double_click_registers_once(last_place):
    (user, org), = _enterprises(2)[1:]
    results = _race([lambda: registration_create(event=last_place.pk, organization=org, attendees=people(1),
                                                 actor=user)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["ConditionsUnmet", "Registration"]
    assert Registration.objects.filter(organization=org).count() == 1
