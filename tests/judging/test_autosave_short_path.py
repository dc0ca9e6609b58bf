"""The autosave's one-statement path on PostgreSQL (issue 9): it saves only what the careful
path would accept, writes nothing otherwise (the careful path then answers, naming the
problem), keeps what an item leaves out, and waits for a submission holding the sheet."""
from __future__ import annotations


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from judging.api.serializers import ScoresheetSerializer
from judging.enums import AssignmentState
from judging.models import Assignment, Conflict, ItemScore
from judging.selectors import scoresheet_get
from judging.services import scoresheet_save
from judging.services.scoresheets import _short_save

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the one-statement path is PostgreSQL's")


def dump(assignment) -> list[tuple]:
    return list(ItemScore.objects.filter(assignment=assignment).order_by("criterion_id")
                .values_list("criterion_id", "percent", "strengths", "opportunities", "updated_at"))


def put(judge, assignment, items):
    client = APIClient()
    client.force_authenticate(judge)
    return client.put(f"/api/v1/assignments/{assignment.pk}/scoresheet/", {"items": items}, format="json")


@postgresql_only
def test_a_good_save_takes_the_one_statement_and_answers_the_sheet(review_app, judges):
    _app, assignments = review_app
    items = [{"criterion": "4.1.2", "percent": 45, "strengths": "  优势  ", "opportunities": "改进"},
             {"criterion": "4.2.3", "percent": 0, "strengths": "", "opportunities": ""}]
    sheet = _short_save(assignments[0].pk, judges[0], items)
    assert sheet is not None
    assert ScoresheetSerializer(sheet).data == ScoresheetSerializer(scoresheet_get(assignments[0])).data
    stored = {s.criterion.code: (s.percent, s.strengths, s.opportunities)
              for s in ItemScore.objects.filter(assignment=assignments[0]).select_related("criterion")}
    assert stored == {"4.1.2": (45, "优势", "改进"), "4.2.3": (0, "", "")}  # texts stripped, as the careful path does


@postgresql_only
def test_an_item_keeps_the_fields_it_leaves_out(review_app, judges):
    _app, assignments = review_app
    scoresheet_save(assignment=assignments[0], actor=judges[0],
                    items=[{"criterion": "4.1.2", "percent": 45, "strengths": "优势", "opportunities": "改进"}])
    assert _short_save(assignments[0].pk, judges[0], [{"criterion": "4.1.2", "percent": 60}]) is not None
    score = ItemScore.objects.get(assignment=assignments[0], criterion__code="4.1.2")
    assert (score.percent, score.strengths, score.opportunities) == (60, "优势", "改进")
    assert _short_save(assignments[0].pk, judges[0], [{"criterion": "4.1.2", "percent": None}]) is not None
    score.refresh_from_db()
    assert (score.percent, score.strengths) == (None, "优势")  # null clears the percent only


@postgresql_only
def test_an_unchanged_item_is_not_written_again(review_app, judges):
    _app, assignments = review_app
    item = {"criterion": "4.1.2", "percent": 45, "strengths": "优势", "opportunities": "改进"}
    scoresheet_save(assignment=assignments[0], actor=judges[0], items=[item])
    before = dump(assignments[0])
    assert _short_save(assignments[0].pk, judges[0], [item]) is not None
    assert dump(assignments[0]) == before  # updated_at too


def _decline(assignment, judge):
    Assignment.objects.filter(pk=assignment.pk).update(state=AssignmentState.DECLINED)


@postgresql_only
@pytest.mark.parametrize("case, items, status, words", [
    ("not yours", [{"criterion": "4.1.2", "percent": 50}], 404, "不属于您"),
    ("declined", [{"criterion": "4.1.2", "percent": 50}], 404, "回避"),
    ("submitted", [{"criterion": "4.1.2", "percent": 50}], 409, "已提交"),
    ("conflict", [{"criterion": "4.1.2", "percent": 50}], 404, "利益冲突"),
    ("unknown code", [{"criterion": "4.1.2", "percent": 50}, {"criterion": "9.9.9", "percent": 50}], 400, "9.9.9"),
    ("category code", [{"criterion": "4.1", "percent": 50}], 400, "4.1"),
    ("twice", [{"criterion": "4.1.2", "percent": 50}, {"criterion": "4.1.2", "percent": 55}], 400, "重复"),
    ("bad percent", [{"criterion": "4.1.2", "percent": 52}], 400, "5 的倍数"),
    ("mixed fields", [{"criterion": "4.1.2", "percent": 50}, {"criterion": "4.2.3", "strengths": "x"}], 200, None),
])
def test_whatever_the_careful_path_refuses_the_statement_writes_nothing(review_app, judges, secretariat, case, items,
                                                                       status, words):
    app, assignments = review_app
    judge, assignment = judges[1], assignments[1]
    scoresheet_save(assignment=assignment, actor=judge, items=[{"criterion": "4.4.3", "percent": 30}])
    if case == "not yours":
        judge = judges[2]
    elif case == "declined":
        _decline(assignment, judge)
    elif case == "submitted":
        Assignment.objects.filter(pk=assignment.pk).update(state=AssignmentState.SUBMITTED)
    elif case == "conflict":
        Conflict.objects.create(judge=judge, organization=app.organization, reason="曾提供辅导", source="declared",
                                created_by=secretariat)
    before = dump(assignment)
    assert _short_save(assignment.pk, judge, items) is None
    assert dump(assignment) == before
    response = put(judge, assignment, items)  # the careful path answers
    assert response.status_code == status, response.content
    if words:
        assert words in str(response.json())
        assert dump(assignment) == before
    else:  # mixed fields: not the short path's shape, the careful path saves both
        assert {s.criterion.code: (s.percent, s.strengths) for s in
                ItemScore.objects.filter(assignment=assignment).select_related("criterion")} == {
            "4.4.3": (30, ""), "4.1.2": (50, ""), "4.2.3": (None, "x")}


@postgresql_only
def test_not_in_review_the_statement_writes_nothing(review_app, judges):
    app, assignments = review_app
    before = dump(assignments[0])
    type(app).objects.filter(pk=app.pk).update(state="deliberation")
    assert _short_save(assignments[0].pk, judges[0], [{"criterion": "4.1.2", "percent": 50}]) is None
    assert dump(assignments[0]) == before
    assert put(judges[0], assignments[0], [{"criterion": "4.1.2", "percent": 50}]).status_code == 409


@postgresql_only
def test_the_query_log_shows_the_prepared_statements(review_app, judges):
    _app, assignments = review_app
    with CaptureQueriesContext(connection) as ctx:
        for percent in (5, 10, 15):  # prepared from the second run on
            scoresheet_save(assignment=assignments[0].pk, actor=judges[0],
                            items=[{"criterion": "4.1.2", "percent": percent}])
    assert all(q["sql"] for q in ctx.captured_queries)
    assert sum(q["sql"].startswith("WITH a AS") for q in ctx.captured_queries) == 3


def test_thousands_of_items_are_a_400_naming_them_not_a_500(review_app, judges):
    """17,000 items of made-up codes would pass PostgreSQL's 65,535 parameters in one statement:
    beyond SHORT_PATH_MAX_ITEMS the careful path answers, naming the bad items; nothing saved."""
    _app, assignments = review_app
    response = put(judges[0], assignments[0], [{"criterion": f"x{i}", "percent": 5} for i in range(17000)])
    assert response.status_code == 400, response.content[:300]
    assert "x16999" in str(response.json()["items"][-1])
    assert not ItemScore.objects.filter(assignment=assignments[0]).exists()
