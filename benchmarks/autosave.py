"""Benchmark: judges autosaving at once through the API under gunicorn, against a bare Django view.

Run from the repository root (PostgreSQL on 127.0.0.1 is required)::

    .venv/bin/python benchmarks/autosave.py [--judges 50] [--workers 2] [--duration 15] [--rounds 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/award_x .venv/bin/python benchmarks/autosave.py

Creates a throw-away PostgreSQL database ("<name of DATABASE_URL>_bench_autosave", default
award_bench_autosave; dropped at the end) with one application in document review per judge
and each judge's accepted assignment, then starts the app under gunicorn (sync workers, as
config/gunicorn.conf.py; DEBUG off) with benchmarks.autosave_settings: the project's settings
and URLs plus one bare JSON view (/bench/bare/: same middleware, parses the same body, no
database) that is the floor.

Two more phases measure references between the two (not targets): /bench/answer/<assignment>/,
the API's token authentication and the autosave's answer document (kept in the process) with no
save — what the API stack costs before any scoring work; and /bench/write/<assignment>/, the
API's token authentication and one UPDATE of the judge's own assignment row, no answer to
speak of — the least any database-backed save costs on this stack.

`--judges` concurrent clients (asyncio, one connection per request, no think time), each
with its own API token, send the scoring page's autosave — PUT /api/v1/assignments/<id>/
scoresheet/ with one changed item (percent and both texts) — to their own sheet, over and
over for `--duration` seconds; the same clients then send the same bodies to the bare view.
The phases alternate `--rounds` times after a warm-up. Reported per phase: requests per
second, p50/p95 latency, errors (anything but 200, or no answer); then the throughput ratio
autosave ÷ bare (target ≥ 50 %), the queries and the in-process time of one autosave, and
the check that every judge's sheet holds exactly its last acknowledged write of each item.
Also reported per phase (Linux): the CPU per request of gunicorn (master and workers), of the
PostgreSQL backends of the benchmark database and of this client — where the machine's time goes,
less sensitive than requests per second to other load on the machine.
Exits 1 when the ratio is below 0.5, or on any error or lost write.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

TARGET_RATIO = 0.5
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/award"
TEXT = "领导层以顾客为关注焦点，战略目标分解到各部门并定期评审；建议加强过程绩效指标的对比分析（第{n}次修改）"


# -- database and data ----------------------------------------------------------------------------
def setup(tmp: str) -> tuple[str, str]:
    """Configure Django (DEBUG off, as in production) and create the throw-away database.
    Returns (the original database name, the URL of the benchmark database)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL
    os.environ.update({
        "DATABASE_URL": url, "DEBUG": "0", "VAR_DIR": tmp,
        "SECRET_KEY": secrets.token_urlsafe(40), "AUDIT_KEY": secrets.token_urlsafe(40),
        "DJANGO_SETTINGS_MODULE": "benchmarks.autosave_settings",
    })
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    db = settings.DATABASES["default"]
    old_name = db["NAME"]
    db["TEST"]["NAME"] = f"{old_name}_bench_autosave"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    bench_url = url.rsplit("/", 1)[0] + "/" + db["NAME"]
    return old_name, bench_url


def teardown(old_name: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(old_name, verbosity=0)


def build(n_judges: int) -> list[dict]:
    """One application in document review per judge, the judge's accepted assignment and API token.
    Benchmark fixture: states are set at creation. The last judge is kept for the in-process probe."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from knox.models import AuthToken

    from judging.models import Assignment, Criterion
    from nominations.demo import build_cycle
    from nominations.identifiers import make_uscc
    from nominations.models import Application, Organization
    from nominations.rules import JUDGE

    with transaction.atomic():
        cycle = build_cycle("QGA", year=2018, label="autosave")
        category = cycle.categories.get(code="ORG")
        codes = list(Criterion.objects.filter(rubric__code=category.rubric_code, parent__isnull=False)
                     .order_by("order", "code").values_list("code", flat=True))
        User = get_user_model()
        group, _ = Group.objects.get_or_create(name=JUDGE)
        judges = User.objects.bulk_create([User(username=f"autosave-judge-{i}") for i in range(n_judges)])
        group.user_set.add(*judges)
        orgs = Organization.objects.bulk_create([
            Organization(name=f"上海自动保存测试{i}号有限公司", uscc=make_uscc(f"9131011588{i:07d}"))
            for i in range(n_judges)])
        apps = Application.objects.bulk_create([
            Application(cycle=cycle, category=category, organization=o, title=f"模式{i}", state="document_review",
                        reference=f"QGA-AUTOSAVE-{i:04d}") for i, o in enumerate(orgs)])
        assignments = Assignment.objects.bulk_create([
            Assignment(application=a, judge=j, stage="document", state="accepted", is_leader=True)
            for a, j in zip(apps, judges)])
        tokens = [AuthToken.objects.create(user=j)[1] for j in judges]
    return [{"assignment": a.pk, "token": t, "codes": codes} for a, t in zip(assignments, tokens)]


def autosave_body(codes: list[str], n: int) -> tuple[str, dict]:
    """The n-th autosave of a judge: one item, as static/js/scoresheet.js sends it."""
    code = codes[n % len(codes)]
    return code, {"criterion": code, "percent": 5 * (n % 21), "strengths": TEXT.format(n=n),
                  "opportunities": f"建议{n}"}


def probe(judge: dict, repeat: int = 20) -> tuple[int, float]:
    """Queries and median time of one autosave in this process (the whole Django stack, no network)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {judge['token']}")
    url = f"/api/v1/assignments/{judge['assignment']}/scoresheet/"
    times, queries = [], 0
    for n in range(repeat + 1):
        _code, item = autosave_body(judge["codes"], n)
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.put(url, json.dumps({"items": [item]}), content_type="application/json")
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:500]
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times[1:])


# -- server ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(bench_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "benchmarks.autosave_settings"}
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--chdir", str(REPO_ROOT),
           "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
           "--backlog", "2048", "--timeout", "60", "--log-level", "warning"]
    server = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# -- clients --------------------------------------------------------------------------------------
async def put(port: int, path: str, token: str, body: bytes, timeout: float = 30.0) -> int:
    """One HTTP/1.1 PUT on its own connection (sync workers close it anyway); the status code."""
    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            head = (f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n"
                    f"Content-Type: application/json\r\nAccept: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
            writer.write(head.encode() + body)
            await writer.drain()
            data = await reader.read()
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), timeout)


# -- CPU of the processes serving the benchmark (Linux /proc) --------------------------------------
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of one process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _backend_pids() -> list[int]:
    """The PostgreSQL backends connected to the benchmark database, except this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU used during a phase by gunicorn (master and workers), the PostgreSQL backends of the
    benchmark database (same host) and this client process."""

    def __init__(self, server: subprocess.Popen | None):
        self.server = server

    def snapshot(self) -> dict[str, dict[int, float]]:
        if self.server is None or not Path("/proc").is_dir():
            return {}
        snap = {"gunicorn": _group_pids(self.server.pid), "postgres": _backend_pids()}
        return {kind: {pid: cpu for pid in pids if (cpu := _proc_cpu(pid)) is not None}
                for kind, pids in snap.items()} | {"client": {0: time.process_time()}}

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        return {kind: sum(cpu - before.get(kind, {}).get(pid, 0.0) for pid, cpu in pids.items())
                for kind, pids in after.items()}


class Phase:
    def __init__(self, name: str):
        self.name, self.latencies, self.errors, self.seconds = name, [], 0, 0.0
        self.cpu: dict[str, float] = {}

    def line(self) -> str:
        n = len(self.latencies)
        lat = sorted(self.latencies) or [0.0]
        p50, p95 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        line = (f"{self.name:<10}: {self.rate:8.1f} req/s  p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
                f"requests {n:6d}  errors {self.errors}")
        if self.cpu and n:
            parts = "  ".join(f"{kind} {seconds / n * 1000:5.2f}" for kind, seconds in self.cpu.items())
            line += f"\n            CPU ms per request: {parts}  (total {sum(self.cpu.values()) / n * 1000:5.2f})"
        return line

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def run_phase(port: int, judges: list[dict], kind: str, seconds: float, phase: Phase | None,
                    counters: list[int], last: list[dict]) -> None:
    """Every judge sends autosaves back to back until the deadline; in the autosave phase the
    last acknowledged write of each item is remembered for the final check."""
    deadline = time.monotonic() + seconds

    async def judge_loop(i: int, judge: dict) -> None:
        path = {"autosave": f"/api/v1/assignments/{judge['assignment']}/scoresheet/",
                "answer": f"/bench/answer/{judge['assignment']}/",
                "write": f"/bench/write/{judge['assignment']}/"}.get(kind, "/bench/bare/")
        while time.monotonic() < deadline:
            n = counters[i]
            counters[i] += 1
            code, item = autosave_body(judge["codes"], n)
            body = json.dumps({"items": [item]}).encode()
            start = time.perf_counter()
            try:
                status = await put(port, path, judge["token"], body)
            except (OSError, asyncio.TimeoutError):
                status = 0
            elapsed = time.perf_counter() - start
            if kind == "autosave" and status == 200:
                last[i][code] = item
            if phase is not None:
                if status == 200:
                    phase.latencies.append(elapsed)
                else:
                    phase.errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(judge_loop(i, j) for i, j in enumerate(judges)))
    if phase is not None:
        phase.seconds += time.perf_counter() - start


def measured_phase(meter: CpuMeter, port: int, judges: list[dict], kind: str, seconds: float, phase: Phase,
                   counters: list[int], last: list[dict]) -> None:
    """run_phase, adding the CPU the serving processes and the client used to `phase`."""
    before = meter.snapshot()
    asyncio.run(run_phase(port, judges, kind, seconds, phase, counters, last))
    if before:
        for name, used in CpuMeter.used(before, meter.snapshot()).items():
            phase.cpu[name] = phase.cpu.get(name, 0.0) + used


def check_last_writes(judges: list[dict], last: list[dict]) -> tuple[int, int]:
    """(items checked, items whose stored value is not the judge's last acknowledged write)."""
    from judging.models import ItemScore

    checked = lost = 0
    for judge, writes in zip(judges, last):
        stored = {code: (percent, strengths, opportunities) for code, percent, strengths, opportunities in
                  ItemScore.objects.filter(assignment_id=judge["assignment"])
                  .values_list("criterion__code", "percent", "strengths", "opportunities")}
        for code, item in writes.items():
            checked += 1
            if stored.get(code) != (item["percent"], item["strengths"], item["opportunities"]):
                lost += 1
    return checked, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="autosave-bench-") as tmp:
        old_name, bench_url = setup(tmp)
        try:
            return run(args, bench_url)
        finally:
            from django.db import connections

            connections.close_all()
            teardown(old_name)


def run(args, bench_url: str) -> int:
    from django.db import connections

    judges = build(args.judges + 1)
    probe_judge, judges = judges[-1], judges[:-1]
    queries, service_time = probe(probe_judge)
    connections.close_all()
    port = free_port()
    server = start_server(bench_url, port, args.workers)
    counters = [0] * len(judges)
    last: list[dict] = [{} for _ in judges]
    phases = {"bare": Phase("bare view"), "answer": Phase("API answer"), "write": Phase("one write"),
              "autosave": Phase("autosave")}
    bare, answer, write, autosave = phases.values()
    try:
        for kind in phases:
            asyncio.run(run_phase(port, judges, kind, args.warmup, None, counters, last))
        meter = CpuMeter(server)
        for _ in range(args.rounds):
            for kind, phase in phases.items():
                measured_phase(meter, port, judges, kind, args.duration, phase, counters, last)
    finally:
        stop_server(server)
    checked, lost = check_last_writes(judges, last)
    ratio = autosave.rate / bare.rate if bare.rate else 0.0
    print(f"gunicorn {args.workers} sync workers, PostgreSQL, {len(judges)} concurrent judges, "
          f"{args.rounds} × {args.duration:g} s per phase, {os.cpu_count()} CPUs (client on the same machine)")
    for phase in phases.values():
        print(phase.line())
    print(f"autosave ÷ bare: {ratio:.2f}  (target ≥ {TARGET_RATIO:.2f}); load average {os.getloadavg()[0]:.2f}")
    if bare.rate and answer.rate and write.rate:
        print(f"references, not targets: API answer ÷ bare {answer.rate / bare.rate:.2f}, one write ÷ bare "
              f"{write.rate / bare.rate:.2f}; autosave ÷ API answer {autosave.rate / answer.rate:.2f}, "
              f"autosave ÷ one write {autosave.rate / write.rate:.2f}")
    print(f"one autosave in-process: {queries} queries, {service_time * 1000:.1f} ms (median)")
    print(f"last writes: {checked} items checked, {lost} lost")
    ok = ratio >= TARGET_RATIO and not any(p.errors for p in phases.values()) and lost == 0 and checked > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
