from __future__ import annotations

import time
import uuid

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY


_extra_probes: list = []


def register_health_probe(name: str, probe) -> None:
    """Later apps add their own facts (e.g. the scheduler heartbeat age)."""
    _extra_probes.append((name, probe))


def _database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _queue() -> dict:
    started = time.perf_counter()
    key = f"healthz-{uuid.uuid4().hex}"
    try:
        HUEY.put(key, b"1")
        ok = HUEY.get(key) == b"1"
        pending = HUEY.pending_count()
    except Exception as exc:  # Redis down, SQLite file unwritable, ...
        return {"ok": False, "error": type(exc).__name__}
    return {
        "ok": ok,
        "backend": type(HUEY.storage).__name__,
        "pending": pending,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "queue": _queue()}
    for name, probe in _extra_probes:
        checks[name] = probe()
    ok = all(check.get("ok", True) for check in checks.values())
    return JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
