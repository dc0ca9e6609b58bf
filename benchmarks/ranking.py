"""Benchmark: the ranking of a cycle, one grouped query vs. a loop over applications.

Run from the repository root::

    .venv/bin/python benchmarks/ranking.py [--applications 80] [--judges 5]

Builds a throw-away SQLite database (migrations applied) with N applications in
document review, each with `judges` submitted sheets of the 23 GB/T 19580 items, then
computes the same figures twice:

* naive: for each application, for each sheet, fetch the item scores and sum them in
  Python (what a straightforward view would do: 1 + N + N×judges queries);
* judging.selectors.ranking: sheet totals, count, Σx, Σx², max and min per application
  in one grouped query, plus spread flags, consensus and rubric size (5 queries).

Prints both timings, the query counts and the ratio; exits 1 when the figures differ
or the ranking is not at least 3× faster.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

TARGET_SPEEDUP = 3.0


def setup(tmp: str) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_apps: int, n_judges: int, seed: int = 1):
    """Bulk-insert the data (benchmark fixture: states are set at creation, no transitions)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from judging.models import Assignment, Criterion, ItemScore
    from nominations.demo import build_cycle
    from nominations.identifiers import make_uscc
    from nominations.models import Application, Organization

    rng = random.Random(seed)
    cycle = build_cycle("QGA", year=2018, label="bench")
    category = cycle.categories.get(code="ORG")
    criteria = list(Criterion.objects.filter(rubric__code=category.rubric_code, parent__isnull=False))
    User = get_user_model()
    judges = [User.objects.create(username=f"bench-judge-{i}") for i in range(n_judges)]
    orgs = Organization.objects.bulk_create([
        Organization(name=f"上海基准测试{i}号有限公司", uscc=make_uscc(f"9131011599{i:07d}")) for i in range(n_apps)])
    apps = Application.objects.bulk_create([
        Application(cycle=cycle, category=category, organization=o, title=f"模式{i}", state="document_review",
                    reference=f"QGA-BENCH-{i:04d}") for i, o in enumerate(orgs)])
    now = timezone.now()
    assignments = Assignment.objects.bulk_create([
        Assignment(application=a, judge=j, stage="document", state="submitted", submitted_at=now)
        for a in apps for j in judges])
    ItemScore.objects.bulk_create([
        ItemScore(assignment=a, criterion=c, percent=5 * rng.randint(4, 18), strengths="s", opportunities="o")
        for a in assignments for c in criteria], batch_size=2000)
    return cycle, category


def naive(cycle, category) -> dict[int, tuple]:
    from judging.models import Assignment, ItemScore
    from nominations.models import Application

    out = {}
    for app in Application.objects.filter(cycle=cycle, category=category):
        totals = []
        for a in Assignment.objects.filter(application=app, stage="document", state="submitted"):
            total = sum((s.criterion.max_points * s.percent / 100
                         for s in ItemScore.objects.filter(assignment=a).select_related("criterion")), Decimal(0))
            totals.append(total)
        mean = sum(totals) / len(totals)
        trimmed = (sum(totals) - max(totals) - min(totals)) / (len(totals) - 2) if len(totals) >= 5 else mean
        stdev = Decimal(statistics.stdev(totals)) if len(totals) > 1 else Decimal(0)
        q = Decimal("0.01")
        out[app.pk] = tuple(v.quantize(q, rounding=ROUND_HALF_UP) for v in (mean, trimmed, stdev))
    return out


def timed(func, *args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = func(*args)
        elapsed = time.perf_counter() - start
    return result, elapsed, len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=80)
    parser.add_argument("--judges", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ranking-bench-") as tmp:
        setup(tmp)
        from judging.selectors import ranking

        cycle, category = build(args.applications, args.judges)
        expected, t_naive, q_naive = timed(naive, cycle, category)
        rows, t_fast, q_fast = timed(lambda: ranking(cycle=cycle, category=category, stage="document"))
        got = {r.application: (r.mean, r.trimmed_mean, r.stdev) for r in rows}
        same = got == expected
        ratio = t_naive / t_fast if t_fast else float("inf")
        print(f"applications={args.applications} sheets/app={args.judges} items/sheet=23")
        print(f"naive loop : {t_naive * 1000:8.1f} ms, {q_naive} queries")
        print(f"ranking()  : {t_fast * 1000:8.1f} ms, {q_fast} queries")
        print(f"speed-up   : {ratio:.1f}x  (target ≥ {TARGET_SPEEDUP}x); figures identical: {same}")
        return 0 if same and ratio >= TARGET_SPEEDUP else 1


if __name__ == "__main__":
    sys.exit(main())
