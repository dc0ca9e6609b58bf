"""The events API (API.md, "Events"): contract fields, status codes, permission rules for
every endpoint; refusals change nothing."""
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from events.models import Event, Registration
from events.services.events import event_cancel
from events.services.registrations import registration_create
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {"id", "kind", "title", "hosts", "starts_at", "ends_at", "location", "capacity",
                 "per_organization_limit", "registration_opens_at", "registration_closes_at", "confirmed",
                 "waitlisted", "status", "summary"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _iso(value):
    return timezone.localtime(value).isoformat()


def _create_body(app_pk, **overrides):
    now = timezone.now()
    body = {"kind": "exchange_visit", "title": "走进标杆：参观交流", "host_applications": [app_pk],
            "starts_at": _iso(now + dt.timedelta(days=10)), "ends_at": _iso(now + dt.timedelta(days=10, hours=2)),
            "location": "上海市闵行区剑川路1号", "capacity": 30, "per_organization_limit": 3,
            "registration_opens_at": _iso(now), "registration_closes_at": _iso(now + dt.timedelta(days=8)),
            "description": "参观并座谈。"}
    body.update(overrides)
    return body


def test_public_list_contract(event, applicant, winner):
    registration_create(event=event, organization=org_of(applicant), attendees=people(2), actor=applicant)
    response = api().get("/api/v1/public/events/", {"year": timezone.localtime(event.starts_at).year,
                                                   "kind": "exchange_visit"})
    assert response.status_code == 200
    [row] = response.json()
    assert PUBLIC_FIELDS <= set(row)
    assert row["hosts"] == [{"application": winner[0].pk, "name": "上海浦江标杆精密机械有限公司",
                             "title": "“数字孪生”质量追溯典型经验", "award": winner[1].programme.name,
                             "revoked": False}]
    assert (row["kind"], row["capacity"], row["per_organization_limit"], row["confirmed"], row["waitlisted"],
            row["status"], row["summary"]) == ("exchange_visit", 4, 2, 2, 0, "open", "")
    assert row["starts_at"].endswith("+08:00")
    assert "员工1" not in response.content.decode() and "1380000" not in response.content.decode()


def test_public_list_filters(event):
    assert api().get("/api/v1/public/events/", {"kind": "experience_sharing"}).json() == []
    assert api().get("/api/v1/public/events/", {"year": 1999}).json() == []
    bad = api().get("/api/v1/public/events/", {"kind": "party"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_public_status_full_cancelled(event, secretariat, applicant, other_applicant):
    for user in (applicant, other_applicant):
        registration_create(event=event, organization=org_of(user), attendees=people(2), actor=user)
    assert api().get("/api/v1/public/events/").json()[0]["status"] == "full"
    event_cancel(event=event, actor=secretariat, reason="改期另行通知")
    assert api().get("/api/v1/public/events/").json()[0]["status"] == "cancelled"


def test_secretariat_creates_event(secretariat, winner):
    response = api(secretariat).post("/api/v1/events/", _create_body(winner[0].pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert PUBLIC_FIELDS <= set(body) and body["status"] == "open" and body["hosts"][0]["application"] == winner[0].pk


def test_create_with_unpublished_host_is_400(secretariat, accepted):
    response = api(secretariat).post("/api/v1/events/", _create_body(accepted.pk), format="json")
    assert response.status_code == 400 and "host_applications" in response.json()
    assert not Event.objects.exists()


@pytest.mark.parametrize("who,status", [(None, 401), ("applicant", 403), ("judge", 403), ("host_user", 403)])
def test_create_needs_secretariat(request, winner, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api(user).post("/api/v1/events/", _create_body(winner[0].pk), format="json")
    assert response.status_code == status and not Event.objects.exists()


def test_patch_reschedules_and_refuses_unknown_fields(event, secretariat):
    new_start = event.starts_at + dt.timedelta(hours=1)
    response = api(secretariat).patch(f"/api/v1/events/{event.pk}/", {
        "starts_at": _iso(new_start), "ends_at": _iso(new_start + dt.timedelta(hours=2)), "location": "新地点"},
        format="json")
    assert response.status_code == 200 and response.json()["location"] == "新地点"
    refused = api(secretariat).patch(f"/api/v1/events/{event.pk}/", {"state": "done"}, format="json")
    assert refused.status_code == 400 and "state" in refused.json()
    event.refresh_from_db()
    assert event.state == "scheduled"


@pytest.mark.parametrize("who,status", [(None, 401), ("applicant", 403), ("host_user", 403), ("judge", 403)])
def test_patch_cancel_close_need_secretariat(request, event, who, status):
    user = request.getfixturevalue(who) if who else None
    client = api(user)
    assert client.patch(f"/api/v1/events/{event.pk}/", {"title": "x"}, format="json").status_code == status
    assert client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": "x"}, format="json").status_code == status
    assert client.post(f"/api/v1/events/{event.pk}/close/", {"attendance": 1, "summary": "x"},
                       format="json").status_code == status
    event.refresh_from_db()
    assert (event.title, event.state) == ("走进标杆：精密制造质量管理参观交流", "scheduled")


def test_cancel_and_close_states(event, secretariat):
    client = api(secretariat)
    early = client.post(f"/api/v1/events/{event.pk}/close/", {"attendance": 1, "summary": "x"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "invalid_state"
    assert client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": ""}, format="json").status_code == 400
    done = client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": "暴雨预警"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": "暴雨预警"}, format="json")
    assert again.status_code == 409
    assert client.post("/api/v1/events/999999/cancel/", {"reason": "x"}, format="json").status_code == 404


def test_register_contract_and_errors(event, applicant, other_applicant, third_applicant):
    org = org_of(applicant)
    response = api(applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org.pk, "attendees": people(2)}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert {"id", "receipt", "status", "position"} <= set(body)
    assert (body["status"], body["position"]) == ("confirmed", None)
    twice = api(applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org.pk, "attendees": people(1)}, format="json")
    assert twice.status_code == 400 and "organization" in twice.json()
    over = api(other_applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org_of(other_applicant).pk, "attendees": people(3)}, format="json")
    assert over.status_code == 400 and "attendees" in over.json()
    api(other_applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org_of(other_applicant).pk, "attendees": people(2)}, format="json")
    waiting = api(third_applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org_of(third_applicant).pk, "attendees": people(1)}, format="json")
    assert waiting.status_code == 201 and (waiting.json()["status"], waiting.json()["position"]) == ("waitlisted", 1)
    assert Registration.objects.count() == 3


def test_register_outside_window_and_cancelled_is_400(event, secretariat, applicant):
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - dt.timedelta(minutes=1),
                                             registration_opens_at=timezone.now() - dt.timedelta(days=2))
    late = api(applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org_of(applicant).pk, "attendees": people(1)}, format="json")
    assert late.status_code == 400 and late.json()["code"] == "registration_closed"
    event_cancel(event=event, actor=secretariat, reason="取消")
    cancelled = api(applicant).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": org_of(applicant).pk, "attendees": people(1)}, format="json")
    assert cancelled.status_code == 400 and "已取消" in cancelled.json()["detail"]
    assert not Registration.objects.exists()


@pytest.mark.parametrize("who,status", [(None, 401), ("judge", 403), ("secretariat", 403)])
def test_register_needs_an_enterprise_account(request, event, organization, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api(user).post(f"/api/v1/events/{event.pk}/registrations/", {
        "organization": organization.pk, "attendees": people(1)}, format="json")
    assert response.status_code == status and not Registration.objects.exists()


def test_register_for_missing_event_is_404(applicant):
    response = api(applicant).post("/api/v1/events/424242/registrations/", {
        "organization": org_of(applicant).pk, "attendees": people(1)}, format="json")
    assert response.status_code == 404 and not Registration.objects.exists()


def _registered(event, *users):
    return [registration_create(event=event, organization=org_of(u), attendees=people(2, u.username), actor=u)
            for u in users]


def test_event_registrations_secretariat_sees_phones_host_does_not(event, secretariat, host_user, applicant):
    _registered(event, applicant)
    full = api(secretariat).get(f"/api/v1/events/{event.pk}/registrations/").json()
    assert full["count"] == 1
    [reg] = full["results"]
    assert [a["phone"] for a in reg["attendees"]] == ["13800000000", "13800000001"]
    host = api(host_user).get(f"/api/v1/events/{event.pk}/registrations/")
    assert host.status_code == 200
    [hreg] = host.json()["results"]
    assert [(a["name"], a["phone"]) for a in hreg["attendees"]] == [("applicant1", None), ("applicant2", None)]
    assert hreg["organization"]["name"] == org_of(applicant).name
    assert "1380000" not in host.content.decode()
    Event.objects.filter(pk=event.pk).update(show_phones_to_host=True)
    allowed = api(host_user).get(f"/api/v1/events/{event.pk}/registrations/").json()["results"][0]
    assert allowed["attendees"][0]["phone"] == "13800000000"


@pytest.mark.parametrize("who,status", [(None, 401), ("applicant", 403), ("other_applicant", 403), ("judge", 403)])
def test_event_registrations_hidden_from_others(request, event, applicant, who, status):
    _registered(event, applicant)
    user = request.getfixturevalue(who) if who else None
    response = api(user).get(f"/api/v1/events/{event.pk}/registrations/")
    assert response.status_code == status and "1380000" not in response.content.decode()


def test_my_registrations_and_delete(event, applicant, other_applicant, third_applicant, secretariat):
    mine, other, waiting = _registered(event, applicant, other_applicant, third_applicant)
    listed = api(applicant).get("/api/v1/registrations/", {"mine": "true"}).json()
    assert [r["receipt"] for r in listed["results"]] == [mine.receipt]
    assert api(secretariat).get("/api/v1/registrations/").json()["count"] == 3
    assert api(secretariat).get("/api/v1/registrations/", {"mine": "true"}).json()["count"] == 0
    assert api(other_applicant).delete(f"/api/v1/registrations/{mine.pk}/").status_code == 404
    assert api(None).delete(f"/api/v1/registrations/{mine.pk}/").status_code == 401
    assert api(applicant).delete(f"/api/v1/registrations/{mine.pk}/").status_code == 204
    assert api(applicant).delete(f"/api/v1/registrations/{mine.pk}/").status_code == 409
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert api(third_applicant).get(f"/api/v1/registrations/{waiting.pk}/").json()["status"] == "confirmed"


def test_check_in(event, secretariat, applicant, other_applicant, third_applicant, host_user):
    reg, _other, waiting = _registered(event, applicant, other_applicant, third_applicant)
    for user, status in ((None, 401), (applicant, 403), (host_user, 403)):
        assert api(user).post(f"/api/v1/registrations/{reg.pk}/check-in/", {}, format="json").status_code == status
    assert not reg.attendees.filter(checked_in_at__isnull=False).exists()
    first = reg.attendees.first()
    one = api(secretariat).post(f"/api/v1/registrations/{reg.pk}/check-in/", {"attendees": [first.pk]}, format="json")
    assert one.status_code == 200
    assert [a["checked_in_at"] is not None for a in one.json()["attendees"]] == [True, False]
    everyone = api(secretariat).post(f"/api/v1/registrations/{reg.pk}/check-in/", {}, format="json")
    assert [a["checked_in_at"] is not None for a in everyone.json()["attendees"]] == [True, True]
    refused = api(secretariat).post(f"/api/v1/registrations/{waiting.pk}/check-in/", {}, format="json")
    assert refused.status_code == 409
    assert api(secretariat).post("/api/v1/registrations/999999/check-in/", {}, format="json").status_code == 404


def test_excel_export(event, secretariat, applicant, host_user):
    _registered(event, applicant)
    for user, status in ((None, 401), (applicant, 403), (host_user, 403)):
        assert api(user).get(f"/api/v1/events/{event.pk}/registrations.xlsx").status_code == status
    response = api(secretariat).get(f"/api/v1/events/{event.pk}/registrations.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=4)]
    assert [(r[1], r[2], r[5], r[7]) for r in rows] == [
        (org_of(applicant).name, "报名成功", "applicant1", "13800000000"),
        (org_of(applicant).name, "报名成功", "applicant2", "13800000001")]


def test_patch_changes_only_what_it_names(event, secretariat):
    before = Event.objects.values().get(pk=event.pk)
    response = api(secretariat).patch(f"/api/v1/events/{event.pk}/", {"location": "上海市静安区"}, format="json")
    assert response.status_code == 200
    after = Event.objects.values().get(pk=event.pk)
    assert {k for k in before if before[k] != after[k]} == {"location"}


@pytest.mark.parametrize("body", [
    {"organization": "abc", "attendees": []},
    {"organization": 1, "attendees": "张三"},
    {"organization": 2**70, "attendees": []},
    {"attendees": [{"name": "张三", "phone": "1"}]},
])
def test_register_malformed_body_is_400(event, applicant, body):
    response = api(applicant).post(f"/api/v1/events/{event.pk}/registrations/", body, format="json")
    assert response.status_code == 400 and not Registration.objects.exists()


@pytest.mark.parametrize("value", ["2027-01-10", "2027-01-10T09:00:00", "2027-01-10 09:00"])
def test_event_times_need_an_offset(value, secretariat, winner):
    """A bare date or a time without offset would be read in the server's zone: refused."""
    from events.models import Event

    response = api(secretariat).post("/api/v1/events/", _create_body(winner[0].pk, starts_at=value), format="json")
    assert response.status_code == 400 and "starts_at" in response.json()
    assert not Event.objects.exists()
