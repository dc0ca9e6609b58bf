"""Wording and dead ends (issue 11 §8): quotes never doubled, brackets never nested, 公示期满
with a handled objection, the formal review page says why 受理 is missing, a judge's sheet
says 待开始 like the list, one nav item highlighted."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from judging.services import assignment_accept, assignment_create
from nominations.models import PublicNotice
from nominations.services.objections import objection_file, objection_investigate, objection_resolve
from nominations.services.publication import application_confirm
from nominations.text import bracketed, quoted
from nominations.views.common import next_step
from tests.judging.conftest import make_judges
from tests.publication.conftest import approved, in_notice, notice_ended, panel  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text,expected", [
    ("卓越绩效管理模式", "“卓越绩效管理模式”"),
    ("“精益+数字化”双轮驱动的质量管理模式", "“‘精益+数字化’双轮驱动的质量管理模式”"),
    ("“全链条追溯”", "“全链条追溯”"),
])
def test_quoted_never_doubles_quotes(text, expected):
    assert quoted(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("组织（先进质量管理模式）", "（组织·先进质量管理模式）"),
    ("个人", "（个人）"),
])
def test_bracketed_never_nests(text, expected):
    assert bracketed(text) == expected


def test_result_email_quotes_the_title_once(draft):
    draft.title = "“精益+数字化”双轮驱动的质量管理模式"
    text = render_to_string("emails/result-awarded-body.txt", {"application": draft})
    assert "“‘精益+数字化’双轮驱动的质量管理模式”荣获" in text and "““" not in text
    assert "（组织·先进质量管理模式）" in text


def test_awarded_after_a_dismissed_objection_says_it_was_handled(in_notice, secretariat):  # noqa: F811
    notice = PublicNotice.objects.get()
    objection = objection_file(notice=notice, application_id=in_notice.pk, name="李先生", phone="13800000000",
                               email="", content="数据不实。")
    objection_investigate(objection=objection, actor=secretariat)
    objection_resolve(objection=objection, actor=secretariat, outcome="dismissed", resolution="经核查，数据真实。")
    PublicNotice.objects.filter(pk=notice.pk).update(starts_at=notice.starts_at - dt.timedelta(days=30),
                                                      ends_at=timezone.now() - dt.timedelta(minutes=1))
    app = application_confirm(application=in_notice.pk, actor=secretariat)
    text = next_step(app, secretariat)
    assert text == "公示期满，异议已处理，等待发布结果。" and "无异议" not in text


def test_awarded_without_objection_says_none(notice_ended, secretariat):  # noqa: F811
    app = application_confirm(application=notice_ended.pk, actor=secretariat)
    assert next_step(app, secretariat) == "公示期满无异议，等待发布结果。"


def test_review_page_of_a_submitted_application_says_accept_waits_for_the_recommender(client, secretariat,
                                                                                      submitted, unit):
    client.force_login(secretariat)
    html = client.get(reverse("application_review", args=[submitted.pk])).content.decode()
    assert 'id="accept-waits"' in html and f"须待“{unit.name}”推荐后才能执行" in html
    assert "application_transition" not in html and "/transitions/accept/" not in html


def test_sheet_of_a_stage_not_started_says_not_started_like_the_list(accepted, secretariat):
    judge = make_judges(1, prefix="w")[0]
    assignment = assignment_accept(assignment=assignment_create(application=accepted, judge=judge, stage="document",
                                                                actor=secretariat), actor=judge)
    client = Client()
    client.force_login(judge)
    sheet = client.get(reverse("judging:assignment_sheet", args=[assignment.pk])).content.decode()
    assert "尚未开始，暂不能评分" in sheet
    heading = sheet[sheet.index('class="page-head__meta"'):sheet.index("</p>", sheet.index('class="page-head__meta"'))]
    assert "待开始" in heading and "评审中" not in heading


def test_judging_home_highlights_one_nav_item(accepted, secretariat):
    judge = make_judges(1, prefix="n")[0]
    client = Client()
    client.force_login(judge)
    html = client.get(reverse("judging:home")).content.decode()
    nav = html[html.index('class="main-nav"'):html.index("</nav>", html.index('class="main-nav"'))]
    assert len(re.findall(r'aria-current="page"', nav)) == 1
    assert re.search(r'aria-current="page">评审任务<', nav)
