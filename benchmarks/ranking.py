"""Benchmark: a cycle's ranking at national scale — naive loop, selector and the SQL floor.

Run from the repository root::

    .venv/bin/python benchmarks/ranking.py [--applications 5000] [--judges 7] [--naive-sample 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/award_x .venv/bin/python benchmarks/ranking.py

Builds a throw-away database — SQLite in a temporary directory by default; on PostgreSQL
when DATABASE_URL says so (a database "<name>_bench_ranking", created and dropped) — with
N applications in document review, each with `judges` submitted sheets of the 23
GB/T 19580 items (5,000 × 7 × 23 = 805,000 item scores by default), then computes the
same figures three ways:

* naive: for each application, for each sheet, fetch the item scores and sum them in
  Python (1 + N + N×judges queries). It runs on a sample of applications (--naive-sample)
  and its time is scaled to N — the line says so;
* selector: judging.selectors.ranking (sheet totals, count, Σx, Σx², max and min per
  application, spread flags, consensus, rubric — a fixed number of queries);
* floor: one hand-written SQL statement (per sheet Σ percent × max_points, then per
  application COUNT, Σt, Σt², MAX, MIN) — what the database cannot do faster; it
  computes no spread flags, consensus or names, which the selector does.

Prints the three timings (best of --repeat alternating runs for selector and floor), the query counts,
selector ÷ floor (target ≤ 1.5) and naive ÷ selector; exits 1 unless the figures (mean,
trimmed mean, stdev, min and max totals) agree between the three paths, the selector is
within 1.5× of the floor and under 1 s.
"""
from __future__ import annotations

import argparse
import contextlib
import io
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

TARGET_FLOOR_RATIO = 1.5
TARGET_SECONDS = 1.0
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- database -------------------------------------------------------------------------------
def setup(tmp: str, suffix: str = "bench_ranking") -> str:
    """Configure Django and create the throw-away database; returns the name to drop afterwards."""
    os.environ.setdefault("DEBUG", "1")
    os.environ["VAR_DIR"] = tmp
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        db["TEST"]["NAME"] = str(Path(tmp) / f"{suffix}.sqlite3")
    else:
        db["TEST"]["NAME"] = f"{db['NAME']}_{suffix}"
    old_name = db["NAME"]
    with contextlib.redirect_stdout(io.StringIO()):  # createcachetable's "already exists"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name


def teardown(old_name: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(old_name, verbosity=0)


def _insert_item_scores(rows: list[tuple]) -> None:
    """805,000 rows in seconds: COPY on PostgreSQL, executemany on SQLite (fixture data only)."""
    from django.db import connection

    from judging.models import ItemScore

    table = ItemScore._meta.db_table
    columns = ("assignment_id", "criterion_id", "percent", "strengths", "opportunities", "updated_at")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def build(n_apps: int, n_judges: int, seed: int = 1):
    """Bulk-insert the data (benchmark fixture: states are set at creation, no transitions)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from judging.models import Assignment, Criterion
    from judging.selectors.scoresheets import percents_code
    from nominations.demo import build_cycle
    from nominations.identifiers import make_uscc
    from nominations.models import Application, Organization

    rng = random.Random(seed)
    with transaction.atomic():
        cycle = build_cycle("QGA", year=2018, label="bench")
        category = cycle.categories.get(code="ORG")
        criteria = list(Criterion.objects.filter(rubric__code=category.rubric_code, parent__isnull=False)
                        .order_by("order"))
        User = get_user_model()
        judges = User.objects.bulk_create([User(username=f"bench-judge-{i}") for i in range(n_judges)])
        orgs = Organization.objects.bulk_create([
            Organization(name=f"上海基准测试{i}号有限公司", uscc=make_uscc(f"9131011599{i:07d}"))
            for i in range(n_apps)], batch_size=1000)
        apps = Application.objects.bulk_create([
            Application(cycle=cycle, category=category, organization=o, title=f"模式{i}", state="document_review",
                        reference=f"QGA-BENCH-{i:05d}") for i, o in enumerate(orgs)], batch_size=1000)
        now = timezone.now()
        sheets = [[5 * rng.randint(4, 18) for _c in criteria] for _a in apps for _j in judges]
        # What the submission writes on the assignment (judging.selectors.scoresheets.Scoresheet).
        assignments = Assignment.objects.bulk_create([
            Assignment(application=a, judge=j, stage="document", state="submitted", submitted_at=now,
                       sheet_raw=sum(p * c.max_points for p, c in zip(percents, criteria)),
                       sheet_percents=percents_code(percents))
            for (a, j), percents in zip(((a, j) for a in apps for j in judges), sheets)], batch_size=1000)
        if any(a.pk is None for a in assignments):  # no RETURNING: read the ids back
            assignments = list(Assignment.objects.filter(application__cycle=cycle).order_by("pk"))
        _insert_item_scores([(a.pk, c.pk, p, "s", "o", now)
                             for a, percents in zip(assignments, sheets) for c, p in zip(criteria, percents)])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do shortly after such a load
    return cycle, category


# -- the three paths ---------------------------------------------------------------------------
def naive(cycle, category, sample: int | None = None) -> dict[int, tuple]:
    """Per application, per sheet, per item: what a straightforward view would do."""
    from judging.models import Assignment, ItemScore
    from nominations.models import Application

    out = {}
    apps = Application.objects.filter(cycle=cycle, category=category).order_by("pk")
    if sample:
        apps = apps[:sample]
    for app in apps:
        totals = []
        for a in Assignment.objects.filter(application=app, stage="document", state="submitted"):
            total = sum((s.criterion.max_points * s.percent / 100
                         for s in ItemScore.objects.filter(assignment=a).select_related("criterion")), Decimal(0))
            totals.append(total)
        mean = sum(totals) / len(totals)
        trimmed = (sum(totals) - max(totals) - min(totals)) / (len(totals) - 2) if len(totals) >= 5 else mean
        stdev = Decimal(statistics.stdev(totals)) if len(totals) > 1 else Decimal(0)
        out[app.pk] = tuple(q2(v) for v in (mean, trimmed, stdev, min(totals), max(totals)))
    return out


FLOOR_SQL = """
SELECT t.application_id, COUNT(*), SUM(t.raw), SUM(t.raw * t.raw), MAX(t.raw), MIN(t.raw)
FROM (SELECT a.id, a.application_id, SUM(s.percent * c.max_points) AS raw
      FROM {assignment} a
      JOIN {application} p ON p.id = a.application_id
      JOIN {itemscore} s ON s.assignment_id = a.id
      JOIN {criterion} c ON c.id = s.criterion_id
      WHERE p.cycle_id = %s AND p.category_id = %s AND a.stage = %s AND a.state = %s
        AND s.percent IS NOT NULL
      GROUP BY a.id, a.application_id) t
GROUP BY t.application_id
"""


def floor(cycle, category) -> dict[int, tuple]:
    """One hand-written statement; the statistics from its sums in Decimal (×100 units)."""
    from django.db import connection

    from judging.models import Assignment, Criterion, ItemScore
    from nominations.models import Application

    sql = FLOOR_SQL.format(assignment=Assignment._meta.db_table, application=Application._meta.db_table,
                           itemscore=ItemScore._meta.db_table, criterion=Criterion._meta.db_table)
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, category.pk, "document", "submitted"])
        for app_id, n, s1, s2, hi, lo in cursor.fetchall():
            s1, s2, hi, lo = (Decimal(v) for v in (s1, s2, hi, lo))
            mean = s1 / n
            trimmed = (s1 - hi - lo) / (n - 2) if n >= 5 else mean
            stdev = ((s2 - s1 * s1 / n) / (n - 1)).sqrt() if n > 1 else Decimal(0)
            out[app_id] = tuple(q2(v / 100) for v in (mean, trimmed, stdev, lo, hi))
    return out


def selector(cycle, category) -> dict[int, tuple]:
    from judging.selectors import ranking

    rows = ranking(cycle=cycle, category=category, stage="document")
    return {r.application: (r.mean, r.trimmed_mean, r.stdev, r.min_total, r.max_total) for r in rows}


def timed(func, *args, repeat: int = 1):
    """(result, best wall time, queries of one run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, result, queries = float("inf"), None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = func(*args)
            best = min(best, time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return result, best, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--judges", type=int, default=7)
    parser.add_argument("--naive-sample", type=int, default=100,
                        help="applications the naive loop runs on (0 = all); its time is scaled to N")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of selector and floor, alternating (the best of each is kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ranking-bench-") as tmp:
        old_name = setup(tmp)
        try:
            return run(args)
        finally:
            teardown(old_name)


def run(args) -> int:
    from django.db import connection

    start = time.perf_counter()
    cycle, category = build(args.applications, args.judges)
    t_build = time.perf_counter() - start
    n = args.applications
    sample = args.naive_sample if 0 < args.naive_sample < n else None
    got_naive, t_naive, q_naive = timed(naive, cycle, category, sample)
    scale = n / len(got_naive) if got_naive else 1
    t_floor = t_fast = float("inf")
    for _ in range(args.repeat):  # alternate, so that both meet the same machine
        got_floor, seconds, q_floor = timed(floor, cycle, category)
        t_floor = min(t_floor, seconds)
        got_fast, seconds, q_fast = timed(selector, cycle, category)
        t_fast = min(t_fast, seconds)
    same = (got_fast == got_floor and len(got_fast) == n
            and all(got_fast.get(pk) == figures for pk, figures in got_naive.items()))
    t_naive_n = t_naive * scale
    vs_floor = t_fast / t_floor if t_floor else float("inf")
    vs_naive = t_naive_n / t_fast if t_fast else float("inf")
    items = n * args.judges * 23
    print(f"database={connection.vendor} applications={n} sheets/app={args.judges} items/sheet=23 "
          f"item scores={items:,} (built in {t_build:.1f} s)")
    if sample:
        print(f"naive loop : {t_naive_n * 1000:9.1f} ms, ~{round(q_naive * scale):,} queries  "
              f"(measured on {len(got_naive)} applications: {t_naive * 1000:.1f} ms, {q_naive} queries; scaled ×{scale:g})")
    else:
        print(f"naive loop : {t_naive * 1000:9.1f} ms, {q_naive:,} queries")
    print(f"ranking()  : {t_fast * 1000:9.1f} ms, {q_fast} queries  (best of {args.repeat})")
    print(f"SQL floor  : {t_floor * 1000:9.1f} ms, {q_floor} query    (best of {args.repeat})")
    print(f"ranking ÷ floor: {vs_floor:.2f}  (target ≤ {TARGET_FLOOR_RATIO}); naive ÷ ranking: {vs_naive:.1f}x; "
          f"ranking {'≤' if t_fast <= TARGET_SECONDS else '>'} {TARGET_SECONDS:g} s")
    print(f"figures identical (mean, trimmed mean, stdev, min, max; naive on its sample): {same}")
    return 0 if same and vs_floor <= TARGET_FLOOR_RATIO and t_fast <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
