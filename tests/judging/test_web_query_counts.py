"""The judge dashboard, the ranking, the board and the committee view: the number of queries does
not grow with the number of applications (1 vs 3)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from judging.services import assignment_accept, assignment_create
from tests.judging.conftest import fill, fill_and_submit, make_judges, new_accepted_application, set_judges_document
from tests.judging.conftest import start_review as start

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def scored_application(*, cycle, judge, recommender, unit, secretariat, submit: bool):
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    a = assignment_accept(assignment=assignment_create(application=app, judge=judge, stage="document",
                                                       actor=secretariat), actor=judge)
    start(app, secretariat)
    a.refresh_from_db()
    (fill_and_submit if submit else fill)(a, judge, 60)
    return app


def test_judge_dashboard(cycle, recommender, unit, secretariat):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    client = Client()
    client.force_login(judge)
    kwargs = {"cycle": cycle, "judge": judge, "recommender": recommender, "unit": unit, "secretariat": secretariat}
    scored_application(submit=True, **kwargs)
    one = queries(client, reverse("judging:home"))
    scored_application(submit=False, **kwargs)
    scored_application(submit=True, **kwargs)

    three = queries(client, reverse("judging:home"))

    assert sum(len(g["rows"]) for g in client.get(reverse("judging:home")).context["groups"]) == 3
    assert three == one


def test_ranking_board_progress_and_committee_pages(cycle, recommender, unit, secretariat, committee_member):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    client = Client()
    client.force_login(secretariat)
    kwargs = {"cycle": cycle, "judge": judge, "recommender": recommender, "unit": unit, "secretariat": secretariat}
    category = cycle.categories.get(code="ORG")
    pages = [reverse("judging:ranking", args=[cycle.pk]), reverse("judging:assignment_board", args=[cycle.pk]),
             reverse("judging:progress", args=[cycle.pk]), reverse("judging:committee_ranking", args=[cycle.pk])]
    scored_application(submit=True, **kwargs)
    one = [queries(client, url, {"category": category.pk}) for url in pages]
    scored_application(submit=True, **kwargs)
    scored_application(submit=True, **kwargs)

    three = [queries(client, url, {"category": category.pk}) for url in pages]

    assert len(client.get(pages[0], {"category": category.pk}).context["rows"]) == 3
    assert three == one
