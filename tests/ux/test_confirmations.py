"""Confirmation with consequences (issue 11 §5): the page says what an irreversible act will
do and to whom, computed from the data; the act refuses what contradicts the data, in the
service, so that every entry point (page, API, admin) gets the refusal."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from nominations.enums import ApplicationState as S
from nominations.errors import ConditionsUnmet
from nominations.models import Application, AuditEntry, Cycle
from nominations.services.transitions import cycle_transition
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(submitted, actors):
    """An application returned for correction, within its amendment deadline (7 days)."""
    return f.advance(submitted, ["return"], actors,
                     params={"return": {"deadline": timezone.now() + dt.timedelta(days=7)}})


@pytest.fixture
def a_draft(cycle, other_applicant, other_organization, unit):
    return f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit,
                               complete=False)


def close_audits(cycle) -> int:
    return AuditEntry.objects.filter(object_type="nominations.cycle", object_id=str(cycle.pk), action="close").count()


# -- 截止申报: the confirmation page --------------------------------------------------------
def test_close_confirmation_says_what_happens_and_to_whom(client, secretariat, cycle, returned, a_draft):
    client.force_login(secretariat)
    response = client.get(reverse("cycle_transition", args=[cycle.pk, "close"]))
    html = response.content.decode()
    assert response.status_code == 200
    items = response.context["consequences"].items
    assert any("提前约" in i and "将立即关闭申报" in i for i in items)
    assert any(i.startswith("1 份未提交的草稿将无法再提交") and "上海乙方制造有限公司" in i for i in items)
    assert any(i.startswith("1 项待补正的申报") and "上海甲方科技有限公司" in i for i in items)
    assert response.context["consequences"].reason_required
    assert "提前截止的理由（必填）" in html and 'id="confirm-close"' in html
    assert Cycle.objects.get(pk=cycle.pk).status == "open"  # a GET changes nothing


def test_cycle_page_links_to_the_confirmation_instead_of_a_one_click_form(client, secretariat, cycle):
    client.force_login(secretariat)
    html = client.get(reverse("cycle_detail", args=[cycle.pk])).content.decode()
    assert f'href="{reverse("cycle_transition", args=[cycle.pk, "close"])}"' in html
    assert "确定对本周期执行" not in html


# -- 截止申报: refused by the act where it contradicts the data ------------------------------------
def test_service_refuses_early_close_with_returned_applications_without_a_reason(secretariat, cycle, returned):
    with pytest.raises(ConditionsUnmet) as exc:
        cycle_transition(cycle=cycle, name="close", actor=secretariat)
    assert exc.value.code == "reason_required"
    assert "提前截止须填写理由" in exc.value.message and "1 项待补正的申报" in exc.value.message
    assert Cycle.objects.get(pk=cycle.pk).status == "open" and close_audits(cycle) == 0
    cycle_transition(cycle=cycle, name="close", actor=secretariat, note="经主管部门同意提前截止")
    assert Cycle.objects.get(pk=cycle.pk).status == "closed" and close_audits(cycle) == 1


def test_api_gets_the_same_refusal(secretariat, cycle, returned):
    api = APIClient()
    api.force_authenticate(secretariat)
    url = f"/api/v1/cycles/{cycle.pk}/transitions/"
    refused = api.post(url, {"name": "close"}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "reason_required" and "提前截止须填写理由" in body["detail"]
    assert Cycle.objects.get(pk=cycle.pk).status == "open" and close_audits(cycle) == 0
    assert api.post(url, {"name": "close", "note": "提前截止：经批准"}, format="json").status_code == 200
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"


def test_web_post_without_a_reason_is_refused_and_keeps_the_page(client, secretariat, cycle, returned):
    client.force_login(secretariat)
    url = reverse("cycle_transition", args=[cycle.pk, "close"])
    response = client.post(url, {"close-note": "  "})
    assert response.status_code == 400
    assert "提前截止须填写理由" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    assert client.post(url, {"close-note": "经批准提前截止"}).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"


def test_admin_gets_the_same_refusal(client, cycle, returned):
    staff = f.UserFactory(username="staff-sec", groups=["secretariat"], is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(reverse("admin:nominations_cycle_transition", args=[cycle.pk]),
                           {"transition": "close", "note": ""}, follow=True)
    assert response.status_code == 200
    assert "提前截止须填写理由" in " ".join(str(m) for m in response.context["messages"])
    assert Cycle.objects.get(pk=cycle.pk).status == "open"


def test_early_close_without_returned_applications_needs_no_reason(secretariat, cycle, a_draft):
    cycle_transition(cycle=cycle, name="close", actor=secretariat)
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"


def test_closing_on_time_needs_no_reason_even_with_returned_applications(secretariat, cycle, returned):
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    cycle_transition(cycle=cycle, name="close", actor=secretariat)
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"


def test_returned_past_its_deadline_does_not_block(secretariat, cycle, returned):
    Application.objects.filter(pk=returned.pk).update(amendment_deadline=timezone.now() - dt.timedelta(hours=1))
    cycle_transition(cycle=cycle, name="close", actor=secretariat)
    assert Cycle.objects.get(pk=cycle.pk).status == "closed"
