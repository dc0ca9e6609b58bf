"""The site-stage ranking counts the site-visit report's adjusted percents like consensus scores
(a recorded ConsensusScore comes first), flags the rows `site_adjusted`, and costs one extra
query per ranking, not per application."""
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from judging.selectors import ranking
from judging.services import application_shortlist, consensus_save, site_report_save
from nominations.enums import Aggregation
from nominations.models import Cycle
from tests.judging.conftest import (
    assign_and_accept,
    fill_and_submit,
    gbt_codes,
    make_judges,
    new_accepted_application,
    set_judges_document,
    start_review,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def consensus_cycle(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(aggregation=Aggregation.CONSENSUS)
    cycle.refresh_from_db()
    return set_judges_document(cycle, 1)


@pytest.fixture
def site_app(consensus_cycle, recommender, unit, secretariat):
    """site_app() → an application in site review: one document sheet, two site sheets at 60 %."""
    doc_judge, *site_judges = make_judges(3, prefix="sa")

    def _build():
        app = new_accepted_application(cycle=consensus_cycle, recommender=recommender, unit=unit,
                                       secretariat=secretariat)
        [doc] = assign_and_accept(app, [doc_judge], secretariat)
        app = start_review(app, secretariat)
        fill_and_submit(doc, doc_judge, 50)
        app = application_shortlist(application=app, actor=secretariat)
        for a, judge in zip(assign_and_accept(app, site_judges, secretariat, stage="site"), site_judges):
            fill_and_submit(a, judge, 60)
        return app

    return _build


def record_consensus(app, secretariat, percents: dict):
    consensus_save(application=app, stage="site", actor=secretariat,
                   items=[{"criterion": c, "percent": p, "comment": "合议", "reason": ""} for c, p in percents.items()])


def report(app, secretariat, adjustments: dict):
    site_report_save(application=app, actor=secretariat, summary="现场核实",
                     findings=[{"criterion": c, "finding": "现场发现", "adjusted_percent": p}
                               for c, p in adjustments.items()])


def test_adjusted_percents_complete_the_consensus_book(site_app, consensus_cycle, secretariat):
    app = site_app()
    codes = gbt_codes()
    # consensus 60 % on every item but 4.1.2 (50 pts) and 4.1.3 (30 pts), which the report adjusts;
    # the report's 90 % on 4.1.4 loses to its recorded consensus (60 %)
    record_consensus(app, secretariat, {c: 60 for c in codes if c not in ("4.1.2", "4.1.3")})
    report(app, secretariat, {"4.1.2": 80, "4.1.3": 70, "4.1.4": 90})
    [row] = ranking(cycle=consensus_cycle, category=app.category, stage="site")
    # all items at 60 %: 600.00; 4.1.2: 50 × 80 % = 40.00 instead of 30.00 (+10);
    # 4.1.3: 30 × 70 % = 21.00 instead of 18.00 (+3) → 613.00
    assert (row.consensus, row.final_score, row.mean) == (D("613.00"), D("613.00"), D("600.00"))
    assert row.flags == ["site_adjusted"]
    # the document stage ignores the site report
    [doc_row] = ranking(cycle=consensus_cycle, category=app.category, stage="document")
    assert (doc_row.consensus, doc_row.final_score, doc_row.flags) == (None, D("500.00"), ["no_consensus"])


def test_without_adjustments_the_incomplete_book_falls_back(site_app, consensus_cycle, secretariat):
    app = site_app()
    record_consensus(app, secretariat, {c: 60 for c in gbt_codes() if c not in ("4.1.2", "4.1.3")})
    report(app, secretariat, {"4.1.2": 80})  # 4.1.3 still missing
    [row] = ranking(cycle=consensus_cycle, category=app.category, stage="site")
    assert (row.consensus, row.final_score, row.flags) == (None, D("600.00"), ["no_consensus"])


def test_recorded_consensus_wins_over_the_adjustment(site_app, consensus_cycle, secretariat):
    app = site_app()
    report(app, secretariat, {"4.1.2": 100})
    record_consensus(app, secretariat, {c: 70 for c in gbt_codes()})  # every item agreed at 70 %
    [row] = ranking(cycle=consensus_cycle, category=app.category, stage="site")
    assert (row.consensus, row.final_score, row.flags) == (D("700.00"), D("700.00"), [])


def test_adjustments_alone_count_as_a_complete_book(site_app, consensus_cycle, secretariat):
    app = site_app()
    report(app, secretariat, {c: 65 for c in gbt_codes()})
    [row] = ranking(cycle=consensus_cycle, category=app.category, stage="site")
    assert (row.consensus, row.final_score, row.flags) == (D("650.00"), D("650.00"), ["site_adjusted"])


def test_ranking_page_shows_the_flag(site_app, consensus_cycle, secretariat):
    app = site_app()
    report(app, secretariat, {c: 65 for c in gbt_codes()})
    client = Client()
    client.force_login(secretariat)
    response = client.get(reverse("judging:ranking", args=[consensus_cycle.pk]),
                          {"category": app.category_id, "stage": "site"})
    assert response.status_code == 200
    assert "现场调整" in response.content.decode()


def test_site_ranking_query_count_does_not_grow(site_app, consensus_cycle, secretariat, django_assert_num_queries):
    first = site_app()
    report(first, secretariat, {"4.1.2": 80})
    with django_assert_num_queries(6) as one:  # the five of every ranking + the site reports
        assert len(ranking(cycle=consensus_cycle, category=first.category, stage="site")) == 1
    for _i in range(2):
        report(site_app(), secretariat, {c: 65 for c in gbt_codes()})
    with django_assert_num_queries(len(one.captured_queries)):
        rows = ranking(cycle=consensus_cycle, category=first.category, stage="site")
    assert [r.flags for r in rows] == [["site_adjusted"], ["site_adjusted"], ["no_consensus"]]
