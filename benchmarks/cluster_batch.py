"""Certificate batch time on the local cluster, with 1 and with 2 task workers, through the
S3-compatible object store (issue 10).

Starts `scripts/cluster.sh` (2 app servers, 2 workers, moto's S3 server) against PostgreSQL
and Redis, warms both workers up with a small batch (fonts, stylesheet: once per process),
then publishes a cycle of N certificates through app server B and reads the batch's wall
time (first claim → combined print file stored) — once with both workers, once after
stopping one. Prints both times, per certificate, and the ratio. Stops the cluster.

    .venv/bin/python benchmarks/cluster_batch.py [--certificates 200]

Uses its own database (award_bench_cluster, dropped first) and Redis database 13 unless
BENCH_DATABASE_URL / BENCH_REDIS_URL say otherwise. Run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_DIR = ROOT / "var" / "cluster-bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/award_bench_cluster")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PORT_A, PORT_B, S3_PORT = 8071, 8072, 9171
SECRET_KEY = "local-cluster-only-secret-key-0123456789abcdefghijklmnop"
AUDIT_KEY = "local-cluster-only-audit-key-0123456789"


def _env() -> dict:
    keep = {k: v for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "VAR_DIR", "DEBUG", "DATABASE_URL", "REDIS_URL"}}
    return {**keep, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "CLUSTER_DIR": str(CLUSTER_DIR),
            "CLUSTER_PORT_A": str(PORT_A), "CLUSTER_PORT_B": str(PORT_B), "CLUSTER_S3_PORT": str(S3_PORT),
            "S3_BUCKET": "award-bench", "S3_ACCESS_KEY": "bench", "S3_SECRET_KEY": "bench-secret",
            "S3_REGION": "us-east-1", "S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
            "CACHE_KEY_PREFIX": f"bench-{os.getpid()}"}


def _sql(query: str, *params):
    import dj_database_url
    import psycopg

    c = dj_database_url.parse(DATABASE_URL)
    with psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], dbname=c["NAME"],
                         password=c["PASSWORD"] or None, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _fresh_database() -> None:
    import dj_database_url
    import psycopg

    c = dj_database_url.parse(DATABASE_URL)
    with psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], dbname="postgres",
                         password=c["PASSWORD"] or None, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{c["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{c["NAME"]}"')


def _cpu_seconds(parts: list[str]) -> dict:
    """User + system CPU seconds used so far by each running part of the cluster."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for part in parts:
        try:
            fields = Path(f"/proc/{int((CLUSTER_DIR / f'{part}.pid').read_text())}/stat").read_text().rsplit(")", 1)[1]
            used[part] = (int(fields.split()[11]) + int(fields.split()[12])) / ticks
        except (OSError, ValueError):
            continue
    return used


def _batch(env: dict, year: int, count: int) -> dict:
    """Seed a cycle of `count` awarded applications, publish it through B, wait for the batch."""
    import requests

    seeded = subprocess.run([sys.executable, "tests/cluster/seed_cycle.py", str(count), str(year), "demo12345"],
                            cwd=ROOT, capture_output=True, text=True, check=True, timeout=900,
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                                 "SECRET_KEY": SECRET_KEY, "AUDIT_KEY": AUDIT_KEY,
                                 "VAR_DIR": str(CLUSTER_DIR / "var")})
    cycle = json.loads(seeded.stdout.strip().splitlines()[-1])["cycle"]
    base = f"http://127.0.0.1:{PORT_B}"
    session = requests.Session()
    token = session.post(f"{base}/api/v1/auth/token/", json={"username": "secretariat", "password": "demo12345"},
                         timeout=60).json()["token"]
    session.headers["Authorization"] = f"Token {token}"
    parts = ["worker-1", "worker-2", "s3"]
    before = _cpu_seconds(parts)
    answer = session.post(f"{base}/api/v1/cycles/{cycle}/transitions/",
                          json={"name": "publish", "announcement": "现予公布。"}, timeout=600)
    answer.raise_for_status()
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        rows = _sql("SELECT status, done, total, elapsed_ms FROM nominations_certificatebatch WHERE cycle_id = %s",
                    cycle)
        if rows and rows[0][0] in ("done", "failed"):
            break
        time.sleep(0.2)
    status, done, total, elapsed_ms = rows[0]
    if (status, done) != ("done", count):
        raise SystemExit(f"batch of {year} ended {status} with {done}/{total}")
    after = _cpu_seconds(parts)
    cpu = {part: after[part] - before.get(part, 0) for part in after}
    # The workers' CPU includes the result e-mails (console backend) sent before the batch.
    return {"certificates": count, "seconds": elapsed_ms / 1000,
            "workers_cpu": sum(v for k, v in cpu.items() if k.startswith("worker")), "store_cpu": cpu.get("s3", 0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200)
    args = parser.parse_args()
    env = _env()
    _fresh_database()
    script = ["bash", str(ROOT / "scripts" / "cluster.sh")]
    try:
        subprocess.run([*script, "up"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=1200)
        _batch(env, 2040, 60)  # warm-up: each worker builds its renderer once
        two = _batch(env, 2041, args.certificates)
        os.kill(int((CLUSTER_DIR / "worker-2.pid").read_text()), signal.SIGTERM)
        time.sleep(3)
        one = _batch(env, 2042, args.certificates)
    finally:
        subprocess.run([*script, "down"], cwd=ROOT, env=env, capture_output=True, timeout=300)
    n = args.certificates
    print(f"certificate batch of {n} through the S3-compatible store (chunks of 25, PostgreSQL, Redis):")
    for label, run in (("1 worker ", one), ("2 workers", two)):
        print(f"  {label}: {run['seconds']:7.2f} s wall ({1000 * run['seconds'] / n:6.1f} ms per certificate); "
              f"CPU per certificate: workers {1000 * run['workers_cpu'] / n:5.1f} ms, "
              f"object store {1000 * run['store_cpu'] / n:5.1f} ms")
    print(f"  speed-up with 2 workers: {one['seconds'] / two['seconds']:.2f}x  (machine: {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; the store, PostgreSQL and the app servers share them)")


if __name__ == "__main__":
    main()
