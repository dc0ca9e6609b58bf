"""Every form that fails validation gives back what was typed (issue 11 §3): organization,
new application, public objection, notice start, objection outcome. (Judging's forms:
test_judging_forms_keep_values.py; the application form: test_application_form.py.)"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nominations.identifiers import make_uscc
from nominations.models import Application, Objection, Organization, PublicNotice
from tests.publication.conftest import approved, in_notice, panel  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_organization_form_keeps_every_field(client, outsider):
    client.force_login(outsider)
    valid = make_uscc("91310115MA1H7K3P0")
    response = client.post(reverse("organization_create"), {
        "name": "上海保留测试有限公司", "uscc": valid[:17] + ("0" if valid[17] != "0" else "1"),
        "established_on": "2001-02-03", "district": "浦东新区", "industry": "制造业", "size": "中型",
        "address": "上海市浦东新区世纪大道1号", "contact_name": "李四", "contact_phone": "021-55556666",
        "contact_email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code in (200, 400)
    for value in ("上海保留测试有限公司", "2001-02-03", "浦东新区", "制造业", "中型", "上海市浦东新区世纪大道1号",
                  "李四", "021-55556666", "not-an-email"):
        assert f'value="{value}"' in html, value
    assert not Organization.objects.filter(name="上海保留测试有限公司").exists()


def test_new_application_form_keeps_title_and_unit(client, applicant, cycle, unit):
    client.force_login(applicant)
    category = cycle.categories.get(code="IND")
    response = client.post(reverse("application_create", args=[category.pk]), {
        "title": "质量管理数字化成果", "recommending_unit": unit.pk, "nominee_name": "张三",
        "nominee_employer": "", "nominee_position": "质量总监", "nominee_id_number": "123"})
    html = response.content.decode()
    assert 'value="质量管理数字化成果"' in html and 'value="张三"' in html and 'value="质量总监"' in html
    assert f'<option value="{unit.pk}" selected>' in html
    assert not Application.objects.exists()


def test_public_objection_form_keeps_what_was_typed(client, in_notice):  # noqa: F811
    notice = PublicNotice.objects.get()
    response = client.post(reverse("public_objection_create", args=[notice.pk]), {
        "application": str(in_notice.pk), "name": "王某某", "phone": "", "email": "",
        "organization": "某单位", "content": "该单位申报材料中的顾客满意度数据与实际不符。", "pledge": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="王某某"' in html and 'value="某单位"' in html
    assert "该单位申报材料中的顾客满意度数据与实际不符。" in html
    assert f'value="{in_notice.pk}" checked' in html or f'value="{in_notice.pk}" selected' in html
    assert not Objection.objects.exists()


def test_notice_start_form_keeps_text_and_contact(client, approved, cycle, secretariat):  # noqa: F811
    client.force_login(secretariat)
    past = timezone.localtime() - dt.timedelta(days=2)
    response = client.post(reverse("notice_start", args=[cycle.pk]), {
        "starts_at": past.strftime("%Y-%m-%dT%H:%M"), "days": "9", "working_days": "on",
        "description": "现将拟授奖名单予以公示（保留）。", "contact": "王老师 021-12345678"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "现将拟授奖名单予以公示（保留）。" in html and "王老师 021-12345678" in html
    assert 'value="9"' in html and past.strftime("%Y-%m-%dT%H:%M") in html
    assert not PublicNotice.objects.exists()


def test_objection_outcome_form_keeps_the_resolution(client, in_notice, secretariat):  # noqa: F811
    from nominations.services.objections import objection_file, objection_investigate

    notice = PublicNotice.objects.get()
    objection = objection_file(notice=notice, application_id=in_notice.pk, name="李先生", phone="13800000000",
                               email="", content="数据不实。")
    objection_investigate(objection=objection, actor=secretariat)
    client.force_login(secretariat)
    response = client.post(reverse("objection_action", args=[objection.pk, "dismiss"]),
                           {"resolution": "经核查" + "很长" * 3000})
    html = response.content.decode()
    assert response.status_code == 400
    assert "经核查很长很长" in html
    assert Objection.objects.get().status == "investigating"
