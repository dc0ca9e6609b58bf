"""The autosave's short path (issue 9): three queries, the rubric kept per process, the conflict
gate folded into the locking read, the answer built without DRF's field walk — and the same
answers and refusals as before."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from judging.api.scoresheet_json import scoresheet_data
from judging.api.serializers import ScoresheetSerializer
from judging.enums import ConflictStatus, RelationKind
from judging.errors import NotFound
from judging.models import Conflict, Criterion, ItemScore, JudgeProfile, JudgeRelation
from judging.selectors import scoresheet_get
from judging.selectors.scoresheets import _frozen_rubrics, scored_criteria_frozen
from judging.services import scoresheet_save


def url(assignment) -> str:
    return f"/api/v1/assignments/{assignment.pk}/scoresheet/"


def put(judge, assignment, items):
    client = APIClient()
    client.force_authenticate(judge)
    return client.put(url(assignment), {"items": items}, format="json")


def test_answer_is_the_serializers_document(review_app, judges):
    _app, assignments = review_app
    empty = scoresheet_get(assignments[0])
    assert scoresheet_data(empty) == ScoresheetSerializer(empty).data
    sheet = scoresheet_save(assignment=assignments[0], actor=judges[0], items=[
        {"criterion": "4.1.2", "percent": 45, "strengths": "优势", "opportunities": ""},
        {"criterion": "4.2.3", "percent": 0},
        {"criterion": "4.7.2", "percent": 100, "opportunities": "改进"},
        {"criterion": "4.4.3", "percent": 65}])
    assert scoresheet_data(sheet) == ScoresheetSerializer(sheet).data
    assert scoresheet_data(sheet)["total"] == ScoresheetSerializer(sheet).data["total"] != "0.00"
    body = put(judges[0], assignments[0], [{"criterion": "4.1.2", "percent": 50}]).json()
    assert body == ScoresheetSerializer(scoresheet_get(assignments[0])).data


def test_a_save_is_two_statements_on_postgresql_three_on_sqlite(review_app, judges):
    _app, assignments = review_app
    scoresheet_save(assignment=assignments[0].pk, actor=judges[0], items=[{"criterion": "4.1.2", "percent": 5}])
    with CaptureQueriesContext(connection) as ctx:
        scoresheet_save(assignment=assignments[0].pk, actor=judges[0], items=[{"criterion": "4.1.2", "percent": 10}])
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":
        # one statement locks, checks and writes; then the sheet's scores
        assert len(statements) == 2, statements
        assert statements[0].startswith("WITH a AS") and "FOR NO KEY UPDATE OF a" in statements[0]
    else:
        assert len(statements) == 3, statements  # locking read (+ conflict gate), the sheet's scores, one write
    assert ItemScore.objects.get(assignment=assignments[0], criterion__code="4.1.2").percent == 10


@pytest.mark.parametrize("link", ["affiliation", "relation", "record"])
def test_anything_linking_judge_and_applicant_still_blocks_the_save(review_app, judges, secretariat, link):
    app, assignments = review_app
    judge, organization = judges[1], app.organization
    if link == "affiliation":
        JudgeProfile.objects.create(user=judge, affiliation=organization.name, affiliation_uscc=organization.uscc)
    elif link == "relation":
        profile = JudgeProfile.objects.create(user=judge, affiliation="上海某大学")
        JudgeRelation.objects.create(judge=profile, organization_uscc=organization.uscc,
                                     organization_name=organization.name, kind=RelationKind.CONSULTING)
    else:
        Conflict.objects.create(judge=judge, organization=organization, reason="申报前曾提供辅导", source="declared",
                                created_by=secretariat)
    response = put(judge, assignments[1], [{"criterion": "4.1.2", "percent": 50}])
    assert response.status_code == 404
    assert "利益冲突" in response.json()["detail"]
    assert not ItemScore.objects.filter(assignment=assignments[1]).exists()


def test_a_dismissed_record_lets_the_judge_save(review_app, judges, secretariat):
    app, assignments = review_app
    Conflict.objects.create(judge=judges[2], organization=app.organization, reason="同名单位", source="declared",
                            status=ConflictStatus.DISMISSED, created_by=secretariat)
    assert put(judges[2], assignments[2], [{"criterion": "4.1.2", "percent": 50}]).status_code == 200
    assert ItemScore.objects.get(assignment=assignments[2], criterion__code="4.1.2").percent == 50


def test_an_empty_credit_code_links_nothing(review_app, judges):
    app, assignments = review_app
    JudgeProfile.objects.create(user=judges[3], affiliation="个人", affiliation_uscc="")
    type(app.organization).objects.filter(pk=app.organization.pk).update(uscc="")
    sheet = scoresheet_save(assignment=assignments[3].pk, actor=judges[3], items=[{"criterion": "4.1.2", "percent": 5}])
    assert sheet.items[0].percent == 5


def test_someone_elses_sheet_is_not_found(review_app, judges):
    _app, assignments = review_app
    with pytest.raises(NotFound):
        scoresheet_save(assignment=assignments[0].pk, actor=judges[1], items=[{"criterion": "4.1.2", "percent": 5}])
    with pytest.raises(NotFound):
        scoresheet_save(assignment=10**9, actor=judges[1], items=[])


def test_the_rubric_is_read_once_per_process(review_app, judges):
    app, assignments = review_app
    _frozen_rubrics.clear()
    criteria = scored_criteria_frozen(app.category.rubric_code)
    assert scored_criteria_frozen(app.category.rubric_code) is criteria
    with CaptureQueriesContext(connection) as ctx:
        scoresheet_save(assignment=assignments[0].pk, actor=judges[0], items=[{"criterion": "4.1.2", "percent": 5}])
    # the criteria list is not read again (PostgreSQL's one statement joins the criteria only to
    # check that each item's code belongs to the rubric)
    assert not [q for q in ctx.captured_queries if 'FROM "judging_criterion"' in q["sql"]]
    assert ctx.captured_queries


def test_saving_a_rubric_clears_the_kept_copies(db):
    from judging.models import Rubric

    rubric = Rubric.objects.create(code="TEST-FROZEN", name="测试标准")
    parent = Criterion.objects.create(rubric=rubric, code="1", title="类目", max_points=0, kind="process")
    Criterion.objects.create(rubric=rubric, code="1.1", title="条款", max_points=10, kind="process", parent=parent)
    assert [c.code for c in scored_criteria_frozen("TEST-FROZEN")] == ["1.1"]
    Criterion.objects.create(rubric=rubric, code="1.2", title="条款二", max_points=10, kind="process", parent=parent,
                             order=1)
    assert [c.code for c in scored_criteria_frozen("TEST-FROZEN")] == ["1.1", "1.2"]
