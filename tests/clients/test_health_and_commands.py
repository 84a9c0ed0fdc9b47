from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from clients.models import Client, Sprint

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with exactly this environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthz_reports_database_and_queue(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True


def test_healthz_answers_503_when_the_queue_is_unreachable(client, db, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def broken(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "put", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "error": "ConnectionError"}


def test_seed_demo_is_idempotent_and_prints_only_json(db):
    out = io.StringIO()
    call_command("seed_demo", "--json", "--password", "pw-for-tests-123", stdout=out)
    first = json.loads(out.getvalue())
    out = io.StringIO()
    call_command("seed_demo", "--json", "--password", "pw-for-tests-123", stdout=out)
    second = json.loads(out.getvalue())
    assert first == second
    assert first["staff"][0]["username"] == "consultant"
    assert len(first["founders"]) >= 3
    assert Client.objects.count() == len(first["founders"])
    assert len({Client.objects.get(name=f["client"]).business_type for f in first["founders"]}) >= 3
    sprints = [Sprint.objects.get(code=f["sprint"]) for f in first["founders"]]
    assert any(s.is_overdue() for s in sprints)
    assert any(s.findings.filter(impact="1_blocker", status="open").exists() for s in sprints)
    assert any(s.current_stage == 7 for s in sprints)


def test_seed_demo_founder_can_sign_in_and_open_their_sprint(client, db):
    out = io.StringIO()
    call_command("seed_demo", "--json", "--password", "pw-for-tests-123", stdout=out)
    founder = json.loads(out.getvalue())["founders"][0]
    response = client.post(
        reverse("login"), {"username": founder["username"], "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("clients:portal_sprint", args=[founder["sprint"]])).status_code == 200


@pytest.mark.parametrize("debug", ["0"])
def test_check_deploy_is_clean_with_production_settings(debug, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **env,
        "DEBUG": debug,
        "SECRET_KEY": "x" * 20 + "a-long-random-production-like-key-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "launchready.example",
        "SITE_URL": "https://launchready.example",
        "SECURE_SSL_REDIRECT": "1",
        "SESSION_COOKIE_SECURE": "1",
        "CSRF_COOKIE_SECURE": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "LAUNCHREADY_VAR_DIR": str(tmp_path),
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("site_url", [None, "http://localhost:8000"])
def test_check_deploy_fails_without_a_public_site_url(site_url, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL"}
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "y" * 60,
            "ALLOWED_HOSTS": "launchready.example",
            "LAUNCHREADY_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "launchready.settings",
        }
    )
    if site_url:
        env["SITE_URL"] = site_url
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr + result.stdout


def test_missing_secret_key_in_production_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    # The production settings, not tests/settings.py (which fills the test environment in).
    env.update(
        {
            "DEBUG": "0",
            "LAUNCHREADY_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "launchready.settings",
        }
    )
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_boolean_setting_names_the_variable(tmp_path):
    env = {**os.environ, "DEBUG": "maybe", "LAUNCHREADY_VAR_DIR": str(tmp_path)}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
