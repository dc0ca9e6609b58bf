"""The cross-node test (issue 10 §6): `scripts/cluster.sh up` starts two gunicorn app
servers (A, B), two task workers and the S3-compatible store against PostgreSQL and Redis,
and the system is used across them as a city deployment would be:

- an applicant uploads a PDF through A, the secretariat downloads it through B;
- five wrong passwords on A lock the account on B; the verify page's limit counts on both;
- the secretariat publishes a cycle through B; the workers issue the certificates while
  one of them is killed in the middle of the batch, and the other finishes it with the
  numbers gap-free and unique; certificates download from A and verify on both;
- with A stopped, B still serves.

Slow (a few minutes): marked `cluster`, left out of `scripts/test.sh` by default and run by
`.ci/run`. Skipped when PostgreSQL or Redis is not running, except in CI (CI=true or
CLUSTER_REQUIRED=1), where that is a failure. Every process it starts, it stops
(`cluster.sh down`, also after a failure).
"""
from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("CLUSTER_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/award_cluster_test")
REDIS_URL = os.environ.get("CLUSTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT_A = int(os.environ.get("CLUSTER_TEST_PORT_A", "8061"))
PORT_B = int(os.environ.get("CLUSTER_TEST_PORT_B", "8062"))
S3_PORT = int(os.environ.get("CLUSTER_TEST_S3_PORT", "9161"))
CLUSTER_DIR = ROOT / "var" / "cluster-test"
PASSWORD = "demo12345"
CERTIFICATES = int(os.environ.get("CLUSTER_TEST_CERTIFICATES", "120"))
CHUNK = 10
# The environment the test keeps for itself (pytest-django's and the developer's settings).
_PRIVATE = {"DJANGO_SETTINGS_MODULE", "VAR_DIR", "DEBUG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY",
            "SITE_URL", "TASKS_BACKEND", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY",
            "S3_REGION", "ALLOWED_HOSTS", "TEST_DATABASE_NAME"}


def _required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("CLUSTER_REQUIRED") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _database_params() -> dict:
    import dj_database_url

    config = dj_database_url.parse(DATABASE_URL)
    return {"host": config["HOST"] or "127.0.0.1", "port": int(config["PORT"] or 5432),
            "user": config["USER"] or "postgres", "password": config["PASSWORD"] or None, "dbname": config["NAME"]}


@dataclass
class Cluster:
    env: dict
    a: str
    b: str

    def pid(self, part: str) -> int:
        return int((CLUSTER_DIR / f"{part}.pid").read_text())

    def sql(self, query: str, *params):
        import psycopg

        with psycopg.connect(**_database_params(), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.env["S3_ENDPOINT_URL"], region_name=self.env["S3_REGION"],
                            aws_access_key_id=self.env["S3_ACCESS_KEY"],
                            aws_secret_access_key=self.env["S3_SECRET_KEY"])

    def objects(self, prefix: str) -> set[str]:
        pages = self.s3().get_paginator("list_objects_v2").paginate(Bucket=self.env["S3_BUCKET"], Prefix=prefix)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}


@pytest.fixture(scope="module")
def cluster():
    params = _database_params()
    redis_host, redis_port = "127.0.0.1", 6379
    missing = [name for name, ok in (("PostgreSQL", _reachable(params["host"], params["port"])),
                                     ("Redis", _reachable(redis_host, redis_port))) if not ok]
    if missing:
        message = f"{' and '.join(missing)} not running: the cluster test needs both"
        if _required():
            pytest.fail(message)
        pytest.skip(message)

    import psycopg

    name = params.pop("dbname")
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:  # a fresh database each run
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {key: value for key, value in os.environ.items() if key not in _PRIVATE}
    env.update({
        "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "CLUSTER_DIR": str(CLUSTER_DIR),
        "CLUSTER_PORT_A": str(PORT_A), "CLUSTER_PORT_B": str(PORT_B), "CLUSTER_S3_PORT": str(S3_PORT),
        "CACHE_KEY_PREFIX": f"cluster-test-{uuid.uuid4().hex[:12]}",  # counters of this run only
        "TRUSTED_PROXY_COUNT": "1",  # as behind nginx: each test is its own client address
        "CERT_BATCH_CHUNK": str(CHUNK), "CERT_BATCH_TASKS": "2",
        "S3_BUCKET": "award-cluster-test", "S3_ACCESS_KEY": "cluster-test", "S3_SECRET_KEY": "cluster-test-secret",
        "S3_REGION": "us-east-1", "S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
    })
    script = [str(ROOT / "scripts" / "cluster.sh")]
    try:
        up = subprocess.run(["bash", *script, "up"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        yield Cluster(env=env, a=f"http://127.0.0.1:{PORT_A}", b=f"http://127.0.0.1:{PORT_B}")
    finally:
        down = subprocess.run(["bash", *script, "down"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=180)
        assert down.returncode == 0, down.stdout + down.stderr
        assert not list(CLUSTER_DIR.glob("*.pid")), "a process of the cluster is still recorded as running"


def client(ip: str):
    """A browser or API client of its own address (X-Forwarded-For, as nginx would set it)."""
    import requests

    session = requests.Session()
    session.headers["X-Forwarded-For"] = ip
    return session


def token(session, base: str, username: str, password: str = PASSWORD) -> str:
    response = session.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": password},
                            timeout=30)
    assert response.status_code == 200, response.text
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    return response.json()["token"]


def test_a_document_uploaded_through_a_downloads_through_b(cluster):
    from nominations.demo import sample_pdf

    applicant, secretariat = client("198.51.100.11"), client("198.51.100.12")
    token(applicant, cluster.a, "applicant1")
    token(secretariat, cluster.b, "secretariat")
    draft = applicant.get(f"{cluster.a}/api/v1/applications/", timeout=30).json()["results"][0]
    data = sample_pdf("跨节点证实性材料.pdf")

    uploaded = applicant.post(f"{cluster.a}/api/v1/applications/{draft['id']}/documents/", data={"kind": "evidence"},
                              files={"file": ("跨节点证实性材料.pdf", data, "application/pdf")}, timeout=60)
    assert uploaded.status_code == 201, uploaded.text
    download = secretariat.get(f"{cluster.b}/api/v1/applications/{draft['id']}/documents/"
                               f"{uploaded.json()['id']}/download/", timeout=60)

    assert download.status_code == 200 and download.content == data
    assert download.headers["Content-Type"] == "application/pdf"
    stored = cluster.objects(f"private/applications/{draft['id']}/")
    assert len(stored) >= 1 and all(key.endswith(".pdf") for key in stored)  # in the object store


def test_five_wrong_passwords_on_a_lock_the_account_on_b(cluster):
    attacker = client("198.51.100.21")
    wrong = [attacker.post(f"{cluster.a}/api/v1/auth/token/", json={"username": "judge7", "password": "wrong"},
                           timeout=30).status_code for _ in range(5)]
    right_on_b = attacker.post(f"{cluster.b}/api/v1/auth/token/", json={"username": "judge7", "password": PASSWORD},
                               timeout=30)
    assert wrong == [400, 400, 400, 400, 403]  # the fifth failure locks
    assert right_on_b.status_code == 403 and right_on_b.json()["code"] == "locked_out"
    # Another address is not locked out (username and address together).
    assert client("198.51.100.22").post(f"{cluster.b}/api/v1/auth/token/",
                                        json={"username": "judge7", "password": PASSWORD}, timeout=30).status_code == 200


def test_the_verify_page_limit_counts_on_both_servers(cluster):
    visitor = client("198.51.100.31")
    statuses = []
    for i in range(130):  # 120 a minute, shared: A and B take turns
        statuses.append(visitor.get(f"{(cluster.a, cluster.b)[i % 2]}/verify/no-such-code/", timeout=30).status_code)
        if statuses[-1] == 429 and len(statuses) > 122:
            break
    assert statuses[:120] == [404] * 120
    assert statuses[120:] == [429] * len(statuses[120:]) and len(statuses) > 121  # refused on A and on B


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_certificates_issued_by_the_workers_despite_a_killed_worker(cluster):
    year = 2031
    seeded = subprocess.run([sys.executable, "tests/cluster/seed_cycle.py", str(CERTIFICATES), str(year), PASSWORD],
                            cwd=ROOT, env={**cluster.env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                                           "SECRET_KEY": "local-cluster-only-secret-key-0123456789abcdefghijklmnop",
                                           "AUDIT_KEY": "local-cluster-only-audit-key-0123456789",
                                           "VAR_DIR": str(CLUSTER_DIR / "var")},
                            capture_output=True, text=True, timeout=600)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    cycle = json.loads(seeded.stdout.strip().splitlines()[-1])
    secretariat = client("198.51.100.41")
    token(secretariat, cluster.b, "secretariat")

    # The demo published certificates of its own (the events' hosts): look only at this cycle's.
    started = cluster.sql("SELECT now()")[0][0]
    published = secretariat.post(f"{cluster.b}/api/v1/cycles/{cycle['cycle']}/transitions/",
                                 json={"name": "publish", "announcement": "现予公布。"}, timeout=300)
    assert published.status_code == 200, published.text
    batch_sql = "SELECT id, status, done, total FROM nominations_certificatebatch WHERE cycle_id = %s"
    # Kill worker-1 while it works on the batch: a chunk committed, more to come, its task running.
    _wait(lambda: cluster.sql("SELECT 1 FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s AND "
                              "status = 'RUNNING' AND worker_ids::text LIKE %s",
                              "%issue_certificates", '%"worker-1"%')
          and (cluster.sql(batch_sql, cycle["cycle"]) or [(0, "", 0, 0)])[0][2] >= CHUNK,
          300, "worker-1 to work on the batch")
    os.kill(cluster.pid("worker-1"), signal.SIGKILL)
    killed_at = cluster.sql(batch_sql, cycle["cycle"])[0]
    assert killed_at[1] == "running" and killed_at[2] < killed_at[3], f"the batch ended before the kill: {killed_at}"

    _wait(lambda: cluster.sql(batch_sql, cycle["cycle"])[0][1] in ("done", "failed"), 600, "the batch to finish")

    batch_id, status, done, total = cluster.sql(batch_sql, cycle["cycle"])[0]
    assert (status, done, total) == ("done", CERTIFICATES, CERTIFICATES)
    certs = cluster.sql("SELECT c.seq, c.number, c.pdf, c.verification_code FROM nominations_certificate c JOIN "
                        "nominations_application a ON a.id = c.application_id WHERE a.cycle_id = %s ORDER BY c.seq",
                        cycle["cycle"])
    assert [row[0] for row in certs] == list(range(1, CERTIFICATES + 1))  # gap-free and unique
    assert [row[1] for row in certs] == [f"QGA-{year}-{seq:03d}" for seq in range(1, CERTIFICATES + 1)]
    assert all(row[2] == f"certificates/QGA-{year}-{row[0]:03d}.pdf" for row in certs)
    # In the object store: one PDF per certificate, the combined print file, and no leftovers
    # (the chunks' print files are removed just after the batch is marked done).
    _wait(lambda: not cluster.objects("private/certificates/combined/parts/"), 60, "the chunk files to be removed")
    stored = [key for key in cluster.objects("private/certificates/") if f"-{year}-" in key]
    assert {key for key in stored if "/combined/" not in key} == {f"private/{row[2]}" for row in certs}
    assert {key for key in stored if "/combined/" in key} == {f"private/certificates/combined/QGA-{year}-all.pdf"}
    from pypdf import PdfReader

    combined = cluster.s3().get_object(Bucket=cluster.env["S3_BUCKET"],
                                       Key=f"private/certificates/combined/QGA-{year}-all.pdf")["Body"].read()
    assert len(PdfReader(io.BytesIO(combined)).pages) == CERTIFICATES
    # The surviving worker did it: the killed worker's task is still marked running.
    tasks = cluster.sql("SELECT status, worker_ids::text FROM django_tasks_database_dbtaskresult "
                        "WHERE task_path LIKE %s AND enqueued_at >= %s", "%issue_certificates", started)
    assert sorted(tasks) == [("RUNNING", '["worker-1"]'), ("SUCCESSFUL", '["worker-2"]')]

    # The applicant downloads from A; anyone verifies on A and on B.
    applicant = client("198.51.100.42")
    token(applicant, cluster.a, cycle["applicant"])
    pdf = applicant.get(f"{cluster.a}/api/v1/applications/{cycle['applications'][0]}/certificate.pdf",
                        headers={"Accept": "application/pdf"}, timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f"QGA-{year}-001" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    visitor = client("198.51.100.43")
    code = certs[0][3]
    for base in (cluster.a, cluster.b):
        page = visitor.get(f"{base}/verify/{code}/", timeout=30)
        api = visitor.get(f"{base}/api/v1/public/certificates/{code}/", timeout=30)
        assert page.status_code == 200 and f"QGA-{year}-001" in page.text
        assert api.status_code == 200 and api.json()["number"] == f"QGA-{year}-001"


def test_with_server_a_stopped_b_still_serves(cluster):
    os.kill(cluster.pid("app-a"), signal.SIGTERM)
    _wait(lambda: not _reachable("127.0.0.1", PORT_A), 60, "server A to stop")
    visitor = client("198.51.100.51")
    assert visitor.get(f"{cluster.b}/readyz", timeout=30).json()["status"] == "ok"
    assert visitor.get(f"{cluster.b}/winners/", timeout=30).status_code == 200
    token(visitor, cluster.b, "secretariat")
    assert visitor.get(f"{cluster.b}/api/v1/applications/", timeout=30).status_code == 200
