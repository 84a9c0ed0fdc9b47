"""/healthz from a real process whose DATABASE_URL points at a database that is not there
(a closed port) or does not answer (a socket that accepts and stays silent): JSON 503
naming the database and what depends on it, never an HTML 500, and no waiting on the
database driver's own timeouts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.faults import ROOT, spare_port

SCRIPT = """
import json, time, django
django.setup()
from django.test import Client
from django.urls import resolve
resolve("/healthz")  # load the URLconf, as a running server already has
started = time.monotonic()
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "type": response["Content-Type"],
                  "body": response.json(), "seconds": round(time.monotonic() - started, 2)}))
"""


def _healthz_with(database_url: str, tmp_path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="launchready.settings",
        LAUNCHREADY_VAR_DIR=str(tmp_path),
        HUEY_IMMEDIATE="0",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_database_named(answer: dict) -> None:
    assert answer["status"] == 503 and answer["type"] == "application/json"
    body = answer["body"]
    assert body["ok"] is False and body["checks"]["database"]["ok"] is False
    assert set(body["failing"]) == {"database", "scheduler"}  # the scheduler lives in the database
    assert body["checks"]["queue"]["ok"] is True


def test_healthz_is_json_503_when_the_database_port_is_closed(tmp_path):
    answer = _healthz_with(f"postgres://app:pw@127.0.0.1:{spare_port()}/launchready", tmp_path)
    _assert_database_named(answer)
    assert answer["body"]["checks"]["database"]["error"] == "ConnectionRefusedError"


@pytest.fixture
def silent_database():
    """A listening socket the kernel accepts connections on, and nobody ever answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def test_healthz_is_json_503_when_the_database_does_not_answer(tmp_path, silent_database):
    answer = _healthz_with(f"postgres://app:pw@127.0.0.1:{silent_database}/launchready", tmp_path)
    _assert_database_named(answer)
    assert answer["body"]["checks"]["database"]["error"] == "NoAnswerWithin1s"
    print(f"healthz answered in {answer['seconds']} s")  # measured in bench/, not asserted
