"""The intake half of the workflow through the web pages, as the three roles do it."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from nominations.enums import ApplicationState
from nominations.identifiers import make_uscc
from nominations.models import Application, AuditEntry, Document, Membership, Organization
from tests import factories as f

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's visible text, whitespace collapsed (for assertions on sentences)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_signup_signs_in_and_asks_for_the_organization(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), {
            "first_name": "张三", "email": "zhangsan@example.com",
            "password1": "Quality-Award-2018", "password2": "Quality-Award-2018",
        })
    assert response["Location"] == reverse("signup_sent")  # the same answer for a registered address
    link = re.search(r"https?://[^/\s]+(/signup/activate/\S+)", mailoutbox[0].body).group(1)

    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("organization_create")
    page = client.get(response["Location"])
    assert page.context["user"].email == "zhangsan@example.com"
    assert "注册成功，欢迎使用。下一步：登记您的申报单位。" in _text(page)


def test_applicant_to_accepted_walkthrough_with_history(client, cycle, unit, recommender, secretariat):
    applicant = f.UserFactory(username="applicant1", first_name="王经理")
    client.force_login(applicant)

    # 1. register the organization
    uscc = make_uscc("91310115MA1H7K3P0")
    response = client.post(reverse("organization_create"), {
        "name": "上海浦江精密机械有限公司", "uscc": uscc.lower(), "established_on": "2009-04-01",
        "district": "浦东新区", "contact_name": "王经理", "contact_email": "wang@example.com",
    })
    assert response.status_code == 302 and response["Location"] == reverse("application_new")
    org = Organization.objects.get(uscc=uscc)
    assert list(Membership.objects.filter(organization=org).values_list("user__username", flat=True)) == ["applicant1"]

    # 2. choose the category and create the draft
    category = cycle.categories.get(code="ORG")
    assert category.name in _text(client.get(reverse("application_new")))
    response = client.post(reverse("application_create", args=[category.pk]), {
        "organization": org.pk, "title": "“精益+数字化”双轮驱动的质量管理模式", "recommending_unit": unit.pk,
    })
    app = Application.objects.get(organization=org)
    assert response["Location"] == reverse("application_edit", args=[app.pk])

    # 3. fill the form and tick the commitment
    response = client.post(reverse("application_edit", args=[app.pk]), {
        "title": app.title, "recommending_unit": unit.pk, "commitment": "on",
        "q_employees": "1200", "q_revenue": "356000.50", "q_model_name": "精益+数字化",
        "q_summary": "以顾客为中心。", "q_compliance": "true",
    })
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.answers == {"employees": 1200, "revenue": "356000.50", "model_name": "精益+数字化",
                           "summary": "以顾客为中心。", "compliance": True}
    assert app.commitment is True

    # 4. upload the required PDFs
    for req in category.document_requirements.filter(required=True):
        response = client.post(reverse("document_upload", args=[app.pk]),
                               {"kind": req.kind, "file": f.pdf_upload(f"{req.kind}.pdf")})
        assert response.status_code == 302
    assert sorted(Document.objects.filter(application=app).values_list("kind", flat=True)) == [
        "application_form", "self_assessment"]

    # 5. submit
    response = client.post(reverse("application_transition", args=[app.pk, "submit"]),
                           {"next": reverse("application_edit", args=[app.pk])})
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    assert app.reference == "QGA-2018-0001"
    assert response["Location"] == reverse("application_detail", args=[app.pk])
    assert "等待“浦东新区市场监督管理局”审核推荐。" in _text(client.get(response["Location"]))

    # 6. the recommender endorses from its queue
    client.force_login(recommender)
    queue = client.get(reverse("recommender_queue"))
    assert [a.pk for a, _step in queue.context["rows"]] == [app.pk]
    response = client.post(reverse("application_transition", args=[app.pk, "endorse"]),
                           {"prefix": "endorse", "endorse-note": "经审核，同意推荐。",
                            "next": reverse("application_detail", args=[app.pk])})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.ENDORSED

    # 7. the secretariat sees the eligibility results, then accepts
    client.force_login(secretariat)
    review = client.get(reverse("application_review", args=[app.pk]))
    assert [(r["description"], r["passed"]) for r in review.context["eligibility"]] == [
        ("在本市注册经营满3年", True), ("获本奖项后5年内不得再次申报", True), ("合规与诚信声明", True)]
    response = client.post(reverse("application_transition", args=[app.pk, "accept"]),
                           {"prefix": "accept", "accept-note": "材料齐全，符合申报条件。",
                            "next": reverse("application_review", args=[app.pk])})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED

    # 8. the applicant sees the whole history on the detail page
    client.force_login(applicant)
    detail = client.get(reverse("application_detail", args=[app.pk]))
    transitions = [(row.label, row.source_label, row.target_label, row.note)
                   for row in detail.context["history"] if not row.minor]
    assert transitions == [
        ("提交", "草稿", "已提交", ""),
        ("推荐", "已提交", "已推荐", "经审核，同意推荐。"),
        ("受理", "已推荐", "已受理", "材料齐全，符合申报条件。"),
    ]
    ips = set(AuditEntry.objects.filter(object_type="nominations.application", object_id=str(app.pk))
              .values_list("ip", flat=True))
    assert ips == {"127.0.0.1"}
    text = _text(detail)
    for expected in ("提交 （草稿 → 已提交）", "推荐 （已提交 → 已推荐）", "受理 （已推荐 → 已受理）",
                     "经审核，同意推荐。", "已受理，等待进入专家资料评审。"):
        assert expected in text


def test_recommender_return_needs_a_reason_then_shows_deadline_and_reason(client, submitted, recommender, applicant):
    client.force_login(recommender)
    url = reverse("application_transition", args=[submitted.pk, "return"])

    response = client.post(url, {"prefix": "return", "return-note": " "})

    assert response.status_code == 400
    assert "请填写退回理由。" in _text(response)
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED

    response = client.post(url, {"prefix": "return", "return-note": "请补充近三年关键指标对比数据。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.RETURNED

    client.force_login(applicant)
    text = _text(client.get(reverse("application_detail", args=[submitted.pk])))
    assert "需要补正" in text
    assert "请补充近三年关键指标对比数据。" in text
    deadline = timezone.localtime(submitted.amendment_deadline)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text


def test_accept_with_failed_eligibility_needs_an_override_reason(client, secretariat, applicant, organization, unit,
                                                                 recommender, cycle, actors):
    organization.established_on = None  # "registered 3 years" cannot pass
    organization.save(update_fields=["established_on"])
    app = f.advance(f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit),
                    ["submit", "endorse"], actors)
    client.force_login(secretariat)

    review = client.get(reverse("application_review", args=[app.pk]))
    assert [r["detail"] for r in review.context["failed"]] == ["未填写成立日期"]
    accept_form = review.context["decision_forms"][0]["form"]
    assert "override_reason" in accept_form.fields

    url = reverse("application_transition", args=[app.pk, "accept"])
    response = client.post(url, {"prefix": "accept", "accept-note": ""})
    assert response.status_code == 400
    assert "资格条件未全部通过，须填写例外受理理由。" in _text(response)
    app.refresh_from_db()
    assert app.state == ApplicationState.ENDORSED

    response = client.post(url, {"prefix": "accept", "accept-override_reason": "营业执照显示成立于2009年，系统漏填。"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.eligibility_override_reason == "营业执照显示成立于2009年，系统漏填。"


def test_withdraw_asks_for_confirmation_first(client, submitted, applicant):
    client.force_login(applicant)
    url = reverse("application_transition", args=[submitted.pk, "withdraw"])

    page = client.get(url)

    assert page.status_code == 200
    assert "撤回后本申报流程结束，不能恢复" in _text(page)
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED

    response = client.post(url, {"note": "内部调整，暂不申报。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.WITHDRAWN


def test_a_repeated_transition_is_refused_with_a_clear_message(client, draft, applicant):
    client.force_login(applicant)
    url = reverse("application_transition", args=[draft.pk, "submit"])
    client.post(url)

    response = client.post(url, follow=True)

    assert "当前状态“已提交”下不能执行“提交”操作。" in _text(response)
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    assert draft.reference == "QGA-2018-0001"


def test_secretariat_closes_the_cycle_from_its_dashboard(client, cycle, secretariat):
    client.force_login(secretariat)

    response = client.post(reverse("cycle_transition", args=[cycle.pk, "close"]), {"close-note": "提前截止"},
                           follow=True)

    cycle.refresh_from_db()
    assert cycle.status == "closed"
    assert "已完成“截止申报”，评选周期当前状态：申报截止。" in _text(response)


def test_cycle_dashboard_filters_by_state(client, secretariat, submitted, cycle, other_applicant, other_organization,
                                          unit, actors):
    other = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization, unit=unit)
    f.advance(other, ["submit"], {**actors, "submit": other_applicant})
    f.advance(submitted, ["endorse"], actors)
    client.force_login(secretariat)

    page = client.get(reverse("cycle_detail", args=[cycle.pk]), {"state": "endorsed"})

    assert [a.pk for a in page.context["page_obj"].object_list] == [submitted.pk]
    # 待形式审查 is what waits for the secretariat; a submitted application of a programme that
    # needs a recommendation waits for its recommender first.
    page = client.get(reverse("cycle_detail", args=[cycle.pk]), {"state": "to_review"})
    assert [a.pk for a in page.context["page_obj"].object_list] == [submitted.pk]
    page = client.get(reverse("cycle_detail", args=[cycle.pk]), {"state": "awaiting_recommender"})
    assert [a.pk for a in page.context["page_obj"].object_list] == [other.pk]
