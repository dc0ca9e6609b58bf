"""Secretariat pages: notice desk, holidays, objection desk, publication, certificate issuing, revocation."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from nominations.models import (
    Certificate,
    CertificateBatch,
    Cycle,
    Holiday,
    Objection,
    Publication,
    PublicNotice,
)
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from nominations.tasks import issue_certificates
from tests import factories as f

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def file_objection(app, *, notice=None, now=None, email="wang@example.com"):
    notice = notice or PublicNotice.objects.get()
    now = now or min(timezone.now(), notice.ends_at - dt.timedelta(hours=1))
    return objection_file(notice=notice, application_id=app.pk, name="王某某", phone="13800000000", email=email,
                          content="顾客满意度数据与实际不符。", now=now)


# -- access ---------------------------------------------------------------------------
def test_desks_refuse_other_roles(client, in_notice, cycle, applicant, recommender, judge, outsider):
    objection = file_objection(in_notice)
    urls = [reverse("notice_overview"), reverse("notice_desk", args=[cycle.pk]), reverse("holiday_list"),
            reverse("objection_desk"), reverse("objection_detail", args=[objection.pk]),
            reverse("objection_evidence", args=[objection.pk]), reverse("publication_desk", args=[cycle.pk])]
    for user in (applicant, recommender, judge, outsider):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [403] * len(urls), user
        response = client.post(reverse("objection_action", args=[objection.pk, "dismiss"]), {"resolution": "x"})
        assert response.status_code == 403
        assert client.post(reverse("notice_decide", args=[in_notice.pk, "confirm"])).status_code == 403
    assert Objection.objects.get().status == "received"
    in_notice.refresh_from_db()
    assert in_notice.state == "public_notice"


def test_anonymous_is_sent_to_login(client, cycle):
    response = client.get(reverse("notice_desk", args=[cycle.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- notice desk ------------------------------------------------------------------------
def test_secretariat_opens_the_notice_from_the_desk(client, approved, cycle, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("notice_desk", args=[cycle.pk]))
    assert [a.pk for a in page.context["approved"]] == [approved.pk]
    assert page.context["form"].initial["days"] == 7
    start = timezone.localtime() + dt.timedelta(minutes=10)
    response = client.post(reverse("notice_start", args=[cycle.pk]), {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "days": "5", "working_days": "on",
        "description": "现予公示。", "contact": "王老师 021-12345678"}, follow=True)
    notice = PublicNotice.objects.get()
    assert (notice.days, notice.working_days, notice.contact, notice.description) == (
        5, True, "王老师 021-12345678", "现予公示。")
    assert list(notice.entries.values_list("name", "title")) == [(approved.display_name, approved.title)]
    assert list(notice.applications.values_list("pk", flat=True)) == [approved.pk]
    assert Cycle.objects.get(pk=cycle.pk).status == "notice"
    approved.refresh_from_db()
    assert approved.state == "public_notice"
    assert "公示已开始" in messages_of(response)


def test_opening_the_notice_in_the_past_is_refused_and_changes_nothing(client, approved, cycle, secretariat):
    client.force_login(secretariat)
    past = timezone.localtime() - dt.timedelta(days=2)
    response = client.post(reverse("notice_start", args=[cycle.pk]), {
        "starts_at": past.strftime("%Y-%m-%dT%H:%M"), "days": "7", "description": "现予公示。",
        "contact": "王老师 021-12345678"})
    assert response.status_code == 400
    assert "公示开始时间不能早于当前时间" in messages_of(response)
    assert not PublicNotice.objects.exists()
    assert Cycle.objects.get(pk=cycle.pk).status == "deliberation"


def test_working_day_notice_skips_holidays_from_the_calendar(client, approved, cycle, secretariat):
    client.force_login(secretariat)
    start = timezone.localtime() + dt.timedelta(minutes=10)
    day = start.date()
    # every day of the next two weeks is a holiday except three adjusted working days
    for i in range(14):
        d = day + dt.timedelta(days=i)
        Holiday.objects.create(date=d, name="测试", is_workday=i in (0, 4, 9))
    client.post(reverse("notice_start", args=[cycle.pk]), {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "days": "3", "working_days": "on",
        "description": "现予公示。", "contact": "王老师 021-12345678"})
    notice = PublicNotice.objects.get()
    assert timezone.localtime(notice.ends_at).date() == day + dt.timedelta(days=10)


def test_confirm_refused_while_window_open_or_objection_open(client, in_notice, cycle, secretariat):
    client.force_login(secretariat)
    file_objection(in_notice)
    response = client.post(reverse("notice_decide", args=[in_notice.pk, "confirm"]), follow=True)
    text = messages_of(response)
    assert "公示期尚未结束" in text and "尚有 1 件异议未处理完毕" in text
    in_notice.refresh_from_db()
    assert in_notice.state == "public_notice"


def test_confirm_after_window_and_resolved_objection(client, notice_ended, cycle, secretariat):
    notice = PublicNotice.objects.get()
    objection = file_objection(notice_ended, now=notice.ends_at - dt.timedelta(hours=2))
    client.force_login(secretariat)
    response = client.post(reverse("notice_decide", args=[notice_ended.pk, "confirm"]), follow=True)
    assert "尚有 1 件异议未处理完毕" in messages_of(response)
    assert "公示期尚未结束" not in messages_of(response)
    objection_investigate(objection=objection, actor=secretariat)
    objection_resolve(objection=objection, outcome="dismissed", actor=secretariat, resolution="经核查，数据属实。")
    response = client.post(reverse("notice_decide", args=[notice_ended.pk, "confirm"]), follow=True)
    notice_ended.refresh_from_db()
    assert notice_ended.state == "awarded"
    assert "公示通过" in messages_of(response)


def test_overturn_after_upheld_objection(client, notice_ended, secretariat):
    notice = PublicNotice.objects.get()
    objection = file_objection(notice_ended, now=notice.ends_at - dt.timedelta(hours=2))
    client.force_login(secretariat)
    response = client.post(reverse("notice_decide", args=[notice_ended.pk, "overturn"]), follow=True)
    assert "没有成立的异议" in messages_of(response)
    objection_investigate(objection=objection, actor=secretariat)
    objection_resolve(objection=objection, outcome="upheld", actor=secretariat, resolution="经核查，异议属实。")
    response = client.post(reverse("notice_decide", args=[notice_ended.pk, "confirm"]), follow=True)
    assert "存在成立的异议" in messages_of(response)
    client.post(reverse("notice_decide", args=[notice_ended.pk, "overturn"]))
    notice_ended.refresh_from_db()
    assert notice_ended.state == "not_awarded"


# -- holidays -------------------------------------------------------------------------
def test_holiday_calendar_add_duplicate_delete(client, secretariat):
    client.force_login(secretariat)
    day = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(reverse("holiday_list"), {"date": day.isoformat(), "name": "国庆节"})
    assert response.status_code == 302
    again = client.post(reverse("holiday_list"), {"date": day.isoformat(), "name": "重复"})
    assert again.status_code == 400 and "已在节假日表中" in " ".join(again.context["form"].errors["date"])
    assert list(Holiday.objects.values_list("date", "name", "is_workday")) == [(day, "国庆节", False)]
    page = client.get(reverse("holiday_list"))
    assert [h.date for h in page.context["holidays"]] == [day]
    client.post(reverse("holiday_delete", args=[Holiday.objects.get().pk]))
    assert not Holiday.objects.exists()


# -- objection desk --------------------------------------------------------------------
def test_objection_desk_lists_by_notice_and_status(client, in_notice, secretariat):
    first = file_objection(in_notice)
    second = file_objection(in_notice, email="li@example.com")
    objection_investigate(objection=second, actor=secretariat)
    client.force_login(secretariat)
    notice = PublicNotice.objects.get()
    response = client.get(reverse("objection_desk"), {"notice": notice.pk})
    assert [o.pk for o in response.context["page_obj"]] == [second.pk, first.pk]
    response = client.get(reverse("objection_desk"), {"notice": notice.pk, "status": "received"})
    assert [o.pk for o in response.context["page_obj"]] == [first.pk]


def test_objection_detail_resolves_with_written_resolution_and_mails_objector(
        client, in_notice, secretariat, django_capture_on_commit_callbacks):
    objection = file_objection(in_notice)
    client.force_login(secretariat)
    page = client.get(reverse("objection_detail", args=[objection.pk]))
    assert page.status_code == 200 and "顾客满意度数据与实际不符" in page.content.decode()
    client.post(reverse("objection_action", args=[objection.pk, "investigate"]))
    assert Objection.objects.get().status == "investigating"
    refused = client.post(reverse("objection_action", args=[objection.pk, "dismiss"]), {"resolution": " "})
    assert refused.status_code == 400 and "请填写书面处理结果" in messages_of(refused)
    assert Objection.objects.get().status == "investigating"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("objection_action", args=[objection.pk, "dismiss"]), {"resolution": "经核查，数据真实。"})
    objection.refresh_from_db()
    assert (objection.status, objection.resolution, objection.resolved_by) == (
        "dismissed", "经核查，数据真实。", secretariat)
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]


def test_evidence_download_for_secretariat_only(client, in_notice, secretariat, applicant):
    notice = PublicNotice.objects.get()
    objection = objection_file(notice=notice, application_id=in_notice.pk, name="王某某", phone="138",
                               content="有异议", evidence=f.pdf_upload("evidence.pdf"))
    client.force_login(applicant)
    assert client.get(reverse("objection_evidence", args=[objection.pk])).status_code == 403
    client.force_login(secretariat)
    response = client.get(reverse("objection_evidence", args=[objection.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# -- publication and certificates ---------------------------------------------------------
def test_publish_refused_while_an_application_is_in_notice(client, in_notice, cycle, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("publication_publish", args=[cycle.pk]), {"announcement": "现予公布。"})
    assert response.status_code == 409
    assert "仍有申报处于公示中" in messages_of(response) and in_notice.reference in messages_of(response)
    assert not Publication.objects.exists() and not Certificate.objects.exists()
    assert Cycle.objects.get(pk=cycle.pk).status == "notice"


def test_publish_from_the_page_issues_certificates(client, notice_ended, cycle, secretariat,
                                                   django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    client.post(reverse("notice_decide", args=[notice_ended.pk, "confirm"]))
    empty = client.post(reverse("publication_publish", args=[cycle.pk]), {"announcement": " "})
    assert empty.status_code == 400 and not Publication.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publication_publish", args=[cycle.pk]), {"announcement": "现予公布。"})
    assert response.status_code == 302
    cert = Certificate.objects.get()
    assert (cert.application_id, cert.number, cert.pdf_size > 0) == (notice_ended.pk, "QGA-2018-001", True)
    batch = CertificateBatch.objects.get()
    assert (batch.status, batch.done, batch.total, bool(batch.combined_pdf)) == ("done", 1, 1, True)
    page = client.get(reverse("publication_desk", args=[cycle.pk]))
    html = page.content.decode()
    assert "100%" in html and "QGA-2018-001" in html and 'http-equiv="refresh"' not in html
    combined = client.get(reverse("certificate_batch_combined", args=[batch.pk]))
    assert b"".join(combined.streaming_content).startswith(b"%PDF")


def test_running_batch_page_refreshes_itself(client, published, cycle, secretariat):
    CertificateBatch.objects.create(cycle=cycle, requested_by=secretariat, total=1)
    client.force_login(secretariat)
    html = client.get(reverse("publication_desk", args=[cycle.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "重新生成" not in html


def test_rerun_issues_nothing_twice(client, published, cycle, secretariat, django_capture_on_commit_callbacks):
    before = list(Certificate.objects.values_list("pk", "number", "verification_code", "pdf_sha256"))
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates_reissue", args=[cycle.pk]))
    batches = list(CertificateBatch.objects.order_by("created_at", "id").values_list("status", "done", "total"))
    assert batches == [("done", 1, 1), ("done", 1, 1)]
    assert issue_certificates.call(CertificateBatch.objects.order_by("-id").first().pk) == 0
    assert list(Certificate.objects.values_list("pk", "number", "verification_code", "pdf_sha256")) == before


def test_revoke_from_the_page_then_verification_says_revoked(client, published, cycle, secretariat):
    client.force_login(secretariat)
    url = reverse("certificate_revoke", args=[published.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and Certificate.objects.get().revoked_at is None
    response = client.post(url, {"reason": "经查申报材料弄虚作假。"})
    assert response.status_code == 302
    published.refresh_from_db()
    cert = Certificate.objects.get()
    assert (published.state, cert.revoke_reason, cert.revoked_at is not None) == (
        "revoked", "经查申报材料弄虚作假。", True)
    html = client.get(reverse("certificate_verify", args=[cert.verification_code])).content.decode()
    assert "已撤销" in html and "经查申报材料弄虚作假。" in html


def test_objection_desk_query_count_does_not_grow(client, in_notice, secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    file_objection(in_notice)
    client.force_login(secretariat)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("objection_desk")).context["page_obj"]) == 1
    file_objection(in_notice, email="a@example.com")
    file_objection(in_notice, email="b@example.com")
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(reverse("objection_desk")).context["page_obj"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)
