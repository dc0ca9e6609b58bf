"""The events pages: public list and detail, registering and cancelling from the web, the
host's list (no phones), the secretariat's desk (create, edit, cancel, close, export,
check-in by name and by QR code). Permissions for every page."""
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events.models import Attendee, Event, Registration
from events.services.events import event_close
from events.services.registrations import checkin_url, registration_create
from tests.events.conftest import org_of, people

pytestmark = pytest.mark.django_db


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _registered(event, *users):
    return [registration_create(event=event, organization=org_of(u), attendees=people(2, u.username), actor=u)
            for u in users]


def test_public_list_shows_upcoming_and_past_with_summary(client, event, secretariat, winner):
    from events.services.events import event_create
    from tests.events.conftest import event_input

    past_start = timezone.now() - dt.timedelta(days=40)
    past = event_create(actor=secretariat, data=event_input(
        [winner[0].pk], kind="experience_sharing", title="获奖组织经验交流会（上半年）", starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=3), registration_opens_at=past_start - dt.timedelta(days=10),
        registration_closes_at=past_start - dt.timedelta(days=1)))
    event_close(event=past, actor=secretariat, attendance=57, summary="五家获奖组织分享了卓越绩效实践。")
    html = client.get(reverse("events:list")).content.decode()
    assert event.title in html and "上海浦江标杆精密机械有限公司" in html
    assert "获奖组织经验交流会（上半年）" in html and "五家获奖组织分享了卓越绩效实践。" in html and "57 人" in html
    assert "<script>" not in html and 'style="' not in html


def test_anonymous_detail_invites_login_no_form(client, event):
    html = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "登录后报名" in html and 'name="name_0"' not in html


def test_register_from_the_web_then_cancel(client, event, applicant, other_applicant, third_applicant,
                                           django_capture_on_commit_callbacks):
    _registered(event, other_applicant, third_applicant)  # 4 of 4 places taken
    c = _client(client, applicant)
    page = c.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert 'name="name_1"' in page and 'name="name_2"' not in page  # per-organization limit: 2 rows
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("events:detail", args=[event.pk]), {
            "organization": org_of(applicant).pk, "name_0": "王工", "position_0": "质量总监", "phone_0": "13900000000",
            "name_1": "", "position_1": "", "phone_1": ""})
    assert response.status_code == 302 and response["Location"] == reverse("events:mine")
    reg = Registration.objects.get(organization=org_of(applicant))
    assert (reg.status, reg.persons) == ("waitlisted", 1)
    mine = c.get(reverse("events:mine")).content.decode()
    assert reg.receipt in mine and "候补第 1 位" in mine
    assert c.post(reverse("events:registration_cancel", args=[reg.pk])).status_code == 302
    reg.refresh_from_db()
    assert reg.status == "cancelled"


def test_web_registration_errors_shown_nothing_saved(client, event, applicant):
    c = _client(client, applicant)
    response = c.post(reverse("events:detail", args=[event.pk]), {
        "organization": org_of(applicant).pk, "name_0": "王工", "phone_0": "13900000000",
        "name_1": "王工", "phone_1": "13900000001"})
    assert response.status_code == 200 and "参会人员姓名重复。" in response.content.decode()
    assert not Registration.objects.exists()


def test_cancel_someone_elses_registration_is_404(client, event, applicant, other_applicant):
    reg, = _registered(event, applicant)
    response = _client(client, other_applicant).post(reverse("events:registration_cancel", args=[reg.pk]))
    assert response.status_code == 404
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_qr_png_for_own_confirmed_registration_only(client, event, applicant, other_applicant):
    reg, = _registered(event, applicant)
    assert _client(client, other_applicant).get(reverse("events:registration_qr", args=[reg.pk])).status_code == 404
    client.logout()
    own = _client(client, applicant).get(reverse("events:registration_qr", args=[reg.pk]))
    assert own.status_code == 200 and own["Content-Type"] == "image/png"


def test_host_sees_visitors_without_phones(client, event, host_user, applicant):
    _registered(event, applicant)
    html = _client(client, host_user).get(reverse("events:registrations", args=[event.pk])).content.decode()
    assert org_of(applicant).name in html and "applicant1" in html and "1380000" not in html
    Event.objects.filter(pk=event.pk).update(show_phones_to_host=True)
    html = client.get(reverse("events:registrations", args=[event.pk])).content.decode()
    assert "13800000000" in html


@pytest.mark.parametrize("who,status", [("other_applicant", 403), ("judge", 403), ("applicant", 403)])
def test_registrations_page_hidden_from_others(client, event, applicant, request, who, status):
    _registered(event, applicant)
    response = _client(client, request.getfixturevalue(who)).get(reverse("events:registrations", args=[event.pk]))
    assert response.status_code == status and "1380000" not in response.content.decode()


def test_registrations_page_anonymous_goes_to_login(client, event):
    response = client.get(reverse("events:registrations", args=[event.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


DESK_PAGES = ["desk", "desk_create", "desk_detail", "desk_edit", "desk_export"]


def _desk_url(name, event):
    return reverse(f"events:{name}", args=[] if name in ("desk", "desk_create") else [event.pk])


@pytest.mark.parametrize("who", ["applicant", "host_user", "judge"])
def test_desk_pages_are_secretariat_only(client, event, request, who):
    c = _client(client, request.getfixturevalue(who))
    for name in DESK_PAGES:
        assert c.get(_desk_url(name, event)).status_code == 403, name
    for name in ("desk_cancel", "desk_close"):
        assert c.post(reverse(f"events:{name}", args=[event.pk]), {"reason": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.state == "scheduled"


def test_desk_pages_anonymous_redirect_to_login(client, event):
    for name in DESK_PAGES:
        response = client.get(_desk_url(name, event))
        assert response.status_code == 302 and "/login/" in response["Location"], name


def test_desk_pages_render_for_secretariat(client, event, secretariat, applicant):
    _registered(event, applicant)
    c = _client(client, secretariat)
    for name in DESK_PAGES:
        response = c.get(_desk_url(name, event))
        assert response.status_code == 200, name
    html = c.get(_desk_url("desk_detail", event)).content.decode()
    assert "13800000000" in html and "<script>" not in html and 'style="' not in html


def _form_data(winner_pk, **overrides):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    data = {"kind": "exchange_visit", "title": "走进标杆：网页创建", "host_applications": [winner_pk],
            "starts_at": (now + dt.timedelta(days=9)).strftime(fmt),
            "ends_at": (now + dt.timedelta(days=9, hours=2)).strftime(fmt), "location": "上海市徐汇区",
            "capacity": 20, "per_organization_limit": 2, "registration_opens_at": now.strftime(fmt),
            "registration_closes_at": (now + dt.timedelta(days=7)).strftime(fmt), "description": ""}
    data.update(overrides)
    return data


def test_desk_create_and_reschedule(client, secretariat, winner, applicant, django_capture_on_commit_callbacks):
    c = _client(client, secretariat)
    response = c.post(reverse("events:desk_create"), _form_data(winner[0].pk))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:desk_detail", args=[event.pk])
    _registered(event, applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("events:desk_edit", args=[event.pk]), _form_data(winner[0].pk, location="新地点"))
    assert response.status_code == 302
    assert [m.subject.split("：")[0] for m in mail.outbox] == ["活动时间或地点调整"]


def test_desk_create_errors_shown(client, secretariat, winner):
    response = _client(client, secretariat).post(reverse("events:desk_create"),
                                                 _form_data(winner[0].pk, per_organization_limit=50))
    assert response.status_code == 200 and "每单位限报人数不能超过活动名额。" in response.content.decode()
    assert not Event.objects.exists()


def test_desk_cancel_and_close(client, event, secretariat, applicant, django_capture_on_commit_callbacks):
    _registered(event, applicant)
    c = _client(client, secretariat)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("events:desk_cancel", args=[event.pk]), {"reason": "台风"})
    event.refresh_from_db()
    assert event.state == "cancelled" and "台风" in mail.outbox[0].body


def test_desk_close_after_event(client, event, secretariat):
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1),
        registration_opens_at=timezone.now() - dt.timedelta(days=3),
        registration_closes_at=timezone.now() - dt.timedelta(days=1))
    c = _client(client, secretariat)
    assert "登记并结束活动" in c.get(reverse("events:desk_detail", args=[event.pk])).content.decode()
    c.post(reverse("events:desk_close", args=[event.pk]), {"attendance": "12", "summary": "座谈交流。"})
    event.refresh_from_db()
    assert (event.state, event.attendance, event.summary) == ("done", 12, "座谈交流。")


def test_check_in_by_name_on_the_desk(client, event, secretariat, applicant, other_applicant):
    _registered(event, applicant, other_applicant)
    c = _client(client, secretariat)
    html = c.get(reverse("events:desk_detail", args=[event.pk]), {"q": "other_applicant1"}).content.decode()
    assert "other_applicant1" in html and org_of(applicant).name not in html
    attendee = Attendee.objects.get(name="other_applicant1")
    response = c.post(reverse("events:desk_check_in", args=[event.pk, attendee.registration_id]),
                      {"attendee": attendee.pk, "q": "other_applicant1"})
    assert response.status_code == 302 and "q=other_applicant1" in response["Location"]
    assert list(Attendee.objects.filter(checked_in_at__isnull=False).values_list("name", flat=True)) == [
        "other_applicant1"]


def test_check_in_by_scanning_the_qr_code(client, event, secretariat, applicant):
    reg, = _registered(event, applicant)
    path = re.sub(r"^https?://[^/]+", "", checkin_url(reg))
    assert _client(client, applicant).get(path).status_code == 403
    client.logout()
    assert client.get(path).status_code == 302  # anonymous: to the login page
    c = _client(client, secretariat)
    page = c.get(path).content.decode()
    assert org_of(applicant).name in page and "全部签到" in page
    assert c.post(path).status_code == 302
    assert not reg.attendees.filter(checked_in_at__isnull=True).exists()
    assert c.get(path[:-2] + "x/").status_code == 404  # a forged token


def test_desk_export(client, event, secretariat, applicant):
    _registered(event, applicant)
    response = _client(client, secretariat).get(reverse("events:desk_export", args=[event.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == event.title and ws["F4"].value == "applicant1"


def test_revoked_host_flagged_on_desk_and_public(client, event, secretariat, winner):
    from nominations.services.publication import application_revoke

    application_revoke(application=winner[0].pk, actor=secretariat, reason="发生重大质量事故")
    c = _client(client, secretariat)
    desk = c.get(reverse("events:desk")).content.decode()
    assert "主办（分享）单位奖项已被撤销" in desk
    assert "主办单位奖项已撤销" in c.get(reverse("events:list")).content.decode()


def test_desk_counts_persons_not_attendee_rows(client, event, secretariat, applicant, other_applicant,
                                               third_applicant):
    from events.selectors import event_counts
    from events.services.registrations import registration_check_in

    regs = _registered(event, applicant, other_applicant, third_applicant)  # 2 + 2 confirmed, 2 waiting
    registration_check_in(registration=regs[0], actor=secretariat)
    assert event_counts(event) == {"confirmed": 4, "waitlisted": 2, "checked_in": 2}


def test_host_finds_its_events_on_my_page(client, event, host_user, applicant):
    _registered(event, applicant)
    html = _client(client, host_user).get(reverse("events:mine")).content.decode()
    assert "本单位主办（分享）的活动" in html and reverse("events:registrations", args=[event.pk]) in html


def test_check_in_qr_code_scans_to_the_check_in_url(event, applicant):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    from events.services.registrations import checkin_qr_png

    from django.conf import settings
    from django.urls import resolve

    from events.services.registrations import registration_from_token

    reg, = _registered(event, applicant)
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(checkin_qr_png(reg))))
    # The token carries the second it was signed, so it is compared by what it says, not
    # character by character with a second token (they differ when a second ticks over).
    assert result.text.startswith(f"{settings.SITE_URL}/") and result.text.startswith("http")
    match = resolve(result.text[len(settings.SITE_URL):])
    assert match.view_name == "events:checkin_scan"
    token = match.kwargs["token"]
    assert registration_from_token(token) == reg
    assert token.split(":")[0] == checkin_url(reg).rsplit("/", 2)[-2].split(":")[0]  # the same signed payload


@pytest.mark.parametrize("attendance", ["²", "５", "99999999999999999999999", "-1", ""])
def test_desk_close_refuses_a_bad_attendance_without_an_error_page(client, event, secretariat, attendance):
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1),
        registration_opens_at=timezone.now() - dt.timedelta(days=3),
        registration_closes_at=timezone.now() - dt.timedelta(days=1))
    response = _client(client, secretariat).post(reverse("events:desk_close", args=[event.pk]),
                                                 {"attendance": attendance, "summary": "座谈交流。"}, follow=True)
    assert response.status_code == 200 and "实到人数" in response.content.decode()
    event.refresh_from_db()
    assert (event.state, event.attendance) == ("scheduled", None)


@pytest.mark.parametrize("attendee", ["²", "99999999999999999999999"])
def test_desk_check_in_refuses_a_bad_attendee_id(client, event, secretariat, applicant, other_applicant, attendee):
    _registered(event, applicant, other_applicant)
    registration = event.registrations.order_by("pk").first()
    response = _client(client, secretariat).post(
        reverse("events:desk_check_in", args=[event.pk, registration.pk]), {"attendee": attendee}, follow=True)
    assert response.status_code == 200
    assert not Attendee.objects.filter(checked_in_at__isnull=False).exists()


def test_desk_cancel_reason_has_the_api_limit(client, event, secretariat):
    response = _client(client, secretariat).post(reverse("events:desk_cancel", args=[event.pk]),
                                                 {"reason": "长" * 2001}, follow=True)
    assert "2000" in response.content.decode()
    event.refresh_from_db()
    assert event.state == "scheduled" and event.cancel_reason == ""
