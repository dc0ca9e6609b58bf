"""Editing an event without touching its time: through the secretariat desk (whose form has
minutes only) and through the API (exact times). Stored times with seconds, as the API and the
fixtures make them, are not a reschedule when the form sends them back to the minute; a real new
time is. The desk sends the hosts only when they changed, so an event whose host's award was
revoked can still be corrected."""
import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, EventHost
from events.services.registrations import registration_create
from nominations.models import AuditEntry
from tests.events.conftest import org_of, people, published_winner

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


class _FormValues(HTMLParser):
    """What a browser sends back from the page's form, untouched: inputs, checked boxes,
    selected options, text areas."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _desk_form(client, event, **overrides) -> dict:
    parser = _FormValues()
    parser.feed(client.get(reverse("events:desk_edit", args=[event.pk])).content.decode())
    data = {k: v if len(v) > 1 or k == "host_applications" else v[0] for k, v in parser.data.items()}
    data.update(overrides)
    return data


@pytest.fixture
def with_seconds(event, applicant, other_applicant):
    """The fixture's event with times that have seconds (as the API stores them), two registrants."""
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at.replace(second=27, microsecond=123456),
        ends_at=event.ends_at.replace(second=41, microsecond=0),
        registration_closes_at=event.registration_closes_at.replace(second=5))
    event.refresh_from_db()
    for user in (applicant, other_applicant):
        registration_create(event=event, organization=org_of(user), attendees=people(1, user.username), actor=user)
    mail.outbox.clear()
    return event


def _times(event):
    return Event.objects.values_list("starts_at", "ends_at", "registration_closes_at").get(pk=event.pk)


def test_desk_title_edit_with_times_in_seconds_is_no_reschedule(client, with_seconds, secretariat,
                                                                 django_capture_on_commit_callbacks):
    before = _times(with_seconds)
    client.force_login(secretariat)
    data = _desk_form(client, with_seconds, title="走进标杆：精密制造质量管理参观交流（更正）")
    assert data["starts_at"] == timezone.localtime(with_seconds.starts_at).strftime(FMT)  # minutes only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:desk_edit", args=[with_seconds.pk]), data)
    assert response.status_code == 302
    event = Event.objects.get(pk=with_seconds.pk)
    assert event.title == "走进标杆：精密制造质量管理参观交流（更正）"
    assert _times(event) == before  # the seconds are kept, not cut by the form
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="event.reschedule").exists()
    entry = AuditEntry.objects.get(action="event.update", object_id=str(event.pk))
    assert set(entry.data["changes"]) == {"title"}


def test_desk_real_new_time_is_a_reschedule(client, with_seconds, secretariat, django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    start = timezone.localtime(with_seconds.starts_at) + dt.timedelta(hours=1)
    data = _desk_form(client, with_seconds, starts_at=start.strftime(FMT),
                      ends_at=(start + dt.timedelta(hours=4)).strftime(FMT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:desk_edit", args=[with_seconds.pk]), data)
    assert response.status_code == 302
    event = Event.objects.get(pk=with_seconds.pk)
    assert event.starts_at == start.replace(second=0, microsecond=0)
    assert event.registration_closes_at.second == 5  # untouched field: not re-sent
    assert len(mail.outbox) == 2 and all("活动时间或地点调整" in m.subject for m in mail.outbox)
    entry = AuditEntry.objects.get(action="event.reschedule", object_id=str(event.pk))
    assert set(entry.data["changes"]) == {"starts_at", "ends_at"}


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_patch_with_the_same_exact_time_is_no_reschedule(with_seconds, secretariat,
                                                             django_capture_on_commit_callbacks):
    before = _times(with_seconds)
    api = _api(secretariat)
    shown = api.get(f"/api/v1/events/{with_seconds.pk}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/events/{with_seconds.pk}/", {
            "title": "新的活动名称", "starts_at": shown["starts_at"], "ends_at": shown["ends_at"],
            "location": shown["location"]}, format="json")
    assert response.status_code == 200
    assert _times(with_seconds) == before and mail.outbox == []
    assert not AuditEntry.objects.filter(action="event.reschedule").exists()
    entry = AuditEntry.objects.get(action="event.update", object_id=str(with_seconds.pk))
    assert set(entry.data["changes"]) == {"title"}


def test_api_patch_within_the_same_minute_is_stored_but_no_reschedule(with_seconds, secretariat,
                                                                      django_capture_on_commit_callbacks):
    """The e-mails and pages show times to the minute: a change of seconds would tell every
    registrant a "new" time identical to the old one. It is stored and audited as an edit."""
    start = with_seconds.starts_at.replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(secretariat).patch(f"/api/v1/events/{with_seconds.pk}/", {
            "starts_at": timezone.localtime(start).isoformat()}, format="json")
    assert response.status_code == 200
    assert Event.objects.get(pk=with_seconds.pk).starts_at == start
    assert mail.outbox == [] and not AuditEntry.objects.filter(action="event.reschedule").exists()
    entry = AuditEntry.objects.get(action="event.update", object_id=str(with_seconds.pk))
    assert set(entry.data["changes"]) == {"starts_at"}


def test_api_patch_with_a_new_time_is_a_reschedule(with_seconds, secretariat, django_capture_on_commit_callbacks):
    start = with_seconds.starts_at + dt.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(secretariat).patch(f"/api/v1/events/{with_seconds.pk}/", {
            "starts_at": timezone.localtime(start).isoformat()}, format="json")
    assert response.status_code == 200
    assert len(mail.outbox) == 2 and all("活动时间或地点调整" in m.subject for m in mail.outbox)
    assert AuditEntry.objects.filter(action="event.reschedule", object_id=str(with_seconds.pk)).count() == 1


def test_desk_edit_of_an_event_whose_host_was_revoked(client, event, secretariat, winner,
                                                      django_capture_on_commit_callbacks):
    from nominations.services.publication import application_revoke

    application_revoke(application=winner[0].pk, actor=secretariat, reason="发生重大质量事故")
    client.force_login(secretariat)
    data = _desk_form(client, event, title="走进标杆（时间待定）")
    assert data["host_applications"] == [str(winner[0].pk)]  # the revoked host, still checked
    response = client.post(reverse("events:desk_edit", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "走进标杆（时间待定）"
    assert list(event.hosts.values_list("application_id", flat=True)) == [winner[0].pk]
    detail = client.get(reverse("events:desk_detail", args=[event.pk])).content.decode()
    assert "该活动有主办（分享）单位的奖项已被撤销" in detail  # the flag stays until the host changes

    # Replacing the host is sent, and clears the flag.
    other = published_winner(secretariat=secretariat, name="上海另一家标杆有限公司")
    response = client.post(reverse("events:desk_edit", args=[event.pk]),
                           {**data, "host_applications": [str(other[0].pk)]})
    assert response.status_code == 302
    assert list(EventHost.objects.filter(event=event).values_list("name", flat=True)) == ["上海另一家标杆有限公司"]
    detail = client.get(reverse("events:desk_detail", args=[event.pk])).content.decode()
    assert "该活动有主办（分享）单位的奖项已被撤销" not in detail


def test_desk_edit_of_a_sharing_meeting_keeps_its_host_order(client, secretariat, winner):
    """Checkboxes carry no order: the same hosts ticked are no change (the order stays)."""
    from events.services.events import event_create
    from tests.events.conftest import event_input

    other = published_winner(secretariat=secretariat)
    event = event_create(actor=secretariat, data=event_input([other[0].pk, winner[0].pk], kind="experience_sharing"))
    client.force_login(secretariat)
    data = _desk_form(client, event, title="经验交流会（更正）")
    assert sorted(data["host_applications"]) == sorted([str(other[0].pk), str(winner[0].pk)])
    assert client.post(reverse("events:desk_edit", args=[event.pk]), data).status_code == 302
    assert list(event.hosts.order_by("order").values_list("application_id", flat=True)) == [other[0].pk, winner[0].pk]
    entry = AuditEntry.objects.get(action="event.update", object_id=str(event.pk))
    assert set(entry.data["changes"]) == {"title"}
