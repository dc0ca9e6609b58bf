"""The scoresheet: bands, server-side points, validation, autosave, submit and lock."""
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from judging.enums import AssignmentState
from judging.models import ItemScore
from judging.selectors import scoresheet_get
from judging.services import scoresheet_save
from tests.judging.conftest import fill, gbt_codes


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(a, action="scoresheet"):
    return f"/api/v1/assignments/{a.pk}/{action}/"


def test_sheet_lists_every_scored_item_with_bands_and_no_scores(review_app, judges):
    app, assignments = review_app
    body = api(judges[0]).get(url(assignments[0])).json()
    assert [i["criterion"] for i in body["items"]] == gbt_codes()
    assert len(body["items"]) == 23
    assert body["items"][0] == {"criterion": "4.1.2", "title": "高层领导的作用", "parent": "4.1", "kind": "process",
                                "max_points": "50.00", "percent": None, "points": None, "band": None,
                                "strengths": "", "opportunities": ""}
    assert (body["total"], body["max_total"], body["complete"]) == ("0.00", "1000.00", False)
    assert [b["label"] for b in body["bands"]["process"]] == ["0%–5%", "10%–25%", "30%–45%", "50%–65%", "70%–85%",
                                                              "90%–100%"]
    assert body["bands"]["result"][5]["text"].startswith("结果优秀并持续保持")


def test_autosave_derives_points_and_total_on_the_server(review_app, judges):
    app, assignments = review_app
    body = api(judges[0]).put(url(assignments[0]), {"items": [
        {"criterion": "4.2.3", "percent": 45, "strengths": "战略部署清晰", "points": "999"},
        {"criterion": "4.4.3", "percent": 65}]}, format="json").json()
    items = {i["criterion"]: i for i in body["items"]}
    assert (items["4.2.3"]["points"], items["4.2.3"]["band"], items["4.2.3"]["strengths"]) == (
        "22.50", "30%–45%", "战略部署清晰")
    assert items["4.4.3"]["points"] == "9.75"
    assert body["total"] == "32.25"
    # a later partial save keeps what it does not mention
    body = api(judges[0]).put(url(assignments[0]), {"items": [{"criterion": "4.2.3", "opportunities": "量化"}]},
                              format="json").json()
    item = {i["criterion"]: i for i in body["items"]}["4.2.3"]
    assert (item["percent"], item["strengths"], item["opportunities"]) == (45, "战略部署清晰", "量化")


@pytest.mark.parametrize("bad, message", [
    ({"criterion": "4.1.2", "percent": 7}, "第 2 项（4.1.2）：分数必须是 0–100 之间 5 的倍数（收到 7）。"),
    ({"criterion": "4.1.2", "percent": 105}, "第 2 项（4.1.2）：分数必须是 0–100 之间 5 的倍数（收到 105）。"),
    ({"criterion": "9.9.9", "percent": 50}, "第 2 项（9.9.9）：评分条款“9.9.9”不属于本申报的评分标准。"),
    ({"criterion": "4.1", "percent": 50}, "第 2 项（4.1）：评分条款“4.1”不属于本申报的评分标准。"),
])
def test_bad_item_is_refused_and_nothing_is_saved(review_app, judges, bad, message):
    app, assignments = review_app
    response = api(judges[0]).put(url(assignments[0]), {"items": [{"criterion": "4.2.2", "percent": 50}, bad]},
                                  format="json")
    assert response.status_code == 400
    assert response.json()["items"] == [message]
    assert not ItemScore.objects.exists()


def test_edit_after_submit_is_409_and_sheet_unchanged(review_app, judges):
    app, assignments = review_app
    fill(assignments[0], judges[0], 60)
    assert api(judges[0]).post(url(assignments[0], "submit")).status_code == 200
    response = api(judges[0]).put(url(assignments[0]), {"items": [{"criterion": "4.1.2", "percent": 90}]},
                                  format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert set(ItemScore.objects.values_list("percent", flat=True)) == {60}


def test_incomplete_submit_lists_exactly_the_missing_codes(review_app, judges):
    app, assignments = review_app
    codes = gbt_codes()
    scoresheet_save(assignment=assignments[0], actor=judges[0],
                    items=[{"criterion": c, "percent": 50} for c in codes if c not in ("4.4.3", "4.7.7")])
    response = api(judges[0]).post(url(assignments[0], "submit"))
    assert response.status_code == 400
    assert response.json()["missing"] == ["4.4.3", "4.7.7"]
    assignments[0].refresh_from_db()
    assert assignments[0].state == AssignmentState.ACCEPTED


def test_submitted_sheet_total_matches_hand_computation(review_app, judges):
    app, assignments = review_app
    fill(assignments[0], judges[0], {"4.1.2": 65, "4.7.4": 85})  # others 50
    sheet = scoresheet_get(assignments[0])
    # 50 % of 1000 = 500; 4.1.2 (50 pts) +15 % = +7.50; 4.7.4 (80 pts) +35 % = +28.00
    assert sheet.total == Decimal("535.50")
    assert sheet.complete and sheet.missing == []


def test_scoring_before_accepting_or_before_review_is_refused(accepted, judges, secretariat):
    from judging.services import assignment_accept, assignment_create

    a = assignment_create(application=accepted, judge=judges[0], stage="document", actor=secretariat)
    response = api(judges[0]).put(url(a), {"items": [{"criterion": "4.1.2", "percent": 50}]}, format="json")
    assert (response.status_code, response.json()["detail"]) == (409, "请先接受评审任务，再开始评分。")
    assignment_accept(assignment=a, actor=judges[0])
    response = api(judges[0]).put(url(a), {"items": [{"criterion": "4.1.2", "percent": 50}]}, format="json")
    assert response.status_code == 409  # application not yet in document review
    assert not ItemScore.objects.exists()
