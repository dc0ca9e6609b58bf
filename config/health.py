"""Health endpoints for load balancers and process supervisors.

`/healthz` (liveness): the process answers; touches nothing else, so a slow database does
not get healthy app servers restarted. `/readyz` (readiness): the database, the shared
cache and the private object store are reachable from this app server; 503 otherwise,
so the load balancer sends no traffic to a server that would fail it.
"""
from __future__ import annotations

import uuid

from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not keep a value")


def _storage() -> None:
    # A HEAD request on an object store: wrong credentials, a missing bucket or an
    # unreachable endpoint raise; whether the probe object exists does not matter.
    storages["private"].exists("readyz-probe")


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks, ready = {}, True
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the class name says which
            checks[name] = f"error: {type(exc).__name__}"
            ready = False
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)
