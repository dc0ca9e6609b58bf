"""Shared limits (issue 8 §5) and health endpoints (issue 10 §4): one cache for every
process — the database cache by default, Redis with REDIS_URL — used by DRF throttles and
by the web verify pages, which are throttled like their API twin."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_throttles(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(db):
    """A certificate row is enough to verify (the page shows the snapshot, not the PDF)."""
    from django.utils import timezone

    from nominations.models import Certificate
    from tests.factories import draft_application, open_cycle

    sec = f.UserFactory(username="sec-limits", groups=["secretariat"])
    org = f.OrganizationFactory(name="上海限流测试有限公司")
    user = f.UserFactory(username="limits-applicant")
    f.member(user, org)
    app = draft_application(cycle=open_cycle("QGA", secretariat=sec), applicant=user, organization=org)
    return Certificate.objects.create(application=app, number="QGA-2018-001", seq=1, holder=org.name,
                                      title="", award_name="质量金奖", cycle_label="2018", category_name="组织",
                                      issuer="上海市人民政府", issued_at=timezone.now())


def test_web_verify_page_is_throttled_like_its_api_twin(client, certificate, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    page = reverse("certificate_verify", args=[certificate.verification_code])

    statuses = [client.get(page).status_code for _ in range(3)]
    limited = client.get(page)
    lookup = client.get(reverse("certificate_verify_lookup"), {"code": certificate.verification_code})

    assert statuses == [200, 200, 200]
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "请求过于频繁" in limited.content.decode()
    assert lookup.status_code == 429  # /verify/ counts in the same budget
    # The API twin has the same rate and its own counter; signed-in users are not throttled.
    api = APIClient().get(f"/api/v1/public/certificates/{certificate.verification_code}/")
    assert api.status_code == 200
    client.force_login(f.UserFactory(username="signed-in"))
    assert client.get(page).status_code == 200


def test_web_verify_throttle_counts_in_the_database_cache_by_default(client, certificate, monkeypatch):
    """The default CACHES (no REDIS_URL): the database cache table that `migrate` creates
    (its post_migrate hook, called here as migrate calls it)."""
    from django.db import connection
    from django.test import override_settings

    from config import settings as project_settings
    from nominations.apps import create_cache_table

    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: the project's default cache is Redis here")
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    assert project_settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    page = reverse("certificate_verify", args=[certificate.verification_code])
    with override_settings(CACHES=project_settings.CACHES):
        create_cache_table(sender=None, using="default", verbosity=0)
        statuses = [client.get(page).status_code for _ in range(3)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_cache")
            rows = cursor.fetchone()[0]
    assert statuses == [200, 200, 429]
    assert rows >= 1


def test_throttle_ignores_a_forged_forwarded_for_header(client, certificate, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    page = reverse("certificate_verify", args=[certificate.verification_code])
    statuses = [client.get(page, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(client, certificate, monkeypatch):
    from django.test import override_settings

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    page = reverse("certificate_verify", args=[certificate.verification_code])
    with override_settings(TRUSTED_PROXY_COUNT=1):
        first = client.get(page, HTTP_X_FORWARDED_FOR="203.0.113.7")
        again = client.get(page, HTTP_X_FORWARDED_FOR="203.0.113.7")
        other = client.get(page, HTTP_X_FORWARDED_FOR="forged, 203.0.113.8")
    assert [first.status_code, again.status_code, other.status_code] == [200, 429, 200]


# -- two processes, one limit ------------------------------------------------------------
_COUNTER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from nominations.views.public import WebAnonRateThrottle

    WebAnonRateThrottle.THROTTLE_RATES = {"anon": "5/min"}
    allowed = 0
    for _ in range(int(sys.argv[1])):
        request = RequestFactory().get("/verify/", REMOTE_ADDR="203.0.113.50")
        request.user = AnonymousUser()
        allowed += WebAnonRateThrottle().allow_request(request, None)
    print(allowed)
""")


def _process_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "S3_BUCKET")}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}", **extra}


def _allowed_in_a_new_process(env: dict, requests: int) -> int:
    result = subprocess.run([sys.executable, "-c", _COUNTER, str(requests)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def _redis_reachable(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_two_processes_share_one_limit(tmp_path, backend):
    """Five requests a minute: three in one process, then three in another → 3 + 2."""
    if backend == "redis":
        if not _redis_reachable():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        env = _process_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/5",
                           CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    else:
        env = _process_env(tmp_path)
        created = subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert created.returncode == 0, created.stderr
    assert _allowed_in_a_new_process(env, 3) == 3
    assert _allowed_in_a_new_process(env, 3) == 2


# -- health endpoints ----------------------------------------------------------------------
def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}


def test_readyz_is_503_when_the_cache_is_unreachable(client):
    from django.test import override_settings

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:9/0"}}):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"].startswith("error")
