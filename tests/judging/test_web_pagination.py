"""The assignment board, the progress page and the ranking page come in pages (a national cycle
has thousands of applications); totals and ranks cover the whole cycle, and a page costs the
same number of queries whichever page it is."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from judging.services import assignment_accept, assignment_create
from judging.views import board, ranking
from tests.judging.conftest import fill_and_submit, make_judges, new_accepted_application, set_judges_document
from tests.judging.conftest import start_review as start

pytestmark = pytest.mark.django_db


def scored_application(*, cycle, judge, recommender, unit, secretariat, percent: int):
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    a = assignment_accept(assignment=assignment_create(application=app, judge=judge, stage="document",
                                                       actor=secretariat), actor=judge)
    start(app, secretariat)
    a.refresh_from_db()
    fill_and_submit(a, judge, percent)
    return app


@pytest.fixture
def three_scored(cycle, recommender, unit, secretariat, monkeypatch):
    """Three applications in document review, one submitted sheet each (totals 600, 700, 500);
    two rows per page."""
    for module, name in ((board, "BOARD_PAGE_SIZE"), (board, "PROGRESS_PAGE_SIZE"), (ranking, "RANKING_PAGE_SIZE")):
        monkeypatch.setattr(module, name, 2)
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    apps = [scored_application(cycle=cycle, judge=judge, recommender=recommender, unit=unit,
                               secretariat=secretariat, percent=p) for p in (60, 70, 50)]
    client = Client()
    client.force_login(secretariat)
    return cycle, apps, client


def get(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.context, len(ctx.captured_queries)


def test_board_pages_hold_their_applications_and_count_the_whole_cycle(three_scored):
    cycle, apps, client = three_scored
    url = reverse("judging:assignment_board", args=[cycle.pk])
    first, q1 = get(client, url, {"stage": "document"})
    second, q2 = get(client, url, {"stage": "document", "page": 2})
    assert [len(first["rows"]), len(second["rows"])] == [2, 1]
    assert {r["app"].pk for r in first["rows"] + second["rows"]} == {a.pk for a in apps}
    assert first["page_obj"].paginator.count == 3
    assert [len(r["panel"]) for r in first["rows"] + second["rows"]] == [1, 1, 1]
    assert q1 == q2


def test_progress_pages_with_totals_over_the_cycle(three_scored):
    cycle, apps, client = three_scored
    url = reverse("judging:progress", args=[cycle.pk])
    first, q1 = get(client, url, {})
    second, q2 = get(client, url, {"page": 2})
    assert [len(first["rows"]), len(second["rows"])] == [2, 1]
    document = next(t for t in first["totals"] if t["stage"] == "document")
    assert (document["submitted"], document["live"]) == (3, 3)
    assert q1 == q2


def test_ranking_pages_keep_the_ranks_of_the_whole_category(three_scored):
    cycle, apps, client = three_scored
    url = reverse("judging:ranking", args=[cycle.pk])
    params = {"category": apps[0].category_id, "stage": "document"}
    first, q1 = get(client, url, params)
    second, q2 = get(client, url, {**params, "page": 2})
    assert [(r.application, r.rank) for r in first["rows"]] == [(apps[1].pk, 1), (apps[0].pk, 2)]
    assert [(r.application, r.rank) for r in second["rows"]] == [(apps[2].pk, 3)]
    assert q1 == q2
