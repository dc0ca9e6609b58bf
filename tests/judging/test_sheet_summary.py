"""The summary a submission writes on its assignment (total and percents) and what reads it:
kept right by submit and reopen, filled for existing sheets by the migration, and the ranking's
figures equal to those computed from the item scores."""
import importlib
from decimal import Decimal

from django.apps import apps as django_apps

from judging.models import Assignment
from judging.selectors import ranking
from judging.services import assignment_reopen, scoresheet_save, scoresheet_submit
from tests.judging.conftest import fill, fill_and_submit, gbt_codes

D = Decimal


def test_submission_writes_the_total_and_percents_reopen_clears_them(review_app, judges, secretariat):
    app, assignments = review_app
    a, judge = assignments[0], judges[0]
    fill(a, judge, {**{c: 60 for c in gbt_codes()}, "4.4.3": 65})  # 4.4.3 has 15 points: +0.75
    a.refresh_from_db()
    assert (a.sheet_raw, a.sheet_percents) == (None, "")  # nothing before the submission

    scoresheet_submit(assignment=a, actor=judge)
    a.refresh_from_db()
    codes = gbt_codes()
    assert a.sheet_raw == D("60075.00")  # 600.75 points × 100
    assert a.sheet_percents == "".join("N" if c == "4.4.3" else "M" for c in codes)  # M = 60 %, N = 65 %

    assignment_reopen(assignment=a, actor=secretariat, reason="请复核 4.4.3")
    a.refresh_from_db()
    assert (a.state, a.sheet_raw, a.sheet_percents) == ("reopened", None, "")

    scoresheet_save(assignment=a, items=[{"criterion": "4.4.3", "percent": 100}], actor=judge)
    scoresheet_submit(assignment=a, actor=judge)
    a.refresh_from_db()
    assert a.sheet_raw == D("60600.00")
    assert a.sheet_percents[codes.index("4.4.3")] == "U"  # 100 %


def test_ranking_follows_a_reopened_and_resubmitted_sheet(review_app, judges, secretariat):
    app, assignments = review_app
    for a, j, p in zip(assignments[:2], judges, [40, 80]):
        fill_and_submit(a, j, p)
    [row] = ranking(cycle=app.cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.flags) == (2, D("600.00"), [f"spread:{c}" for c in gbt_codes()] + [
        "outstanding:3"])

    assignment_reopen(assignment=assignments[1], actor=secretariat, reason="分差过大")
    [row] = ranking(cycle=app.cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.flags) == (1, D("400.00"), ["outstanding:4"])

    scoresheet_save(assignment=assignments[1], items=[{"criterion": c, "percent": 55} for c in gbt_codes()],
                    actor=judges[1])
    scoresheet_submit(assignment=assignments[1], actor=judges[1])
    [row] = ranking(cycle=app.cycle, category=app.category, stage="document")
    assert (row.judges, row.mean, row.min_total, row.max_total, row.flags) == (
        2, D("475.00"), D("400.00"), D("550.00"), ["outstanding:3"])


def test_migration_fills_the_summary_of_sheets_submitted_before_it(review_app, judges):
    app, assignments = review_app
    fill_and_submit(assignments[0], judges[0], {**{c: 50 for c in gbt_codes()}, "4.1.2": 65})
    fill_and_submit(assignments[1], judges[1], 70)
    fill(assignments[2], judges[2], 30)  # not submitted: no summary
    expected = {a.pk: (a.sheet_raw, a.sheet_percents) for a in Assignment.objects.filter(application=app)}
    Assignment.objects.filter(application=app).update(sheet_raw=None, sheet_percents="")

    migration = importlib.import_module("judging.migrations.0005_assignment_sheet_summary")
    migration.fill_sheet_summaries(django_apps, None)

    assert {a.pk: (a.sheet_raw, a.sheet_percents) for a in Assignment.objects.filter(application=app)} == expected
    assert expected[assignments[0].pk][0] == D("50750.00") and expected[assignments[2].pk] == (None, "")


def spread_flags_naive(sheets: list[str], steps: int) -> list[int]:
    return [i for i, column in enumerate(zip(*sheets)) if ord(max(column)) - ord(min(column)) >= steps]


def test_spread_items_agree_with_max_minus_min_per_item():
    import random

    from judging.selectors.ranking import spread_items
    from judging.selectors.scoresheets import percents_code

    rng = random.Random(9)
    for _ in range(500):
        size, judges = rng.choice([7, 23]), rng.randint(2, 9)
        sheets = [percents_code([5 * rng.randint(0, 20) for _ in range(size)]) for _ in range(judges)]
        assert spread_items(sheets, 6) == spread_flags_naive(sheets, 6)
    # exactly 30 points apart is a spread, 25 is not; 0 % and 100 % at the ends
    assert spread_items([percents_code([40, 40, 0]), percents_code([70, 65, 100])], 6) == [0, 2]
