"""API: public notices, objections, winners, certificate verification and the certificate PDF."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from nominations.models import Objection, PublicNotice
from nominations.services.acts import application_act
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.publication.conftest import ID_NUMBER, approve, new_accepted, start_notice, to_deliberation

pytestmark = pytest.mark.django_db
API = "/api/v1"


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(user)}")
    return client


def objection(app, **overrides) -> dict:
    data = {"application": app.pk, "name": "王某某", "phone": "13800000000", "email": "wang@example.com",
            "content": "顾客满意度数据与实际不符。"}
    data.update(overrides)
    return data


# -- notices ----------------------------------------------------------------------
def test_public_notices_list_entries_without_id_data(accepted, cycle, secretariat, recommender, unit, panel,
                                                      organization, applicant):
    person = new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit,
                          category_code="IND", title="质量管理数字化成果", organization=organization, user=applicant,
                          nominee={"name": "张三", "employer": "上海甲方科技有限公司", "position": "质量总监",
                                   "id_number": ID_NUMBER})
    org_app = approve(accepted, secretariat=secretariat, panel=panel)
    person = approve(person, secretariat=secretariat, panel=panel)
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat)
    response = api_as().get(f"{API}/public/notices/")
    assert response.status_code == 200
    body = response.json()
    notice = PublicNotice.objects.get()
    assert [(n["id"], n["cycle"], n["programme"], n["is_open"]) for n in body] == [(notice.pk, "2018", "QGA", True)]
    assert sorted(body[0]["entries"], key=lambda e: e["application"]) == sorted([
        {"application": org_app.pk, "name": "上海甲方科技有限公司", "title": "卓越绩效管理模式", "programme": "QGA",
         "category": "组织（先进质量管理模式）"},
        {"application": person.pk, "name": "张三（上海甲方科技有限公司）", "title": "质量管理数字化成果",
         "programme": "QGA", "category": "个人（先进质量管理成果）"},
    ], key=lambda e: e["application"])
    assert body[0]["starts_at"] == timezone.localtime(notice.starts_at).isoformat()
    assert (body[0]["description"], body[0]["contact"]) == (notice.description, notice.contact)
    assert body[0]["contact"] and body[0]["description"]
    raw = response.content.decode()
    for fragment in (ID_NUMBER, "110105", "19491231", "002X", "***"):
        assert fragment not in raw


def _notice_with(apps):
    return f.notice_with(apps)


def test_public_notices_query_count_does_not_grow(cycle, unit, django_assert_num_queries):
    from tests.publication.test_web_public import drafts

    apps = drafts(cycle, unit, 3)
    notice = _notice_with(apps[:1])
    client = api_as()
    with django_assert_num_queries(2):
        assert len(client.get(f"{API}/public/notices/").json()[0]["entries"]) == 1
    notice.applications.add(*apps[1:])
    with django_assert_num_queries(2):
        assert len(client.get(f"{API}/public/notices/").json()[0]["entries"]) == 3


# -- objections ---------------------------------------------------------------------
def test_objection_inside_window_is_201(in_notice):
    notice = PublicNotice.objects.get()
    response = api_as().post(f"{API}/public/notices/{notice.pk}/objections/", objection(in_notice), format="json")
    assert response.status_code == 201, response.json()
    obj = Objection.objects.get()
    assert response.json() == {"receipt": obj.receipt, "notice": notice.pk, "application": in_notice.pk,
                               "received_at": timezone.localtime(obj.received_at).isoformat(), "status": "received"}
    assert re.fullmatch(r"\d\d-QGA-[0-9A-HJKMNP-TV-Z]{5}", obj.receipt)


def test_objection_with_evidence_as_multipart(in_notice):
    notice = PublicNotice.objects.get()
    response = api_as().post(f"{API}/public/notices/{notice.pk}/objections/",
                             {**objection(in_notice), "evidence": f.pdf_upload("evidence.pdf")}, format="multipart")
    assert response.status_code == 201, response.json()
    assert len(Objection.objects.get().evidence_sha256) == 64


def test_late_objection_is_400_with_the_message(notice_ended):
    notice = PublicNotice.objects.get()
    response = api_as().post(f"{API}/public/notices/{notice.pk}/objections/", objection(notice_ended),
                             format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "notice_closed" and "逾期异议不予受理" in response.json()["detail"]
    assert not Objection.objects.exists()


@pytest.mark.parametrize("overrides,field", [
    ({"name": ""}, "name"),
    ({"phone": "", "email": ""}, "phone"),
    ({"content": " "}, "content"),
    ({"application": 999999}, "application"),
])
def test_anonymous_objection_is_400(in_notice, overrides, field):
    notice = PublicNotice.objects.get()
    response = api_as().post(f"{API}/public/notices/{notice.pk}/objections/", objection(in_notice, **overrides),
                             format="json")
    assert response.status_code == 400
    assert field in response.json() and response.json()["detail"]
    assert not Objection.objects.exists()


def test_objection_to_unknown_notice_is_404(db):
    assert api_as().post(f"{API}/public/notices/999/objections/", {}, format="json").status_code == 404


def test_objection_api_is_throttled(in_notice, settings, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES",
                        {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "objection": "2/hour"})
    notice = PublicNotice.objects.get()
    client = api_as()
    statuses = [client.post(f"{API}/public/notices/{notice.pk}/objections/", objection(in_notice),
                            format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert Objection.objects.count() == 2


# -- winners and certificates ------------------------------------------------------------
def test_winners_by_programme_and_cycle(published):
    client = api_as()
    expected = [{"programme": "QGA", "cycle": "2018", "category": "组织（先进质量管理模式）",
                 "name": "上海甲方科技有限公司", "title": "卓越绩效管理模式", "announcement": "结果公告",
                 "certificate_number": "QGA-2018-001"}]
    assert client.get(f"{API}/public/winners/", {"programme": "QGA", "cycle": "2018"}).json() == expected
    assert client.get(f"{API}/public/winners/").json() == expected
    assert client.get(f"{API}/public/winners/", {"programme": "MQA"}).json() == []
    assert client.get(f"{API}/public/winners/", {"cycle": "2019"}).json() == []
    bad = client.get(f"{API}/public/winners/", {"programme": "XYZ"})
    assert bad.status_code == 400 and "programme" in bad.json()


def test_winners_query_count_does_not_grow_with_rows(cycle, secretariat, recommender, unit, panel,
                                                      django_assert_num_queries):
    from tests.publication.conftest import publish

    apps = [approve(new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit),
                    secretariat=secretariat, panel=panel) for _ in range(3)]
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat, ended=True)
    for app in apps:
        application_act(application=app.pk, name="confirm", actor=secretariat)
    publish(cycle, secretariat)
    client = api_as()
    with django_assert_num_queries(1):
        assert len(client.get(f"{API}/public/winners/").json()) == 3
    for app in apps[1:]:
        application_act(application=app.pk, name="revoke", actor=secretariat, note="撤销测试")
    with django_assert_num_queries(1):
        assert [w["name"] for w in client.get(f"{API}/public/winners/").json()] == [apps[0].organization.name]


def test_certificate_verification_valid_then_revoked(published, secretariat):
    cert = published.certificate
    client = api_as()
    body = client.get(f"{API}/public/certificates/{cert.verification_code}/").json()
    assert {k: body[k] for k in ("number", "holder", "title", "programme", "cycle", "status")} == {
        "number": "QGA-2018-001", "holder": "上海甲方科技有限公司", "title": "卓越绩效管理模式", "programme": "QGA",
        "cycle": "2018", "status": "valid"}
    assert body["issued_at"] == timezone.localtime(cert.issued_at).isoformat()
    application_act(application=published.pk, name="revoke", actor=secretariat, note="弄虚作假")
    body = client.get(f"{API}/public/certificates/{cert.verification_code}/").json()
    assert (body["status"], body["revoke_reason"]) == ("revoked", "弄虚作假")


def test_unknown_verification_code_is_404(db):
    response = api_as().get(f"{API}/public/certificates/unknown-code/")
    assert response.status_code == 404 and response.json()["detail"]


def test_certificate_pdf_for_applicants_and_secretariat_only(published, applicant, other_applicant, recommender,
                                                             secretariat):
    url = f"{API}/applications/{published.pk}/certificate.pdf"
    assert api_as().get(url).status_code == 401
    for user in (other_applicant, recommender):
        response = api_as(user).get(url)
        assert response.status_code == 404 and response.json()["detail"]
    for user in (applicant, secretariat):
        response = api_as(user).get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_certificate_pdf_not_yet_rendered_is_404_with_detail(notice_ended, applicant, secretariat, cycle):
    from tests.publication.conftest import publish

    application_act(application=notice_ended.pk, name="confirm", actor=secretariat)
    publish(cycle, secretariat)  # the render task runs after commit: not in this test's transaction
    response = api_as(applicant).get(f"{API}/applications/{notice_ended.pk}/certificate.pdf")
    assert response.status_code == 404 and "正在生成" in response.json()["detail"]
