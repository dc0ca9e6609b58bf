"""Issue 12, "done when", through the web pages only: an enterprise finds a visit on the
public page, registers, cancels; another is promoted from the waiting list and checked in at
the door by the QR code; the host sees its visitors; the secretariat runs the event from the
desk to its summary on the public page."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from tests.events.conftest import org_of

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_exchange_visit_from_creation_to_summary(client, secretariat, winner, host_user, applicant, other_applicant,
                                                 django_capture_on_commit_callbacks):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    _as(client, secretariat).post(reverse("events:desk_create"), {
        "kind": "exchange_visit", "title": "走进标杆：旅程测试", "host_applications": [winner[0].pk],
        "starts_at": (now + dt.timedelta(days=9)).strftime(fmt), "ends_at": (now + dt.timedelta(days=9, hours=2)).strftime(fmt),
        "location": "上海市嘉定区", "capacity": 2, "per_organization_limit": 2,
        "registration_opens_at": (now - dt.timedelta(hours=1)).strftime(fmt),
        "registration_closes_at": (now + dt.timedelta(days=7)).strftime(fmt)})
    event = Event.objects.get(title="走进标杆：旅程测试")

    client.logout()
    assert "走进标杆：旅程测试" in client.get(reverse("events:list")).content.decode()

    detail = reverse("events:detail", args=[event.pk])
    for user, name in ((applicant, "甲一"), (other_applicant, "乙一")):
        _as(client, user).post(detail, {"organization": org_of(user).pk, "name_0": name, "position_0": "经理",
                                        "phone_0": "13912345678", "name_1": f"{name}二", "phone_1": "13912345679"})
    first, second = Registration.objects.order_by("id")
    assert (first.status, second.status) == ("confirmed", "waitlisted")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _as(client, applicant).post(reverse("events:registration_cancel", args=[first.pk]))
    second.refresh_from_db()
    assert second.status == "confirmed"
    promoted = next(m for m in mail.outbox if org_of(other_applicant).contact_email in m.to)
    scan = re.search(r"https?://[^/\s]+(/events/checkin/\S+/)", promoted.body).group(1)

    host_page = _as(client, host_user).get(reverse("events:registrations", args=[event.pk])).content.decode()
    assert "乙一" in host_page and "13912345678" not in host_page and "甲一" not in host_page

    _as(client, secretariat).post(scan)
    assert not second.attendees.filter(checked_in_at__isnull=True).exists()

    Event.objects.filter(pk=event.pk).update(  # the day of the visit has passed
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1))
    client.post(reverse("events:desk_close", args=[event.pk]), {"attendance": "2", "summary": "参观了智能车间。"})
    client.logout()
    public = client.get(reverse("events:list")).content.decode()
    assert "参观了智能车间。" in public and "2 人" in public
