"""Aggregation figures against values computed by hand; ranks; leniency; query counts."""
from decimal import Decimal

import pytest

from judging.selectors import judge_leniency, ranking
from judging.services import consensus_save
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

D = Decimal


def set_aggregation(cycle, method):
    Cycle.objects.filter(pk=cycle.pk).update(aggregation=method)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def build(cycle, recommender, unit, secretariat):
    """build([sheet spec, ...]) → an application in document review with those sheets submitted."""
    pool = {}

    def _build(sheets, title=None):
        set_judges_document(cycle, len(sheets))
        judges = []
        for i in range(len(sheets)):
            if i not in pool:
                pool[i] = make_judges(1, prefix=f"rk{i}-")[0]
            judges.append(pool[i])
        app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat,
                                       title=title)
        assignments = assign_and_accept(app, judges, secretariat)
        app = start_review(app, secretariat)
        for a, j, spec in zip(assignments, judges, sheets):
            fill_and_submit(a, j, spec)
        return app

    return _build


def row_of(rows, app):
    return next(r for r in rows if r.application == app.pk)


def test_five_sheets_mean_trimmed_mean_and_stdev(build, cycle):
    app = build([40, 55, {**{c: 60 for c in gbt_codes()}, "4.4.3": 65}, 65, 95])
    # totals 400.00, 550.00, 600.75 (4.4.3: 15 pts × 65 %), 650.00, 950.00
    # mean 3150.75 / 5 = 630.15; trimmed (550 + 600.75 + 650) / 3 = 600.25
    # sample stdev √(Σ(x − 630.15)² / 4) = 201.84
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.trimmed_mean, row.stdev) == (5, D("630.15"), D("600.25"), D("201.84"))
    assert (row.min_total, row.max_total) == (D("400.00"), D("950.00"))
    assert row.final_score == D("600.25")  # the cycle's default aggregation is the trimmed mean
    assert row.rank == 1


def test_four_sheets_trimmed_mean_equals_mean(build, cycle):
    app = build([50, 60, 70, 90])
    # totals 500, 600, 700, 900: mean 675.00 (no trimming below 5 sheets); stdev √(87500 / 3) = 170.78
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.trimmed_mean, row.stdev, row.final_score) == (
        4, D("675.00"), D("675.00"), D("170.78"), D("675.00"))


def test_one_sheet_has_zero_stdev(build, cycle):
    app = build([{**{c: 50 for c in gbt_codes()}, "4.1.2": 65}])
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.trimmed_mean, row.stdev) == (1, D("507.50"), D("507.50"), D("0.00"))


def test_spread_flag_at_exactly_30_points_and_not_at_25(build, cycle):
    base = {c: 50 for c in gbt_codes()}
    app = build([{**base, "4.7.4": 40, "4.7.3": 40}, {**base, "4.7.4": 70, "4.7.3": 65}, base])
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert row.flags == ["spread:4.7.4"]


def test_equal_final_scores_share_a_rank(build, cycle):
    set_aggregation(cycle, Aggregation.MEAN)
    apps = [build([p], title=f"排名{p}-{i}") for i, p in enumerate([60, 70, 65, 65])]
    rows = ranking(cycle=cycle, category=apps[0].category, stage="document")
    assert [(r.application, r.final_score, r.rank) for r in rows] == [
        (apps[1].pk, D("700.00"), 1), (apps[2].pk, D("650.00"), 2), (apps[3].pk, D("650.00"), 2),
        (apps[0].pk, D("600.00"), 4)]


def test_consensus_final_score_where_recorded_else_trimmed_mean_flagged(build, cycle, secretariat):
    set_aggregation(cycle, Aggregation.CONSENSUS)
    agreed = build([60, 70], title="已合议")
    pending = build([60, 80], title="未合议")
    items = [{"criterion": c, "percent": 65, "comment": "合议一致"} for c in gbt_codes()]
    items[0]["percent"] = 75  # 4.1.2 (50 pts): +5.00 over 65 %
    consensus_save(application=agreed, stage="document", items=items, actor=secretariat)
    consensus_save(application=pending, stage="document", items=items[:3], actor=secretariat)
    rows = ranking(cycle=cycle, category=agreed.category, stage="document")
    a, p = row_of(rows, agreed), row_of(rows, pending)
    assert (a.consensus, a.final_score, a.mean, a.flags) == (D("655.00"), D("655.00"), D("650.00"), [])
    assert (p.consensus, p.final_score, p.flags) == (None, D("700.00"), ["no_consensus"])
    assert [r.application for r in rows] == [pending.pk, agreed.pk]


def test_outstanding_sheets_are_flagged_and_unscored_applications_are_unranked(cycle, recommender, unit,
                                                                              secretariat):
    set_judges_document(cycle, 2)
    judges = make_judges(2, prefix="os")
    app = new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat)
    assignments = assign_and_accept(app, judges, secretariat)
    start_review(app, secretariat)
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert (row.judges, row.assigned, row.mean, row.final_score, row.rank, row.flags) == (
        0, 2, None, None, None, ["outstanding:2"])
    fill_and_submit(assignments[0], judges[0], 70)
    [row] = ranking(cycle=cycle, category=app.category, stage="document")
    assert (row.judges, row.final_score, row.rank, row.flags) == (1, D("700.00"), 1, ["outstanding:1"])


def test_leniency_is_the_mean_deviation_from_co_judges(build, cycle):
    build([60, 50])  # rk0 600 vs 500; rk1 500 vs 600
    build([70, 60])  # rk0 700 vs 600; rk1 600 vs 700
    rows = judge_leniency(cycle=cycle, category=cycle.categories.get(code="ORG"), stage="document")
    assert [(r.judge_name, r.sheets, r.leniency, r.mean_total) for r in rows] == [
        ("专家RK0-1", 2, D("100.00"), D("650.00")), ("专家RK1-1", 2, D("-100.00"), D("550.00"))]


def test_ranking_query_count_does_not_grow_with_applications(build, cycle, django_assert_num_queries):
    first = build([50, 60, 70])
    category = first.category
    with django_assert_num_queries(5) as one:
        assert len(ranking(cycle=cycle, category=category, stage="document")) == 1
    build([55, 65, 75])
    build([45, 80, 90])
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(ranking(cycle=cycle, category=category, stage="document")) == 3
