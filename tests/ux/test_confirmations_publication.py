"""Confirmation pages of publishing, revoking and objection outcomes, and the committee
decision's confirmation step (issue 11 §5): what will happen and to whom, from the data."""
from __future__ import annotations

import pytest
from django.urls import reverse

from nominations.models import Application, Cycle, Objection, PublicNotice
from nominations.services.objections import objection_file, objection_investigate
from nominations.services.publication import application_confirm
from tests.publication.conftest import (  # noqa: F401  (fixtures)
    approved,
    in_notice,
    notice_ended,
    panel,
    published,
)

pytestmark = pytest.mark.django_db


def filed(app, *, email="wang@example.com"):
    notice = PublicNotice.objects.get()
    return objection_file(notice=notice, application_id=app.pk, name="王某某", phone="13800000000", email=email,
                          content="顾客满意度数据与实际不符。")


# -- publish -------------------------------------------------------------------------------------
def test_publish_confirmation_lists_winners_certificates_and_mail(client, notice_ended, cycle, secretariat):  # noqa: F811
    application_confirm(application=notice_ended.pk, actor=secretariat)
    client.force_login(secretariat)
    desk = client.get(reverse("publication_desk", args=[cycle.pk])).content.decode()
    assert f'href="{reverse("publication_publish", args=[cycle.pk])}"' in desk  # a step, not a one-click form
    response = client.get(reverse("publication_publish", args=[cycle.pk]))
    html = response.content.decode()
    c = response.context["consequences"]
    assert response.status_code == 200 and not c.refusals
    assert any("1 项公示通过的申报将公开列入获奖名单" in i and "上海甲方科技有限公司" in i for i in c.items)
    assert any("将签发 1 份荣誉证书" in i for i in c.items)
    assert 'data-busy-label="正在发布…"' in html and 'name="announcement"' in html
    assert Cycle.objects.get(pk=cycle.pk).status == "notice"  # nothing happened yet


def test_publish_confirmation_says_why_it_would_be_refused(client, in_notice, cycle, secretariat):  # noqa: F811
    client.force_login(secretariat)
    response = client.get(reverse("publication_publish", args=[cycle.pk]))
    c = response.context["consequences"]
    assert any("仍有申报处于公示中" in r for r in c.refusals)
    assert 'id="confirm-publish" disabled' in response.content.decode()
    refused = client.post(reverse("publication_publish", args=[cycle.pk]), {"announcement": "现予公布。"})
    assert refused.status_code == 409 and "现予公布。" in refused.content.decode()  # typed text kept
    assert Cycle.objects.get(pk=cycle.pk).status == "notice"


def test_single_publish_page_says_what_happens(client, notice_ended, secretariat):  # noqa: F811
    application_confirm(application=notice_ended.pk, actor=secretariat)
    client.force_login(secretariat)
    response = client.get(reverse("application_transition", args=[notice_ended.pk, "publish"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "将公开列入获奖名单" in html and "本周期尚无结果公告" in html and "获奖通知邮件" in html
    assert 'data-busy-label="正在发布…"' in html


# -- revoke ----------------------------------------------------------------------------------------
def test_revoke_page_names_the_certificate_and_the_holder(client, published, secretariat):  # noqa: F811
    client.force_login(secretariat)
    response = client.get(reverse("certificate_revoke", args=[published.pk]))
    html = response.content.decode()
    assert "证书 QGA-2018-001 将失效" in html and "从公开的获奖名单中移除" in html
    assert "撤销后不能恢复" in html and "data-confirm" not in html  # the page is the confirmation
    assert Application.objects.get(pk=published.pk).state == "published"


# -- objection outcomes ---------------------------------------------------------------------------------
def test_dismiss_confirmation_tells_who_is_mailed_and_what_it_means(client, in_notice, secretariat):  # noqa: F811
    objection = objection_investigate(objection=filed(in_notice), actor=secretariat)
    client.force_login(secretariat)
    detail = client.get(reverse("objection_detail", args=[objection.pk])).content.decode()
    assert f'href="{reverse("objection_action", args=[objection.pk, "dismiss"])}"' in detail
    response = client.get(reverse("objection_action", args=[objection.pk, "dismiss"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "异议人王某某将收到邮件（wang@example.com）" in html
    assert "公示期满后可确认授奖（公示期满，异议已处理）" in html
    assert "处理结论作出后不能更改" in html
    assert Objection.objects.get().status == "investigating"


def test_uphold_confirmation_says_the_award_cannot_be_confirmed(client, in_notice, secretariat):  # noqa: F811
    objection = objection_investigate(objection=filed(in_notice, email=""), actor=secretariat)
    client.force_login(secretariat)
    html = client.get(reverse("objection_action", args=[objection.pk, "uphold"])).content.decode()
    assert "不能再确认授奖" in html and "未留电子邮箱，请按其电话 13800000000 告知" in html
    response = client.post(reverse("objection_action", args=[objection.pk, "uphold"]), {"resolution": "经核查属实。"})
    assert response.status_code == 302 and Objection.objects.get().status == "upheld"


def test_outcome_before_investigation_shows_the_refusal(client, in_notice, secretariat):  # noqa: F811
    objection = filed(in_notice)
    client.force_login(secretariat)
    response = client.get(reverse("objection_action", args=[objection.pk, "dismiss"]))
    assert any("请先“开始调查核实”" in r for r in response.context["consequences"].refusals)
    assert 'id="confirm-dismiss" disabled' in response.content.decode()


# -- 公示通过 / 公示异议成立 ----------------------------------------------------------------------------
def test_notice_desk_confirm_is_a_step_that_says_what_happens(client, notice_ended, cycle, secretariat):  # noqa: F811
    client.force_login(secretariat)
    desk = client.get(reverse("notice_desk", args=[cycle.pk])).content.decode()
    url = reverse("notice_decide", args=[notice_ended.pk, "confirm"])
    assert f'action="{url}"' in desk and 'method="get"' in desk
    page = client.get(url)
    html = page.content.decode()
    assert "记为“公示期满无异议”，等待发布结果" in html and not page.context["consequences"].refusals
    assert Application.objects.get(pk=notice_ended.pk).state == "public_notice"
    assert client.post(url).status_code == 302
    assert Application.objects.get(pk=notice_ended.pk).state == "awarded"


def test_confirm_page_shows_why_it_is_refused_while_the_window_is_open(client, in_notice, secretariat):  # noqa: F811
    client.force_login(secretariat)
    page = client.get(reverse("notice_decide", args=[in_notice.pk, "confirm"]))
    assert any("公示期尚未结束" in r for r in page.context["consequences"].refusals)
    assert 'id="confirm-confirm" disabled' in page.content.decode()
