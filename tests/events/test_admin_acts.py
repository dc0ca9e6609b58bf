"""The admin's event acts (create, edit, reschedule, cancel, close) have exactly the effects of
the same act through the REST API and the secretariat desk.

Each test builds identical twin events (same times to the minute, same three registering
enterprises: two confirmed, one waiting), runs the act once per entry point on its own twin,
and compares what each run left behind: the event's fields, its hosts, the registrations, the
audit entries and the e-mails (receipts and check-in links read as the organization's name).
"""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, Registration
from events.services.events import EDITABLE, event_cancel, event_create
from events.services.registrations import checkin_url, registration_create
from nominations.models import AuditEntry
from tests.events.conftest import event_input, org_of, people

pytestmark = pytest.mark.django_db

API = "/api/v1"
ENTRY_POINTS = ["api", "desk", "admin"]
LOCATION = "上海市闵行区莘庄工业区申富路 88 号"
REASON = "受台风影响，活动取消，日后另行安排。"


@pytest.fixture
def staff(secretariat):
    """The secretariat's account as the demo has it: staff, not a superuser."""
    secretariat.is_staff = True
    secretariat.save(update_fields=["is_staff"])
    return secretariat


def _minute(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(second=0, microsecond=0)


@pytest.fixture
def base():
    return _minute(timezone.now() + dt.timedelta(days=7))


def _times(base: dt.datetime) -> dict:
    return dict(starts_at=base, ends_at=base + dt.timedelta(hours=3),
                registration_opens_at=base - dt.timedelta(days=8), registration_closes_at=base - dt.timedelta(days=2))


@pytest.fixture
def make_twin(staff, winner, applicant, other_applicant, third_applicant, base):
    """A new event (capacity 4, two per organization) with two confirmed registrations and
    one on the waiting list; e-mails of the arrangement are not kept."""

    def make(**overrides):
        event = event_create(actor=staff, data=event_input([winner[0].pk], **{**_times(base), **overrides}))
        for user in (applicant, other_applicant, third_applicant):
            registration_create(event=event, organization=org_of(user), attendees=people(2), actor=user)
        mail.outbox.clear()
        return event

    return make


# -- running an act through one entry point ------------------------------------------------------
def _form_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _form_data(values: dict) -> dict:
    data = {}
    for name, value in values.items():
        if isinstance(value, dt.datetime):
            data[name] = _form_time(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def _api_data(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


def _full_form(event: Event, changes: dict) -> dict:
    """The edit form as the page shows it for `event`, with `changes` typed in."""
    values = {name: getattr(event, name) for name in EDITABLE}
    values["host_applications"] = [h.application_id for h in event.hosts.all()]
    values.update(changes)
    return _form_data(values)


def run(entry: str, act: str, *, client, actor, event: Event | None = None, **values):
    """Run `act` through `entry`; returns the response (effects are what the tests check)."""
    if entry == "api":
        api = APIClient()
        api.force_authenticate(actor)
        if act == "create":
            return api.post(f"{API}/events/", _api_data(values), format="json")
        if act in ("edit", "reschedule"):
            return api.patch(f"{API}/events/{event.pk}/", _api_data(values), format="json")
        return api.post(f"{API}/events/{event.pk}/{act}/", _api_data(values), format="json")
    client.force_login(actor)
    if entry == "desk":
        if act == "create":
            return client.post(reverse("events:desk_create"), _form_data(values))
        if act in ("edit", "reschedule"):
            return client.post(reverse("events:desk_edit", args=[event.pk]), _full_form(event, values))
        return client.post(reverse(f"events:desk_{act}", args=[event.pk]), _form_data(values))
    if act == "create":
        return client.post(reverse("admin:events_event_add"), _form_data(values))
    if act == "edit":
        return client.post(reverse("admin:events_event_change", args=[event.pk]), _full_form(event, values))
    if act == "reschedule":
        page = {name: getattr(event, name) for name in ("starts_at", "ends_at", "location", "registration_closes_at")}
        return client.post(reverse("admin:events_event_reschedule", args=[event.pk]), _form_data({**page, **values}))
    return client.post(reverse(f"admin:events_event_{act}", args=[event.pk]), _form_data(values))


def effects(event: Event, *, since: int, outbox_from: int = 0) -> dict:
    """What an act left behind, with the twin's own identifiers read as names."""
    event = Event.objects.get(pk=event.pk)
    regs = list(Registration.objects.filter(event=event).select_related("organization").order_by("id"))
    names = {r.receipt: f"<{r.organization.name}>" for r in regs}
    checkin = re.compile(re.escape(checkin_url(regs[0]).rsplit("/", 2)[0]) + r"/[^/\s]+/") if regs else None

    def norm(text: str) -> str:
        for raw, name in names.items():
            text = text.replace(raw, name)
        # a check-in link is signed with the time it was made: any link reads the same
        return checkin.sub("<check-in link>", text) if checkin else text

    waiting = [r.organization.name for r in sorted(regs, key=lambda r: (r.waitlisted_at or event.created_at, r.pk))
               if r.status == "waitlisted"]
    return {
        "event": {**{name: getattr(event, name) for name in (*EDITABLE, "state", "cancel_reason", "attendance",
                                                             "summary")},
                  "cancelled": event.cancelled_at is not None, "closed": event.closed_at is not None},
        "hosts": [(h.application_id, h.name, h.title, h.award) for h in event.hosts.order_by("order", "id")],
        "registrations": sorted((r.organization.name, r.status, r.persons, r.reminded_at is None) for r in regs),
        "waiting_list": waiting,
        "audit": [(e.action, e.source, e.target, e.note, e.actor_id, e.ip, norm(json.dumps(e.data, sort_keys=True)))
                  for e in AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk), id__gt=since)
                  .order_by("id")],
        "mail": sorted((tuple(m.to), norm(m.subject), norm(m.body), tuple(norm(a[0]) for a in m.attachments))
                       for m in mail.outbox[outbox_from:]),
    }


def _people(message) -> list[str]:
    """A registration e-mail's recipients who registered (besides the organization's contact)."""
    return [e for e in message[0] if e.endswith("applicant@example.com")]


def _last_audit_id() -> int:
    last = AuditEntry.objects.order_by("-id").first()
    return last.pk if last else 0


def run_on_twins(make_twin, actor, act, capture, **values) -> dict:
    """{entry: (effects, response)} of `act` run through every entry point, each on its twin
    (and with its own browser session, so that one entry's messages do not show on another's page)."""
    results = {}
    for entry in ENTRY_POINTS:
        event = make_twin()
        since, start = _last_audit_id(), len(mail.outbox)
        with capture(execute=True):
            response = run(entry, act, client=Client(), actor=actor, event=event, **values)
        results[entry] = (effects(event, since=since, outbox_from=start), response)
    return results


def assert_same(results: dict) -> dict:
    api = results["api"][0]
    for entry in ENTRY_POINTS[1:]:
        assert results[entry][0] == api, entry
    return api


# -- create ----------------------------------------------------------------------------------------
def test_create_through_the_admin_is_the_create_of_the_api_and_the_desk(client, staff, winner, base,
                                                                       django_capture_on_commit_callbacks):
    values = dict(kind="exchange_visit", title="走进标杆：精密制造质量管理参观交流", topic="", description="参观生产线并座谈交流。",
                  location=LOCATION, capacity=30, per_organization_limit=3, show_phones_to_host=True,
                  host_applications=[winner[0].pk], **_times(base))
    created = {}
    for entry in ENTRY_POINTS:
        since = _last_audit_id()
        with django_capture_on_commit_callbacks(execute=True):
            run(entry, "create", client=client, actor=staff, **values)
        event = Event.objects.order_by("-id").first()
        assert event.pk not in [e.pk for e, _x in created.values()]
        created[entry] = (event, effects(event, since=since))
    api = created["api"][1]
    assert [created[e][1] for e in ENTRY_POINTS] == [api] * 3
    assert api["event"]["topic"] == winner[1].title  # filled from the host's frozen award record
    assert api["hosts"] == [(winner[0].pk, winner[1].holder_name, winner[1].title, winner[1].programme.name)]
    assert [(a[0], a[2], a[4]) for a in api["audit"]] == [("event.create", "scheduled", staff.pk)]
    assert api["mail"] == []
    assert {e.created_by_id for e, _x in created.values()} == {staff.pk}


def test_admin_create_refusal_is_the_services_and_creates_nothing(client, staff, winner, base):
    """Registration closing after the start: the service's message, at the field; nothing made."""
    client.force_login(staff)
    values = dict(kind="experience_sharing", title="经验交流会", location=LOCATION, capacity=30, per_organization_limit=3,
                  host_applications=[winner[0].pk], **_times(base))
    values["registration_closes_at"] = base + dt.timedelta(hours=1)
    before = _last_audit_id()

    response = client.post(reverse("admin:events_event_add"), _form_data(values))

    assert response.status_code == 200
    assert Event.objects.count() == 0 and _last_audit_id() == before
    assert [str(m) for m in response.context["messages"]] == ["报名应在活动开始前截止。"]
    assert response.context["adminform"].form.errors == {"registration_closes_at": ["报名应在活动开始前截止。"]}


# -- edit: a larger capacity promotes the waiting list ------------------------------------------
def test_edit_through_the_admin_has_the_effects_of_the_api_and_the_desk(client, staff, make_twin,
                                                                      django_capture_on_commit_callbacks):
    results = run_on_twins(make_twin, staff, "edit", django_capture_on_commit_callbacks,
                           capacity=6, title="走进标杆：精密制造质量管理参观交流（扩容）")
    effects_ = assert_same(results)
    assert effects_["event"]["capacity"] == 6
    assert effects_["registrations"] == [
        ("上海丙方食品有限公司", "confirmed", 2, True), ("上海乙方制造有限公司", "confirmed", 2, True),
        ("上海甲方科技有限公司", "confirmed", 2, True)]
    assert [(a[0], json.loads(a[6])["promoted"]) for a in effects_["audit"]] == [
        ("event.update", ["<上海丙方食品有限公司>"])]
    assert [(_people(m), m[1]) for m in effects_["mail"]] == [
        (["third_applicant@example.com"], "候补转正：报名成功：走进标杆：精密制造质量管理参观交流（扩容）（<上海丙方食品有限公司>）")]


def test_editing_only_the_title_in_the_admin_is_no_reschedule(client, staff, make_twin,
                                                             django_capture_on_commit_callbacks):
    """The form shows times to the minute; an event whose stored times have seconds (made by
    the API) is not rescheduled by saving its title, and nobody is e-mailed."""
    event = make_twin(starts_at=timezone.now() + dt.timedelta(days=7, seconds=17))
    since = _last_audit_id()
    with django_capture_on_commit_callbacks(execute=True):
        run("admin", "edit", client=client, actor=staff, event=event, title="新的活动名称")
    after = effects(event, since=since)
    assert [(a[0], sorted(json.loads(a[6])["changes"])) for a in after["audit"]] == [("event.update", ["title"])]
    assert after["mail"] == []


# -- reschedule ------------------------------------------------------------------------------------
def test_reschedule_through_the_admin_has_the_effects_of_the_api_and_the_desk(client, staff, make_twin, base,
                                                                            django_capture_on_commit_callbacks):
    new_start = base + dt.timedelta(days=3)
    results = run_on_twins(make_twin, staff, "reschedule", django_capture_on_commit_callbacks,
                           starts_at=new_start, ends_at=new_start + dt.timedelta(hours=2), location=LOCATION)
    effects_ = assert_same(results)
    assert (effects_["event"]["starts_at"], effects_["event"]["location"]) == (new_start, LOCATION)
    # the waiting list is untouched; every live registration is e-mailed the new time and place
    assert effects_["waiting_list"] == ["上海丙方食品有限公司"]
    assert [r[1] for r in effects_["registrations"]] == ["waitlisted", "confirmed", "confirmed"]
    assert [(a[0], sorted(json.loads(a[6])["changes"])) for a in effects_["audit"]] == [
        ("event.reschedule", ["ends_at", "location", "starts_at"])]
    assert sorted(e for m in effects_["mail"] for e in _people(m)) == [
        "applicant@example.com", "other_applicant@example.com", "third_applicant@example.com"]
    assert all(m[1].startswith("活动时间或地点调整") and LOCATION in m[2]
               and _form_time(new_start).replace("T", " ") in m[2] for m in effects_["mail"])
    assert results["admin"][1].status_code == 302


def test_reschedule_into_the_past_is_refused_alike_and_changes_nothing(client, staff, make_twin,
                                                                       django_capture_on_commit_callbacks):
    past = _minute(timezone.now() - dt.timedelta(hours=2))
    results = run_on_twins(make_twin, staff, "reschedule", django_capture_on_commit_callbacks,
                           starts_at=past, ends_at=past + dt.timedelta(hours=1),
                           registration_closes_at=past - dt.timedelta(hours=1))
    effects_ = assert_same(results)
    assert (effects_["audit"], effects_["mail"]) == ([], [])
    assert results["api"][1].json()["starts_at"] == ["改期后的开始时间已过，请改到将来的时间。"]
    admin_page = results["admin"][1]
    assert [str(m) for m in admin_page.context["messages"]] == ["改期后的开始时间已过，请改到将来的时间。"]
    assert admin_page.context["adminform"].form.errors["starts_at"] == ["改期后的开始时间已过，请改到将来的时间。"]


# -- cancel ----------------------------------------------------------------------------------------
def test_cancel_through_the_admin_has_the_effects_of_the_api_and_the_desk(client, staff, make_twin,
                                                                        django_capture_on_commit_callbacks):
    results = run_on_twins(make_twin, staff, "cancel", django_capture_on_commit_callbacks, reason=REASON)
    effects_ = assert_same(results)
    assert (effects_["event"]["state"], effects_["event"]["cancel_reason"], effects_["event"]["cancelled"]) == (
        "cancelled", REASON, True)
    assert effects_["waiting_list"] == ["上海丙方食品有限公司"]  # registrations keep their status
    assert [(a[0], a[1], a[2], a[3]) for a in effects_["audit"]] == [("event.cancel", "scheduled", "cancelled", REASON)]
    assert sorted(e for m in effects_["mail"] for e in _people(m)) == [
        "applicant@example.com", "other_applicant@example.com", "third_applicant@example.com"]
    assert all(m[1].startswith("活动取消通知") and REASON in m[2] for m in effects_["mail"])


def test_cancel_without_a_reason_is_refused_alike(client, staff, make_twin, django_capture_on_commit_callbacks):
    results = run_on_twins(make_twin, staff, "cancel", django_capture_on_commit_callbacks, reason="  ")
    effects_ = assert_same(results)
    assert (effects_["event"]["state"], effects_["audit"], effects_["mail"]) == ("scheduled", [], [])
    assert [str(m) for m in results["admin"][1].context["messages"]] == ["请填写取消原因，将通知所有报名单位。"]


def test_cancelling_a_cancelled_event_is_refused_alike(client, staff, make_twin, django_capture_on_commit_callbacks):
    def cancelled_twin():
        event = make_twin()
        event_cancel(event=event, actor=staff, reason=REASON)
        return event

    results = run_on_twins(cancelled_twin, staff, "cancel", django_capture_on_commit_callbacks,
                           reason="再次取消")
    effects_ = assert_same(results)
    assert (effects_["event"]["cancel_reason"], effects_["audit"], effects_["mail"]) == (REASON, [], [])
    assert results["api"][1].status_code == 409
    assert [str(m) for m in results["admin"][1].context["messages"]] == ["活动已取消，不能取消。"]


# -- close -----------------------------------------------------------------------------------------
@pytest.fixture
def make_ended_twin(staff, winner):
    ended = _minute(timezone.now() - dt.timedelta(days=1))

    def make():
        return event_create(actor=staff, data=event_input([winner[0].pk], **_times(ended)))

    return make


def test_close_through_the_admin_has_the_effects_of_the_api_and_the_desk(client, staff, make_ended_twin,
                                                                       django_capture_on_commit_callbacks):
    results = run_on_twins(make_ended_twin, staff, "close", django_capture_on_commit_callbacks,
                           attendance=23, summary="参观了总装车间，交流了质量追溯的做法。")
    effects_ = assert_same(results)
    assert (effects_["event"]["state"], effects_["event"]["attendance"], effects_["event"]["closed"]) == (
        "done", 23, True)
    assert [(a[0], a[1], a[2], json.loads(a[6])) for a in effects_["audit"]] == [
        ("event.close", "scheduled", "done", {"attendance": 23})]
    assert effects_["mail"] == []


def test_close_before_the_end_is_refused_alike(client, staff, make_twin, django_capture_on_commit_callbacks):
    results = run_on_twins(make_twin, staff, "close", django_capture_on_commit_callbacks,
                           attendance=3, summary="纪要")
    effects_ = assert_same(results)
    assert (effects_["event"]["state"], effects_["audit"]) == ("scheduled", [])
    message = [str(m) for m in results["admin"][1].context["messages"]]
    assert len(message) == 1 and message[0].startswith("活动尚未结束")


# -- the pages -------------------------------------------------------------------------------------
def test_admin_change_page_of_a_scheduled_event_offers_its_acts(client, staff, make_twin):
    event = make_twin()
    client.force_login(staff)

    response = client.get(reverse("admin:events_event_change", args=[event.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [label for _url, label in response.context["event_acts"]] == ["改期", "取消活动"]
    assert response.context["event_counts"] == {"confirmed": 4, "waitlisted": 2, "checked_in": 0}
    assert reverse("admin:events_event_cancel", args=[event.pk]) in html
    assert 'name="state"' not in html  # the state is never a form field
    page = client.get(reverse("admin:events_event_cancel", args=[event.pk]))
    assert page.context["consequences"][0] == "将以电子邮件通知 3 个报名单位（报名成功和候补的）。"


def test_admin_pages_of_a_cancelled_event_are_read_only(client, staff, make_twin):
    event = make_twin()
    event_cancel(event=event, actor=staff, reason=REASON)
    client.force_login(staff)
    before = _last_audit_id()

    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    post = client.post(reverse("admin:events_event_change", args=[event.pk]), _full_form(event, {"title": "改名"}))

    assert page.status_code == 200 and page.context["event_acts"] == []
    assert 'name="title"' not in page.content.decode() and REASON in page.content.decode()
    assert post.status_code == 403
    event.refresh_from_db()
    assert (event.title, event.state, _last_audit_id()) == ("走进标杆：精密制造质量管理参观交流", "cancelled", before)


def test_event_admin_never_deletes(client, staff, make_twin):
    event = make_twin()
    client.force_login(staff)

    response = client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk, state="scheduled").exists()


def test_other_users_cannot_reach_the_admin_acts(client, applicant, make_twin):
    event = make_twin()
    applicant.is_staff = True
    applicant.save(update_fields=["is_staff"])
    client.force_login(applicant)
    before = _last_audit_id()

    response = client.post(reverse("admin:events_event_cancel", args=[event.pk]), {"reason": REASON})

    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.state, _last_audit_id()) == ("scheduled", before)
