"""The committee decision's confirmation step says what recording it does (issue 11 §5)."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from judging.models import CommitteeDecision, SiteVisitReport
from nominations.models import Category
from nominations.services.transitions import application_transition
from tests.ux.test_judging_forms_keep_values import site_review  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(site_review, secretariat):  # noqa: F811
    app, panel = site_review
    SiteVisitReport.objects.create(application=app, leader=panel[0], summary="良好", submitted_at=app.updated_at)
    return application_transition(application=app, name="finish_review", actor=secretariat)


def post(secretariat, app, **extra):
    client = Client()
    client.force_login(secretariat)
    return client.post(reverse("judging:decision", args=[app.pk]), {
        "decided_on": "2018-11-20", "votes_for": "7", "votes_against": "1", "votes_abstain": "0",
        "minute": "纪要", **extra})


def test_approve_confirmation_states_the_quota_after_recording(evaluated, secretariat):
    Category.objects.filter(pk=evaluated.category_id).update(quota=1)
    response = post(secretariat, evaluated, outcome="approve")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="decision-confirm"' in html
    assert "将记录为“审定通过”" in html and "记录后已审定通过 1 个" in html and "超出" not in html
    Category.objects.filter(pk=evaluated.category_id).update(quota=0)
    assert "名额" not in "".join(post(secretariat, evaluated, outcome="approve").context["consequences"].items)
    assert not CommitteeDecision.objects.exists()


def test_decline_confirmation_names_who_is_told(evaluated, secretariat):
    response = post(secretariat, evaluated, outcome="decline", votes_for="1", votes_against="7")
    items = response.context["consequences"].items
    assert any("审定不通过" in i for i in items)
    assert any("上海甲方科技有限公司" in i and "未获奖的结果通知邮件" in i for i in items)
    assert "审定结果记录后锁定，不能修改。" in items
    assert not CommitteeDecision.objects.exists()
