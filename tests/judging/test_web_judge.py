"""The judge's web pages: own tasks only, accept / decline, the scoresheet form (save, bad
input, submit), autosave through the API with session auth and CSRF, blind until submitted."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from judging.models import Assignment, Conflict, ItemScore
from judging.services import assignment_create, conflict_add
from tests.judging.conftest import fill, fill_and_submit, gbt_codes

pytestmark = pytest.mark.django_db


def sheet_url(assignment) -> str:
    return reverse("judging:assignment_sheet", args=[assignment.pk])


def login(client, user):
    client.force_login(user)
    return client


def all_items(percent: int | str, *, codes=None, text="") -> dict:
    data = {}
    for code in codes or gbt_codes():
        data[f"p-{code}"] = str(percent)
        data[f"s-{code}"] = text
        data[f"o-{code}"] = ""
    return data


def test_dashboard_lists_only_own_assignments(client, review_app, judges):
    app, assignments = review_app
    fill(assignments[1], judges[1], 80)  # another judge's progress must not show
    response = login(client, judges[0]).get(reverse("judging:home"))
    assert response.status_code == 200
    shown = [a.pk for g in response.context["groups"] for a in g["rows"]]
    assert shown == [assignments[0].pk]
    assert [a.scored_items for g in response.context["groups"] for a in g["rows"]] == [0]


def test_another_judges_sheet_is_404(client, review_app, judges):
    app, assignments = review_app
    fill(assignments[1], judges[1], 80)
    client = login(client, judges[0])
    response = client.get(sheet_url(assignments[1]))
    assert response.status_code == 404
    assert "80%" not in response.content.decode()
    response = client.post(sheet_url(assignments[1]), all_items(10))
    assert response.status_code == 404
    assert set(ItemScore.objects.filter(assignment=assignments[1]).values_list("percent", flat=True)) == {80}


def test_pages_are_403_for_non_judges(client, review_app, applicant, secretariat):
    app, assignments = review_app
    for user in (applicant, secretariat):
        response = login(Client(), user).get(reverse("judging:home"))
        assert response.status_code == 403
    assert login(Client(), applicant).get(sheet_url(assignments[0])).status_code == 403


def test_conflicted_judge_gets_404_on_sheet_and_download(client, review_app, judges, secretariat):
    app, assignments = review_app
    doc = app.documents.order_by("pk").first()
    download = reverse("document_download", args=[app.pk, doc.pk])
    client = login(client, judges[0])
    assert client.get(sheet_url(assignments[0])).status_code == 200
    assert client.get(download).status_code == 200
    conflict_add(judge=judges[0], organization=app.organization, actor=secretariat, reason="曾为该公司提供咨询")

    sheet = client.get(sheet_url(assignments[0]))
    assert sheet.status_code == 404
    assert doc.name not in sheet.content.decode()
    assert client.get(download).status_code == 404
    assert client.post(sheet_url(assignments[0]), all_items(50)).status_code == 404
    assert not ItemScore.objects.filter(assignment=assignments[0]).exists()


def test_materials_shown_only_after_accepting(client, accepted, judges, secretariat):
    assignment = assignment_create(application=accepted, judge=judges[0], stage="document", actor=secretariat)
    doc = accepted.documents.order_by("pk").first()
    client = login(client, judges[0])
    page = client.get(sheet_url(assignment))
    assert page.status_code == 200
    assert page.templates[0].name == "judging/judge/accept.html"
    assert doc.name not in page.content.decode()
    assert client.get(reverse("document_download", args=[accepted.pk, doc.pk])).status_code == 404

    response = client.post(reverse("judging:assignment_accept", args=[assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == "accepted"
    page = client.get(sheet_url(assignment))
    assert f"已接受评审任务“{accepted.title}”" in page.content.decode()  # the title quoted once
    assert [d.pk for d in page.context["documents"]] == list(accepted.documents.order_by("kind", "uploaded_at")
                                                          .values_list("pk", flat=True))
    assert reverse("document_download", args=[accepted.pk, doc.pk]) in page.content.decode()


def test_decline_with_reason_ends_access(client, accepted, judges, secretariat):
    assignment = assignment_create(application=accepted, judge=judges[0], stage="document", actor=secretariat)
    client = login(client, judges[0])
    url = reverse("judging:assignment_decline", args=[assignment.pk])
    page = client.get(url)
    assert "不能再查看该申报的材料和评分" in page.content.decode()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assignment.refresh_from_db()
    assert assignment.state == "assigned"

    response = client.post(url, {"reason": "近三年曾在该公司任职"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.state, assignment.decline_reason) == ("declined", "近三年曾在该公司任职")
    assert list(Conflict.objects.filter(judge=judges[0]).values_list("organization_id", "source", "status")) == [
        (accepted.organization_id, "declared", "active")]
    assert client.get(sheet_url(assignment)).status_code == 404
    home = client.get(reverse("judging:home"))
    declined = next(g for g in home.context["groups"] if g["key"] == "declined")
    assert [a.pk for a in declined["rows"]] == [assignment.pk]
    assert sheet_url(assignment) not in home.content.decode()


def test_form_save_stores_every_item_and_shows_server_points(client, review_app, judges):
    app, assignments = review_app
    client = login(client, judges[0])
    data = all_items("", text="")
    data.update({"p-4.1.2": "45", "s-4.1.2": "方法系统", "o-4.1.2": "展开不足", "p-4.7.4": "70", "action": "save"})
    response = client.post(sheet_url(assignments[0]), data)
    assert response.status_code == 302
    rows = {s.criterion.code: (s.percent, s.strengths, s.opportunities)
            for s in ItemScore.objects.filter(assignment=assignments[0]).select_related("criterion")
            if s.percent is not None or s.strengths}
    assert rows == {"4.1.2": (45, "方法系统", "展开不足"), "4.7.4": (70, "", "")}
    page = client.get(sheet_url(assignments[0]))
    body = page.content.decode()
    assert page.context["sheet"].total == pytest.approx(78.50)  # 50 × 45 % + 80 × 70 %
    assert "78.50" in body and "22.50" in body and "56.00" in body
    assert "评分表已保存" in body


@pytest.mark.parametrize("bad", ["105", "7", "abc", "-5"])
def test_form_save_refuses_bad_percent_and_saves_nothing(client, review_app, judges, bad):
    app, assignments = review_app
    client = login(client, judges[0])
    data = all_items(50, text="好")
    data["p-4.4.3"] = bad
    data["s-4.1.2"] = "刚写的文字"
    response = client.post(sheet_url(assignments[0]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "4.4.3" in body and ("分数必须是" in body)
    assert "刚写的文字" in body  # what was typed stays on screen
    row = next(r for g in response.context["groups"] for r in g.rows if r.item.criterion == "4.4.3")
    assert row.error
    assert not ItemScore.objects.filter(assignment=assignments[0]).exists()


def test_submit_incomplete_lists_missing_items(client, review_app, judges):
    app, assignments = review_app
    codes = gbt_codes()
    client = login(client, judges[0])
    data = all_items(60, codes=codes[:20])
    data.update({f"p-{c}": "" for c in codes[20:]})
    data["action"] = "submit"
    response = client.post(sheet_url(assignments[0]), data, follow=True)
    assignments[0].refresh_from_db()
    assert assignments[0].state == "accepted"
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "还有 3 个条款未评分" in messages[0]
    for code in codes[20:]:
        assert f'href="#item-{code.replace(".", "-")}"' in messages[0]
    assert ItemScore.objects.filter(assignment=assignments[0], percent=60).count() == 20  # the save stands


def test_submit_complete_locks_the_sheet(client, review_app, judges):
    app, assignments = review_app
    client = login(client, judges[0])
    response = client.post(sheet_url(assignments[0]), {**all_items(50, text="优势"), "action": "submit"})
    assert response.status_code == 302
    assignments[0].refresh_from_db()
    assert assignments[0].state == "submitted"
    page = client.get(sheet_url(assignments[0]))
    body = page.content.decode()
    assert page.context["editable"] is False
    assert 'id="scoresheet"' not in body and "scoresheet.js" not in body
    assert "500.00" in body
    client.post(sheet_url(assignments[0]), all_items(90))
    assert set(ItemScore.objects.filter(assignment=assignments[0]).values_list("percent", flat=True)) == {50}


def test_autosave_api_works_with_session_and_csrf(review_app, judges):
    app, assignments = review_app
    client = Client(enforce_csrf_checks=True)
    client.force_login(judges[0])
    page = client.get(sheet_url(assignments[0]))
    assert page.context["api_url"] == f"/api/v1/assignments/{assignments[0].pk}/scoresheet/"
    assert 'data-autosave-url="/api/v1/assignments/' in page.content.decode()
    token = client.cookies["csrftoken"].value
    payload = json.dumps({"items": [{"criterion": "4.1.2", "percent": 65, "strengths": "自动保存的文字"}]})

    refused = client.put(page.context["api_url"], payload, content_type="application/json")
    assert refused.status_code == 403
    assert not ItemScore.objects.filter(assignment=assignments[0]).exists()

    response = client.put(page.context["api_url"], payload, content_type="application/json",
                          HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    body = response.json()
    item = next(i for i in body["items"] if i["criterion"] == "4.1.2")
    assert (item["percent"], item["points"], body["total"]) == (65, "32.50", "32.50")
    assert list(ItemScore.objects.filter(assignment=assignments[0]).values_list("percent", "strengths")) == [
        (65, "自动保存的文字")]


def test_other_sheets_stay_hidden_until_own_and_all_are_submitted(client, review_app, judges):
    app, assignments = review_app
    consensus = reverse("judging:consensus", args=[app.pk, "document"])
    fill(assignments[1], judges[1], 80)
    for a, j in zip(assignments[1:], judges[1:]):
        a.refresh_from_db()
    fill_and_submit(assignments[2], judges[2], 35)
    client = login(client, judges[0])
    own = client.get(sheet_url(assignments[0])).content.decode()
    assert "35%" not in own and "80%" not in own and "优势" in own  # only the labels
    assert client.get(consensus).status_code == 404
    fill_and_submit(assignments[0], judges[0], 50)
    assert client.get(consensus).status_code == 404  # others still outstanding
    home = client.get(reverse("judging:home")).content.decode()
    assert consensus not in home and "全部专家提交后开放合议" in home
    for a, j, p in zip([assignments[1], assignments[3], assignments[4]], [judges[1], judges[3], judges[4]],
                       [80, 60, 55]):
        fill_and_submit(a, j, p)
    page = client.get(consensus)
    assert page.status_code == 200
    first = page.context["rows"][0]
    assert [s["percent"] for s in first.sheets] == [50, 80, 35, 60, 55]
    assert page.context["can_edit"] is True  # judges[0] leads the panel
    assert consensus in client.get(reverse("judging:home")).content.decode()


def test_leader_records_consensus_with_reason_for_changes(client, review_app, judges):
    app, assignments = review_app
    for a, j in zip(assignments, judges):
        fill_and_submit(a, j, 50)
    url = reverse("judging:consensus", args=[app.pk, "document"])
    member = login(Client(), judges[1])
    assert member.get(url).context["can_edit"] is False
    assert member.post(url, {"c-4.1.2": "60"}).status_code == 403
    leader = login(client, judges[0])
    assert leader.post(url, {"c-4.1.2": "55", "m-4.1.2": "方法系统"}).status_code == 302
    refused = leader.post(url, {"c-4.1.2": "65", "m-4.1.2": "方法系统"})
    assert refused.status_code == 400
    assert "修改已记录的合议分须填写理由" in refused.content.decode()
    assert leader.post(url, {"c-4.1.2": "65", "m-4.1.2": "方法系统", "r-4.1.2": "讨论后上调"}).status_code == 302
    page = leader.get(url)
    item = page.context["book"].items[0]
    assert (item.percent, item.comment) == (65, "方法系统")
    assert [(c.old_percent, c.new_percent, c.reason) for c in item.changes] == [(None, 55, ""), (55, 65, "讨论后上调")]
    assert "讨论后上调" in page.content.decode()


def test_assigned_but_not_accepted_judge_cannot_score(client, accepted, judges, secretariat):
    assignment = assignment_create(application=accepted, judge=judges[0], stage="document", actor=secretariat)
    client = login(client, judges[0])
    response = client.post(sheet_url(assignment), all_items(50))
    assert response.status_code == 409  # the accept / decline page, nothing saved
    assert "请先接受评审任务" in response.content.decode()
    assert not ItemScore.objects.filter(assignment=assignment).exists()
    assert Assignment.objects.get(pk=assignment.pk).state == "assigned"
