"""The demo: published benchmark winners host an upcoming visit (full, with a waiting list)
and a past meeting with its summary; seeding twice creates nothing twice."""
import io

import pytest
from django.core.management import call_command

from events.demo import MEETING_TITLE, VISIT_TITLE
from events.models import Event, Registration
from events.selectors import events_public, public_status
from nominations.models import AuditEntry

pytestmark = pytest.mark.slow


def test_seed_demo_events_idempotent(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Event.objects.count(), Registration.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Event.objects.count(), Registration.objects.count(), AuditEntry.objects.count()) == counts
    events = {e.title: e for e in events_public()}
    visit, meeting = events[VISIT_TITLE], events[MEETING_TITLE]
    assert [h.name for h in visit.hosts.all()] == ["上海临江精密制造股份有限公司"]
    assert (public_status(visit), visit.confirmed, visit.capacity, visit.waitlisted) == ("full", 10, 10, 2)
    assert len(meeting.hosts.all()) == 2 and meeting.state == "done" and meeting.summary
    assert client.login(username="benchmark1", password="demo12345")
    page = client.get(f"/events/{visit.pk}/registrations/").content.decode()
    assert "上海申城智能电网科技股份有限公司" in page and "139" not in page
