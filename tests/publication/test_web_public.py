"""Public web pages: 公示 list and detail, the objection form, winners, certificate verification."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nominations.models import AuditEntry, Objection, PublicNotice
from nominations.services.acts import application_act
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.publication.conftest import ID_NUMBER, approve, new_accepted, start_notice, to_deliberation

pytestmark = pytest.mark.django_db


def objection_data(app, **overrides) -> dict:
    data = {"application": str(app.pk), "name": "王某某", "phone": "13800000000", "email": "wang@example.com",
            "organization": "", "content": "该单位申报材料中的顾客满意度数据与实际不符。", "pledge": "on"}
    data.update(overrides)
    return data


@pytest.fixture
def individual_accepted(accepted, cycle, secretariat, recommender, unit, organization, applicant):
    """An individual nominee (ID 11010519491231002X) of the persona organization, accepted
    (after the persona's organization application)."""
    return new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit,
                        category_code="IND", title="质量管理数字化成果", organization=organization, user=applicant,
                        nominee={"name": "张三", "employer": "上海甲方科技有限公司", "position": "质量总监",
                                 "id_number": ID_NUMBER})


# -- 公示 -------------------------------------------------------------------------
def test_notice_pages_list_entries_and_never_an_id_number(client, accepted, individual_accepted, cycle,
                                                          secretariat, panel):
    approved = approve(accepted, secretariat=secretariat, panel=panel)
    individual = approve(individual_accepted, secretariat=secretariat, panel=panel)
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat)
    notice = PublicNotice.objects.get()
    pages = [client.get(reverse("public_notice_list")), client.get(reverse("public_notice_detail", args=[notice.pk])),
             client.get(reverse("public_objection_create", args=[notice.pk]))]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert [e.application_id for e in pages[0].context["current_rows"][0]["entries"]] == sorted([approved.pk, individual.pk])
    for page in pages:
        html = page.content.decode()
        assert "张三（上海甲方科技有限公司）" in html and "质量管理数字化成果" in html
        assert "上海甲方科技有限公司" in html and "卓越绩效管理模式" in html and "上海市质量金奖" in html
        for fragment in (ID_NUMBER, "110105", "19491231", "1231002X", "002X", "********"):
            assert fragment not in html, fragment
    detail = pages[1].content.decode()
    assert "秘书处王老师" in detail and "021-12345678" in detail and "上海市黄浦区人民大道200号" in detail
    assert "如何提出异议" in detail and "匿名异议不予受理" in detail


def test_notice_window_is_shown_in_beijing_time_ending_at_24_00(client, approved, cycle, secretariat):
    start_notice(cycle, secretariat, days=7)
    notice = PublicNotice.objects.get()
    last_day = timezone.localtime(notice.starts_at).date() + dt.timedelta(days=6)
    html = client.get(reverse("public_notice_detail", args=[notice.pk])).content.decode()
    assert f"{last_day:%Y-%m-%d} 24:00" in html
    assert timezone.localtime(notice.starts_at).strftime("%Y-%m-%d %H:%M") in html


def test_past_notice_is_listed_under_past_notices(client, notice_ended):
    response = client.get(reverse("public_notice_list"))
    assert response.context["current_rows"] == []
    assert [r["notice"].pk for r in response.context["past_rows"]] == list(PublicNotice.objects.values_list("pk", flat=True))


def test_unknown_notice_is_404(client, db):
    assert client.get(reverse("public_notice_detail", args=[999])).status_code == 404
    assert client.get(reverse("public_objection_create", args=[999])).status_code == 404


# -- objections -----------------------------------------------------------------------
def test_objection_inside_window_is_received_with_a_receipt(client, in_notice):
    notice = PublicNotice.objects.get()
    evidence = f.pdf_upload("evidence.pdf")
    response = client.post(reverse("public_objection_create", args=[notice.pk]),
                           {**objection_data(in_notice), "evidence": evidence})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.application_id, objection.name, objection.contact, objection.status) == (
        in_notice.pk, "王某某", "13800000000 / wang@example.com", "received")
    assert objection.evidence and len(objection.evidence_sha256) == 64
    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200 and objection.receipt in html and "受理回执编号" in html
    assert "wang@example.com" in html and "调查核实" in html


def test_receipt_needs_the_signed_token(client, in_notice):
    notice = PublicNotice.objects.get()
    client.post(reverse("public_objection_create", args=[notice.pk]), objection_data(in_notice))
    objection = Objection.objects.get()
    forged = reverse("public_objection_received", args=[notice.pk, str(objection.pk)])
    assert client.get(forged).status_code == 404


def test_late_objection_is_refused_with_the_reason_and_nothing_saved(client, notice_ended):
    notice = PublicNotice.objects.get()
    get = client.get(reverse("public_objection_create", args=[notice.pk]))
    assert "form" not in get.context and "逾期异议不予受理" in get.content.decode()
    response = client.post(reverse("public_objection_create", args=[notice.pk]), objection_data(notice_ended))
    assert response.status_code == 400
    assert "逾期异议不予受理" in response.content.decode()
    assert not Objection.objects.exists()


@pytest.mark.parametrize("overrides,field,message", [
    ({"name": " "}, "name", "实名"),
    ({"phone": "", "email": ""}, "phone", "至少填写联系电话或电子邮箱"),
    ({"content": ""}, "content", "异议内容"),
    ({"pledge": ""}, "pledge", "本人承诺所提异议真实"),
    ({"application": "999999"}, "application", "请选择本次公示中的一项"),
])
def test_anonymous_or_incomplete_objection_is_refused(client, in_notice, overrides, field, message):
    notice = PublicNotice.objects.get()
    response = client.post(reverse("public_objection_create", args=[notice.pk]), objection_data(in_notice, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Objection.objects.exists()
    assert not AuditEntry.objects.filter(action="objection.file").exists()


def test_fake_pdf_evidence_is_refused(client, in_notice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    notice = PublicNotice.objects.get()
    fake = SimpleUploadedFile("evidence.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(reverse("public_objection_create", args=[notice.pk]),
                           {**objection_data(in_notice), "evidence": fake})
    assert response.status_code == 400 and "evidence" in response.context["form"].errors
    assert not Objection.objects.exists()


def test_objection_posts_are_throttled_per_ip(client, in_notice, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "objection": "2/hour"}}
    notice = PublicNotice.objects.get()
    url = reverse("public_objection_create", args=[notice.pk])
    statuses = [client.post(url, objection_data(in_notice)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Objection.objects.count() == 2


# -- winners and verification ------------------------------------------------------------
def test_winners_page_lists_published_winners_with_certificate_numbers(client, published, cycle):
    response = client.get(reverse("public_winners"), {"programme": "QGA", "cycle": "2018"})
    html = response.content.decode()
    assert response.status_code == 200
    assert [[a.application_id for a in s["winners"]] for s in response.context["sections"]] == [[published.pk]]
    assert "QGA-2018-001" in html and "上海甲方科技有限公司" in html and "经公示无异议，现予公布。" in html
    other = client.get(reverse("public_winners"), {"programme": "MQA"})
    assert other.context["sections"] == [] and "QGA-2018-001" not in other.content.decode()


def test_verification_page_says_valid_then_revoked(client, published, secretariat):
    cert = published.certificate
    url = reverse("certificate_verify", args=[cert.verification_code])
    assert cert.verify_url.endswith(url)
    html = client.get(url).content.decode()
    assert "有效" in html and "QGA-2018-001" in html and "上海甲方科技有限公司" in html and "2018" in html
    application_act(application=published.pk, name="revoke", actor=secretariat, note="经查申报材料弄虚作假。")
    html = client.get(url).content.decode()
    assert "已撤销" in html and "经查申报材料弄虚作假。" in html
    assert timezone.localdate().isoformat() in html


def test_unknown_verification_code_is_a_404_page(client, db):
    response = client.get(reverse("certificate_verify", args=["no-such-code"]))
    assert response.status_code == 404
    assert "未找到该证书" in response.content.decode()


def test_verify_lookup_accepts_a_pasted_url(client, published):
    cert = published.certificate
    response = client.get(reverse("certificate_verify_lookup"), {"code": cert.verify_url})
    assert response["Location"] == reverse("certificate_verify", args=[cert.verification_code])


# -- query counts ------------------------------------------------------------------
def _notice_with(apps):
    return f.notice_with(apps)


def drafts(cycle, unit, n: int) -> list:
    """n drafts of n organizations (list-page arrangements; their state does not matter)."""
    apps = []
    for i in range(n):
        org, user = f.OrganizationFactory(), f.UserFactory()
        f.member(user, org)
        apps.append(f.draft_application(cycle=cycle, applicant=user, organization=org, unit=unit,
                                        title=f"项目{i}", complete=False))
    return apps


def test_notice_list_query_count_does_not_grow(client, cycle, unit, django_assert_num_queries):
    apps = drafts(cycle, unit, 3)
    notice = _notice_with(apps[:1])
    with django_assert_num_queries(2):
        client.get(reverse("public_notice_list"))
    notice.applications.add(*apps[1:])
    with django_assert_num_queries(2):
        response = client.get(reverse("public_notice_list"))
    assert len(response.context["current_rows"][0]["entries"]) == 3


def test_winners_query_count_does_not_grow(client, cycle, secretariat, recommender, unit, panel,
                                           django_assert_num_queries, django_capture_on_commit_callbacks):
    from tests.publication.conftest import publish

    apps = [approve(new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit),
                    secretariat=secretariat, panel=panel) for _ in range(3)]
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat, ended=True)
    for app in apps:
        application_act(application=app.pk, name="confirm", actor=secretariat)
    publish(cycle, secretariat)
    with django_assert_num_queries(3):
        response = client.get(reverse("public_winners"))
    assert sum(len(s["winners"]) for s in response.context["sections"]) == 3
    for app in apps[1:]:
        application_act(application=app.pk, name="revoke", actor=secretariat, note="撤销测试")
    with django_assert_num_queries(3):
        response = client.get(reverse("public_winners"))
    assert [a.application_id for s in response.context["sections"] for a in s["winners"]] == [apps[0].pk]
