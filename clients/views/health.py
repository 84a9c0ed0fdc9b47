"""/healthz: always JSON, 200 when the database, the queue and the scheduler are fine, 503
naming each one that is not. It answers within about two seconds even when the database
host does not answer: the database server is asked for a protocol greeting with a short
deadline before Django opens a connection, and the probes that need the database are
skipped (and reported not ok) when it is unreachable."""

from __future__ import annotations

import socket
import struct
import time
import uuid
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

# Seconds the database server gets to answer before the probe gives up on it.
DATABASE_DEADLINE = 1.0
# Postgres' SSLRequest: any live server answers it with one byte, S or N.
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)

_extra_probes: list[tuple[str, Callable[[], dict], bool]] = []


def register_health_probe(
    name: str, probe: Callable[[], dict], *, needs_database: bool = True
) -> None:
    """Later apps add their own facts (e.g. the scheduler's heartbeat age)."""
    _extra_probes.append((name, probe, needs_database))


def _server_answers(host: str, port: int) -> str:
    """'' when the database server answers a greeting in time, else why not."""
    try:
        with socket.create_connection((host, port), timeout=DATABASE_DEADLINE) as sock:
            sock.settimeout(DATABASE_DEADLINE)
            sock.sendall(_SSL_REQUEST)
            if sock.recv(1) not in (b"S", b"N"):
                return "UnexpectedAnswer"
    except TimeoutError:
        return f"NoAnswerWithin{DATABASE_DEADLINE:g}s"
    except OSError as exc:
        return type(exc).__name__
    return ""


def _database() -> dict:
    started = time.perf_counter()
    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        host = db.get("HOST") or ""
        if host and not host.startswith("/"):
            error = _server_answers(host, int(db.get("PORT") or 5432))
            if error:
                return {"ok": False, "error": error}
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


def _guarded(probe: Callable[[], dict]) -> dict:
    try:
        return probe()
    except Exception as exc:  # a probe's own failure is a finding, never an HTML 500
        return {"ok": False, "error": type(exc).__name__}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _guarded(_database), "queue": _guarded(_queue)}
    database_ok = checks["database"]["ok"]
    for name, probe, needs_database in _extra_probes:
        if needs_database and not database_ok:
            checks[name] = {"ok": False, "error": "DatabaseUnreachable"}
        else:
            checks[name] = _guarded(probe)
    failing = [name for name, check in checks.items() if not check.get("ok", True)]
    return JsonResponse(
        {"ok": not failing, "failing": failing, "checks": checks}, status=503 if failing else 200
    )
