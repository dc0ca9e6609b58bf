"""Benchmark: the secretariat's pages with a national cycle (5,000 applications) — server time.

Run from the repository root::

    .venv/bin/python benchmarks/pages.py [--applications 5000] [--judges 100] [--panel 7] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/award_x .venv/bin/python benchmarks/pages.py

Builds a throw-away database (as benchmarks/ranking.py: SQLite in a temporary directory, or
"<name>_bench_pages" on PostgreSQL) with one cycle of N applications in document review,
a pool of judges (judge group, profiles), `panel` assignments per application (six in seven
submitted with all 23 items scored, the rest accepted and half-scored) — 5,000 × 7 × 23 ≈
700,000 item scores — then requests each page as the secretariat through the whole Django
stack in this process (middleware, session, view, template; no network) and prints, per
page, the best and median server time of --repeat requests (and the best CPU time of this
process, less sensitive to a busy machine), the queries and the size of the answer. Targets: ≤ 150 ms for the cycle list, the cycle dashboard (application list), the
assignment board and the progress page; ≤ 0.5 s for the home page (工作台: the to-dos count
the panels with a disagreement from every submitted sheet) and the progress page filtered to
them; ≤ 1.5 s for the ranking page (spread flags, leniency and charts) and its API. Exits 1 when a target is missed or a page does not answer 200.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
for path in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import ranking as ranking_bench  # noqa: E402  (same throw-away database and fast inserts)

PAGE_TARGET = 0.150
RANKING_TARGET = 1.5
HOME_TARGET = 0.5  # the 工作台 and the disagreement filter read every complete panel's sheets (spread flags)


def build(n_apps: int, n_judges: int, panel: int, seed: int = 1):
    """Bulk-insert the cycle (benchmark fixture: states are set at creation, no transitions)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from judging.models import Assignment, Criterion, JudgeProfile
    from judging.selectors.scoresheets import percents_code
    from nominations.demo import build_cycle
    from nominations.identifiers import make_uscc
    from nominations.models import Application, Organization
    from nominations.rules import JUDGE, SECRETARIAT

    rng = random.Random(seed)
    User = get_user_model()
    with transaction.atomic():
        cycle = build_cycle("QGA", year=2018, label="pages")
        type(cycle).objects.filter(pk=cycle.pk).update(status="judging")  # under review: on the 工作台
        cycle.refresh_from_db()
        category = cycle.categories.get(code="ORG")
        criteria = list(Criterion.objects.filter(rubric__code=category.rubric_code, parent__isnull=False)
                        .order_by("order", "code"))
        secretariat = User.objects.create(username="bench-secretariat", is_staff=True)
        Group.objects.get_or_create(name=SECRETARIAT)[0].user_set.add(secretariat)
        judges = User.objects.bulk_create([User(username=f"bench-judge-{i:03d}", first_name=f"专家{i}")
                                           for i in range(n_judges)])
        Group.objects.get_or_create(name=JUDGE)[0].user_set.add(*judges)
        JudgeProfile.objects.bulk_create([
            JudgeProfile(user=j, title="高级工程师", affiliation=f"上海评审单位{i}号",
                         affiliation_uscc=make_uscc(f"9131011577{i:07d}")) for i, j in enumerate(judges)])
        orgs = Organization.objects.bulk_create([
            Organization(name=f"上海页面测试{i}号有限公司", uscc=make_uscc(f"9131011566{i:07d}"))
            for i in range(n_apps)], batch_size=1000)
        now = timezone.now()
        apps = Application.objects.bulk_create([
            Application(cycle=cycle, category=category, organization=o, title=f"模式{i}", state="document_review",
                        reference=f"QGA-PAGES-{i:05d}", submitted_at=now) for i, o in enumerate(orgs)],
            batch_size=1000)
        specs = []  # (application, judge, state, percents)
        for app in apps:
            for j, judge in enumerate(rng.sample(judges, panel)):
                submitted = j < panel - 1 or rng.random() < 0.5
                percents = [5 * rng.randint(6, 16) for _c in criteria]
                if not submitted:
                    percents = percents[:len(criteria) // 2]
                specs.append((app, judge, "submitted" if submitted else "accepted", percents))
        assignments = Assignment.objects.bulk_create([
            Assignment(application=app, judge=judge, stage="document", state=state, is_leader=(i % panel == 0),
                       accepted_at=now, submitted_at=now if state == "submitted" else None,
                       due_at=now + (timezone.timedelta(days=7) if i % 3 else -timezone.timedelta(days=1)),
                       sheet_raw=sum(p * c.max_points for p, c in zip(percents, criteria))
                       if state == "submitted" else None,
                       sheet_percents=percents_code(percents) if state == "submitted" else "")
            for i, (app, judge, state, percents) in enumerate(specs)], batch_size=1000)
        if any(a.pk is None for a in assignments):
            assignments = list(Assignment.objects.filter(application__cycle=cycle).order_by("pk"))
        ranking_bench._insert_item_scores([(a.pk, c.pk, p, "优势", "改进机会", now)
                                           for a, (_app, _j, _s, percents) in zip(assignments, specs)
                                           for c, p in zip(criteria, percents)])
    if connection.vendor == "postgresql":  # as autovacuum leaves a table after bulk inserts: planner
        with connection.cursor() as cursor:  # statistics and the visibility map (index-only scans)
            cursor.execute("VACUUM ANALYZE")
    return cycle, category, secretariat


def measure(client, url: str, repeat: int) -> tuple[float, float, float, int, int, int]:
    """(best wall s, median wall s, best CPU s of this process, queries, status, bytes) of GET url."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, translations
    times, cpu, queries, status, size = [], [], 0, 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        queries, status, size = len(ctx.captured_queries), response.status_code, len(response.content)
    return min(times), statistics.median(times), min(cpu), queries, status, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--judges", type=int, default=100)
    parser.add_argument("--panel", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as tmp:
        old_name = ranking_bench.setup(tmp, suffix="bench_pages")
        try:
            return run(args)
        finally:
            ranking_bench.teardown(old_name)


def run(args) -> int:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    start = time.perf_counter()
    cycle, category, secretariat = build(args.applications, args.judges, args.panel)
    built = time.perf_counter() - start
    client = Client()
    client.force_login(secretariat)
    query = f"?category={category.pk}&stage=document"
    pages = [
        ("cycle list", reverse("cycle_list"), PAGE_TARGET),
        ("cycle dashboard (application list)", reverse("cycle_detail", args=[cycle.pk]), PAGE_TARGET),
        ("application list, page 40", reverse("cycle_detail", args=[cycle.pk]) + "?page=40", PAGE_TARGET),
        ("assignment board", reverse("judging:assignment_board", args=[cycle.pk]) + query, PAGE_TARGET),
        ("assignment board, page 40", reverse("judging:assignment_board", args=[cycle.pk]) + query + "&page=40",
         PAGE_TARGET),
        ("progress", reverse("judging:progress", args=[cycle.pk]), PAGE_TARGET),
        ("progress, 分歧待合议 filter", reverse("judging:progress", args=[cycle.pk]) + "?show=disagreement",
         HOME_TARGET),
        ("home (工作台: to-dos, funnel)", reverse("home"), HOME_TARGET),
        ("ranking page (leniency, charts)", reverse("judging:ranking", args=[cycle.pk]) + query, RANKING_TARGET),
        ("ranking API", f"/api/v1/cycles/{cycle.pk}/ranking/{query}", RANKING_TARGET),
    ]
    print(f"database={connection.vendor} applications={args.applications} judges={args.judges} "
          f"panel={args.panel} (built in {built:.1f} s)")
    print(f"server time in this process over {args.repeat} requests, ms: best wall, median wall, best CPU "
          "(CPU of this process: on SQLite the database work too; the target applies to best wall)")
    ok = True
    for name, url, target in pages:
        best, median, cpu, queries, status, size = measure(client, url, args.repeat)
        hit = status == 200 and best <= target
        ok &= hit
        print(f"{name:<36} {best * 1000:8.1f} {median * 1000:8.1f} {cpu * 1000:8.1f}  {queries:3d} queries  "
              f"{size / 1024:7.1f} KB  {'ok' if hit else 'MISSED'} (≤ {target * 1000:.0f} ms, HTTP {status})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
