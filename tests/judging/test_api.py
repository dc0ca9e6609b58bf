"""The judging API contract (API.md): paths, fields, status codes."""
import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from rest_framework.test import APIClient

from judging.models import Assignment, Conflict, JudgeProfile
from tests.judging.conftest import (
    assign_and_accept,
    fill_and_submit,
    make_judges,
    new_accepted_application,
    set_judges_document,
    start_review,
)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_wrong_role_gets_403_and_anonymous_401(cycle, judge, committee_member, outsider):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/assignments/").status_code == 401
    for user in (judge, committee_member, outsider):
        assert api(user).get("/api/v1/judges/").status_code == 403
        assert api(user).post("/api/v1/assignments/", {}, format="json").status_code == 403
        assert api(user).post(f"/api/v1/cycles/{cycle.pk}/auto-assign/", {}, format="json").status_code == 403
        assert api(user).get(f"/api/v1/cycles/{cycle.pk}/export.xlsx").status_code == 403
    assert api(outsider).get("/api/v1/assignments/").status_code == 403
    assert api(judge).get(f"/api/v1/cycles/{cycle.pk}/ranking/").status_code == 403


def test_manual_assignment_via_api_refuses_conflict_and_duplicate(accepted, secretariat, judge):
    client = api(secretariat)
    body = {"application": accepted.pk, "judge": judge.pk, "stage": "document"}
    response = client.post("/api/v1/assignments/", body, format="json")
    assert response.status_code == 201
    created = response.json()
    assert (created["judge"], created["stage"], created["state"], created["is_leader"]) == (
        judge.pk, "document", "assigned", True)
    duplicate = client.post("/api/v1/assignments/", body, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (400, "duplicate")
    other = make_judges(1, prefix="c")[0]
    JudgeProfile.objects.create(user=other, affiliation="甲方", affiliation_uscc=accepted.organization.uscc)
    conflicted = client.post("/api/v1/assignments/", {**body, "judge": other.pk}, format="json")
    assert conflicted.status_code == 400
    assert conflicted.json()["missing"] == ["专家的工作单位（甲方）即该申报单位"]
    assert Assignment.objects.count() == 1


def test_accept_decline_and_not_yours(accepted, secretariat):
    j1, j2 = make_judges(2)
    a1 = Assignment.objects.get(pk=api(secretariat).post("/api/v1/assignments/", {
        "application": accepted.pk, "judge": j1.pk, "stage": "document"}, format="json").json()["id"])
    assert api(j2).post(f"/api/v1/assignments/{a1.pk}/accept/").status_code == 404
    response = api(j1).post(f"/api/v1/assignments/{a1.pk}/decline/", {"reason": "曾在该单位任职"}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "declined")
    assert Conflict.objects.filter(judge=j1, organization=accepted.organization, source="declared").exists()
    assert api(j1).post(f"/api/v1/assignments/{a1.pk}/accept/").status_code == 409


def test_auto_assign_endpoint(cycle, recommender, unit, secretariat):
    apps = [new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
            for _ in range(2)]
    make_judges(4)
    response = api(secretariat).post(f"/api/v1/cycles/{cycle.pk}/auto-assign/",
                                     {"stage": "document", "judges_per_application": 5, "seed": 11}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["seed"]) == (8, 11)
    assert body["unfilled"] == [{"application": apps[0].pk, "missing": 1}, {"application": apps[1].pk, "missing": 1}]
    bad = api(secretariat).post(f"/api/v1/cycles/{cycle.pk}/auto-assign/",
                                {"stage": "final", "judges_per_application": 5}, format="json")
    assert bad.status_code == 400
    assert api(secretariat).post("/api/v1/cycles/999999/auto-assign/", {"stage": "document",
                                 "judges_per_application": 5}, format="json").status_code == 404


def test_judges_list(secretariat, judge):
    JudgeProfile.objects.create(user=judge, title="教授", affiliation="同济大学", expertise=["物流"])
    body = api(secretariat).get("/api/v1/judges/").json()
    assert body["results"] == [{"id": judge.pk, "username": "judge", "name": judge.first_name,
                                "email": "judge@example.com", "title": "教授", "affiliation": "同济大学",
                                "affiliation_uscc": "", "expertise": ["物流"], "active": True, "load": 0}]


@pytest.fixture
def scored_cycle(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 2)
    judges = make_judges(2, prefix="api")
    apps = []
    for percents in ([70, 65], [80, 45]):
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
        assignments = assign_and_accept(app, judges, secretariat)
        start_review(app, secretariat)
        for a, j, p in zip(assignments, judges, percents):
            fill_and_submit(a, j, p)
        apps.append(app)
    return cycle, apps


def test_ranking_endpoint_shapes_decimals_as_strings(scored_cycle, secretariat, committee_member,
                                                     django_assert_max_num_queries):
    cycle, apps = scored_cycle
    category = apps[0].category_id
    url = f"/api/v1/cycles/{cycle.pk}/ranking/?category={category}&stage=document"
    rows = api(secretariat).get(url).json()
    assert rows == [
        {"rank": 1, "application": apps[0].pk, "reference": apps[0].reference, "name": apps[0].organization.name,
         "title": apps[0].title, "state": "document_review", "judges": 2, "assigned": 2, "mean": "675.00",
         "trimmed_mean": "675.00", "stdev": "35.36", "consensus": None, "final_score": "675.00", "flags": [],
         "recused": []},
        {"rank": 2, "application": apps[1].pk, "reference": apps[1].reference, "name": apps[1].organization.name,
         "title": apps[1].title, "state": "document_review", "judges": 2, "assigned": 2, "mean": "625.00",
         "trimmed_mean": "625.00", "stdev": "247.49", "consensus": None, "final_score": "625.00",
         "flags": [f"spread:{c}" for c in _codes()], "recused": []}]
    # the committee sees evaluated applications only
    assert api(committee_member).get(url).json() == []
    assert api(secretariat).get(f"/api/v1/cycles/{cycle.pk}/ranking/").status_code == 400


def _codes():
    from tests.judging.conftest import gbt_codes

    return gbt_codes()


def test_export_has_ranking_and_one_sheet_per_stage_with_every_item(scored_cycle, secretariat):
    cycle, apps = scored_cycle
    response = api(secretariat).get(f"/api/v1/cycles/{cycle.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["排名", "资料评审", "现场评审", "专家宽严度", "现场评审报告"]
    scores = list(wb["资料评审"].iter_rows(min_row=2, values_only=True))
    assert len(scores) == 2 * 2 * 23
    first = scores[0]
    assert (first[0], first[3], first[5], first[8], first[9], first[10], first[11]) == (
        apps[0].reference, "专家API1", "4.1.2", 70, 35, "优势", "改进")
    ranking_cells = [c for row in wb["排名"].iter_rows(values_only=True) for c in row if c is not None]
    assert apps[0].reference in ranking_cells and 675 in ranking_cells


def test_conflict_endpoints(accepted, secretariat, judge):
    declared = api(judge).post("/api/v1/conflicts/", {"organization": accepted.organization_id,
                                                      "reason": "配偶在该单位任职"}, format="json")
    assert declared.status_code == 201
    body = declared.json()
    assert (body["judge"], body["source"], body["status"], body["pinned"]) == (judge.pk, "declared", "active", False)
    assert [c["id"] for c in api(judge).get("/api/v1/conflicts/").json()["results"]] == [body["id"]]
    dismissed = api(secretariat).post(f"/api/v1/conflicts/{body['id']}/dismiss/", {"reason": "核实无关"},
                                      format="json")
    assert dismissed.json()["status"] == "dismissed"
    assert api(judge).post(f"/api/v1/conflicts/{body['id']}/dismiss/", {"reason": "x"}).status_code == 403
    pinned = api(secretariat).post("/api/v1/conflicts/", {"judge": judge.pk, "application": accepted.pk,
                                                          "reason": "举报核实"}, format="json").json()
    assert (pinned["id"], pinned["status"], pinned["pinned"], pinned["source"]) == (
        body["id"], "active", True, "secretariat")
    assert api(judge).post(f"/api/v1/conflicts/{pinned['id']}/withdraw/").status_code == 403
    assert Conflict.objects.get().status == "active"
    assert get_user_model().objects.filter(pk=judge.pk).exists()

