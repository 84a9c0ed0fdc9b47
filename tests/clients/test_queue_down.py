"""The queue goes away mid-test: a redis-server the test started on a spare loopback port
is killed. "Run checks", "Scan" and "Issue" answer 503 with the sentence and leave no
queued row; the deploy gate answers JSON 503; /healthz names the queue. When Redis is
back, the same actions work again."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from checks.models import CheckRun
from checks.secrets import services as secret_services
from checks.secrets.models import ScanRun
from clients.jobs.models import JobStatus
from clients.jobs.services import WORKER_UNREACHABLE
from handover.models import IssueJob
from tests.faults import RedisServer
from tests.handover.conftest import signer_files  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_everywhere(redis, settings):
    """Huey's queue and the Django cache (the gate's rate limiter) on the test's Redis."""
    saved = HUEY.immediate, HUEY.storage
    HUEY.immediate = False
    HUEY.storage = RedisStorage(name=f"lr-down-{uuid.uuid4().hex[:8]}", url=redis.url)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}
    }
    try:
        yield redis
    finally:
        HUEY.immediate, HUEY.storage = saved


@pytest.fixture
def ready(
    tmp_path,
    settings,
    client_a,
    sprint_a,
    consultant,
    signer_files,  # noqa: F811
):
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = signer_files
    settings.MEDIA_ROOT = tmp_path / "media"
    root = tmp_path / "repos"
    (root / "app").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root / "app")], check=True)
    settings.SECRETS_SCAN_LOCAL_ROOTS = [str(root)]
    token = secret_services.deploy_token_create(client=client_a, by=consultant, label="CI")
    # The gate answers only for an environment on the variable map.
    client_a.env_vars.create(name="DEBUG", environments=["production"])
    return {"repo": str(root / "app"), "token": token.plaintext}


def _actions(staff_client, client_a, sprint_a, ready):
    return {
        "checks": staff_client.post(
            reverse("checks:checks_run", args=[sprint_a.code]), HTTP_HX_REQUEST="true"
        ),
        "scan": staff_client.post(
            reverse("secrets:secrets_scan_start", args=[client_a.code]), {"source": ready["repo"]}
        ),
        "issue": staff_client.post(
            reverse("handover:handover_issue", args=[sprint_a.code]),
            {"override_reason": "queue test"},
        ),
    }


def _gate(client, client_a, token):
    return client.post(
        reverse("secrets:secrets_deploy_gate", args=[client_a.code]),
        data=json.dumps({"environment": "production", "version": "v1", "variables": ["DEBUG"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _queued_rows() -> int:
    return sum(
        m.objects.filter(status=JobStatus.QUEUED).count() for m in (CheckRun, ScanRun, IssueJob)
    )


def test_queue_down_means_503_with_the_sentence_no_queued_row_and_back_to_work_after(
    redis_everywhere, ready, client, staff_client, client_a, sprint_a
):
    redis_everywhere.stop()

    for name, response in _actions(staff_client, client_a, sprint_a, ready).items():
        assert response.status_code == 503, name
        assert WORKER_UNREACHABLE in response.content.decode(), name
    assert _queued_rows() == 0
    for model in (CheckRun, ScanRun, IssueJob):
        failed = model.objects.get()
        assert failed.status == JobStatus.FAILED and failed.error == WORKER_UNREACHABLE

    gate = _gate(client, client_a, ready["token"])
    assert gate.status_code == 503 and gate["Content-Type"] == "application/json"
    assert gate.json()["ok"] is False and "rate limiter" in gate.json()["error"]

    health = client.get(reverse("healthz"))
    assert health.status_code == 503 and health.json()["checks"]["queue"]["ok"] is False

    redis_everywhere.start()

    answers = _actions(staff_client, client_a, sprint_a, ready)
    assert [answers[k].status_code for k in ("checks", "scan", "issue")] == [200, 302, 302]
    assert _queued_rows() == 3
    assert HUEY.pending_count() == 3
    assert _gate(client, client_a, ready["token"]).status_code == 200
    assert client.get(reverse("healthz")).json()["checks"]["queue"]["ok"] is True


def test_try_again_while_the_queue_is_down_is_503_and_the_job_stays_failed(
    redis_everywhere, ready, staff_client, sprint_a, consultant
):
    run = CheckRun.objects.create(
        sprint=sprint_a,
        status=JobStatus.FAILED,
        error="The worker stopped while running the checks; try again.",
    )
    redis_everywhere.stop()
    response = staff_client.post(
        reverse("clients:job_try_again", args=["checks", run.code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 503 and WORKER_UNREACHABLE in response.content.decode()
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.error == WORKER_UNREACHABLE
    redis_everywhere.start()
    response = staff_client.post(
        reverse("clients:job_try_again", args=["checks", run.code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == JobStatus.QUEUED and HUEY.pending_count() == 1
