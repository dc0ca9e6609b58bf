"""API: the secretariat's objection desk, start_notice / publish through the cycle
transitions, confirm / overturn per application, idempotent certificate issuing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from nominations.models import Certificate, CertificateBatch, Cycle, Objection, Publication, PublicNotice
from nominations.services.objections import objection_file
from nominations.services.acts import application_act
from nominations.services.transitions import application_transition
from nominations.tasks import issue_certificates
from tests.publication.conftest import approve, new_accepted, publish, start_notice, to_deliberation
from tests.publication.test_api_public import api_as

pytestmark = pytest.mark.django_db
API = "/api/v1"


def file_objection(app, *, now=None, email="wang@example.com"):
    notice = PublicNotice.objects.get()
    now = now or min(timezone.now(), notice.ends_at - dt.timedelta(hours=1))
    return objection_file(notice=notice, application_id=app.pk, name="王某某", phone="13800000000", email=email,
                          content="顾客满意度数据与实际不符。", now=now)


# -- objections ---------------------------------------------------------------------
def test_objections_list_by_notice(in_notice, secretariat):
    obj = file_objection(in_notice)
    notice = PublicNotice.objects.get()
    response = api_as(secretariat).get(f"{API}/objections/", {"notice": notice.pk})
    assert response.status_code == 200
    row = response.json()[0]
    assert len(response.json()) == 1
    assert {k: row[k] for k in ("id", "application", "name", "contact", "content", "status", "resolution")} == {
        "id": obj.pk, "application": in_notice.pk, "name": "王某某", "contact": "13800000000 / wang@example.com",
        "content": "顾客满意度数据与实际不符。", "status": "received", "resolution": ""}
    assert row["received_at"] == timezone.localtime(obj.received_at).isoformat()
    assert api_as(secretariat).get(f"{API}/objections/", {"notice": notice.pk + 1}).json() == []
    assert api_as(secretariat).get(f"{API}/objections/", {"status": "upheld"}).json() == []


@pytest.mark.parametrize("persona,status", [("applicant", 403), ("judge", 403), (None, 401)])
def test_objection_desk_is_for_the_secretariat(request, in_notice, persona, status):
    obj = file_objection(in_notice)
    client = api_as(request.getfixturevalue(persona) if persona else None)
    assert client.get(f"{API}/objections/").status_code == status
    response = client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "dismissed", "resolution": "x"},
                           format="json")
    assert response.status_code == (409 if status == 400 else status)
    assert Objection.objects.get().status == "received"


def test_resolve_dismissed_mails_the_objector(in_notice, secretariat, django_capture_on_commit_callbacks):
    obj = file_objection(in_notice)
    client = api_as(secretariat)
    early = client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "dismissed", "resolution": "x"},
                        format="json")
    assert (early.status_code, early.json()["code"]) == (409, "invalid_state")  # investigate first
    assert client.post(f"{API}/objections/{obj.pk}/investigate/").status_code == 200
    missing = client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "dismissed"}, format="json")
    assert missing.status_code == 400 and missing.json()["missing"] == [
        "请填写书面处理结果（调查核实的情况和结论），将告知异议人。"]
    bad = client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "maybe", "resolution": "x"}, format="json")
    assert bad.status_code == 400 and "outcome" in bad.json()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/objections/{obj.pk}/resolve/",
                               {"outcome": "dismissed", "resolution": "经核查，数据真实。"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolution"]) == ("dismissed", "经核查，数据真实。")
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    again = client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "upheld", "resolution": "改判"},
                        format="json")
    assert again.status_code == 409
    assert api_as(secretariat).post(f"{API}/objections/999/resolve/", {"outcome": "upheld", "resolution": "x"},
                                    format="json").status_code == 404


# -- confirm / overturn per application -----------------------------------------------------
def test_confirm_refused_while_window_open_and_with_open_objection(in_notice, secretariat):
    file_objection(in_notice)
    response = api_as(secretariat).post(f"{API}/applications/{in_notice.pk}/transitions/", {"name": "confirm"},
                                        format="json")
    assert response.status_code == 400
    missing = response.json()["missing"]
    assert len(missing) == 2 and "公示期尚未结束" in missing[0] and missing[1] == "尚有 1 件异议未处理完毕。"
    in_notice.refresh_from_db()
    assert in_notice.state == "public_notice"


def test_confirm_allowed_after_window_with_objection_resolved(notice_ended, secretariat):
    notice = PublicNotice.objects.get()
    obj = file_objection(notice_ended, now=notice.ends_at - dt.timedelta(seconds=1))
    client = api_as(secretariat)
    blocked = client.post(f"{API}/applications/{notice_ended.pk}/transitions/", {"name": "confirm"}, format="json")
    assert blocked.status_code == 400 and blocked.json()["missing"] == ["尚有 1 件异议未处理完毕。"]
    client.post(f"{API}/objections/{obj.pk}/investigate/")
    client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "dismissed", "resolution": "数据属实"},
                format="json")
    response = client.post(f"{API}/applications/{notice_ended.pk}/transitions/", {"name": "confirm"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "awarded"


def test_overturn_after_upheld_objection(notice_ended, secretariat):
    notice = PublicNotice.objects.get()
    obj = file_objection(notice_ended, now=notice.ends_at - dt.timedelta(seconds=1))
    client = api_as(secretariat)
    early = client.post(f"{API}/applications/{notice_ended.pk}/transitions/", {"name": "overturn"}, format="json")
    assert early.status_code == 400 and early.json()["missing"] == ["没有成立的异议，不能撤销其入选资格。"]
    client.post(f"{API}/objections/{obj.pk}/investigate/")
    client.post(f"{API}/objections/{obj.pk}/resolve/", {"outcome": "upheld", "resolution": "异议属实"}, format="json")
    response = client.post(f"{API}/applications/{notice_ended.pk}/transitions/", {"name": "overturn"},
                           format="json")
    assert response.status_code == 200 and response.json()["state"] == "not_awarded"


# -- cycle transitions with parameters ---------------------------------------------------
def test_start_notice_through_cycle_transitions_forwards_parameters(approved, cycle, secretariat):
    starts = timezone.localtime() + dt.timedelta(hours=1)
    response = api_as(secretariat).post(f"{API}/cycles/{cycle.pk}/transitions/", {
        "name": "start_notice", "starts_at": starts.isoformat(), "days": 5, "working_days": False,
        "description": "现予公示。", "contact": "王老师 021-12345678 notice@example.com 人民大道200号"},
        format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "notice"
    notice = PublicNotice.objects.get()
    assert (notice.days, notice.working_days, notice.description, notice.contact) == (
        5, False, "现予公示。", "王老师 021-12345678 notice@example.com 人民大道200号")
    assert abs(notice.starts_at - starts) < dt.timedelta(seconds=1)
    assert timezone.localtime(notice.ends_at).date() == starts.date() + dt.timedelta(days=5)
    approved.refresh_from_db()
    assert approved.state == "public_notice"


def test_start_notice_in_the_past_is_400_and_changes_nothing(approved, cycle, secretariat):
    past = timezone.localtime() - dt.timedelta(days=1)
    response = api_as(secretariat).post(f"{API}/cycles/{cycle.pk}/transitions/",
                                        {"name": "start_notice", "starts_at": past.isoformat()}, format="json")
    assert response.status_code == 400 and "公示开始时间不能早于当前时间。" in response.json()["missing"]
    assert not PublicNotice.objects.exists() and Cycle.objects.get(pk=cycle.pk).status == "deliberation"


def test_publish_refused_409_while_an_application_is_in_notice(in_notice, cycle, secretariat):
    response = api_as(secretariat).post(f"{API}/cycles/{cycle.pk}/transitions/",
                                        {"name": "publish", "announcement": "现予公布。"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
    assert in_notice.reference in response.json()["detail"]
    assert not Publication.objects.exists() and not Certificate.objects.exists()


def test_publish_through_the_api_issues_certificates(notice_ended, cycle, secretariat,
                                                     django_capture_on_commit_callbacks):
    client = api_as(secretariat)
    client.post(f"{API}/applications/{notice_ended.pk}/transitions/", {"name": "confirm"}, format="json")
    missing = client.post(f"{API}/cycles/{cycle.pk}/transitions/", {"name": "publish"}, format="json")
    assert missing.status_code == 400 and missing.json()["missing"] == ["请填写发布公告。"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/cycles/{cycle.pk}/transitions/",
                               {"name": "publish", "announcement": "现予公布。"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert Publication.objects.get().announcement == "现予公布。"
    cert = Certificate.objects.get()
    assert (cert.number, bool(cert.pdf)) == ("QGA-2018-001", True)
    body = api_as().get(f"{API}/public/certificates/{cert.verification_code}/").json()
    assert (body["number"], body["status"]) == ("QGA-2018-001", "valid")


def test_issuing_twice_creates_no_duplicates(cycle, secretariat, recommender, unit, panel,
                                             django_capture_on_commit_callbacks):
    apps = [approve(new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit),
                    secretariat=secretariat, panel=panel) for _ in range(2)]
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat, ended=True)
    for app in apps:
        application_act(application=app.pk, name="confirm", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        publish(cycle, secretariat)
    first = list(Certificate.objects.order_by("seq").values_list("application_id", "number", "verification_code",
                                                                  "pdf_sha256"))
    assert [row[1] for row in first] == ["QGA-2018-001", "QGA-2018-002"] and all(row[3] for row in first)
    batch = CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat)
    assert issue_certificates.call(batch.pk) == 0
    assert issue_certificates.call(batch.pk) == 0
    assert list(Certificate.objects.order_by("seq").values_list("application_id", "number", "verification_code",
                                                                 "pdf_sha256")) == first
    assert Cycle.objects.get(pk=cycle.pk).certificate_seq == 2


def test_objections_list_query_count_does_not_grow(in_notice, secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(secretariat)
    file_objection(in_notice)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{API}/objections/").json()) == 1
    file_objection(in_notice, email="a@example.com")
    file_objection(in_notice, email="b@example.com")
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(f"{API}/objections/").json()) == 3
    assert len(three.captured_queries) == len(one.captured_queries)
