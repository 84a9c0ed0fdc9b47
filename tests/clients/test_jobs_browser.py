"""A person meets a dead job on the page: the reaper's sentence and a "Try again" button,
which puts the job back in the queue and shows it waiting, without a page reload."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checks.models import CheckRun
from clients.jobs.models import JobStatus
from clients.jobs.services import jobs_reap


@pytest.mark.browser
def test_staff_sees_the_dead_run_sentence_and_tries_again(
    live_server,
    page,
    login,
    screenshot,
    consultant,
    sprint_a,
):
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    saved = HUEY.immediate, HUEY.storage
    HUEY.immediate, HUEY.storage = False, MemoryStorage(HUEY.name)
    try:
        long_ago = timezone.now() - timezone.timedelta(hours=1)
        run = CheckRun.objects.create(
            sprint=sprint_a,
            requested_by=consultant,
            status=JobStatus.RUNNING,
            started_at=long_ago,
            heartbeat_at=long_ago,
            progress_done=7,
            progress_total=40,
            progress_phase="acme.test: tls",
        )
        jobs_reap()
        login(consultant)
        page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
        panel = page.locator("#checks-panel")
        expect(panel).to_contain_text(
            "The worker stopped while running the checks (acme.test: tls); try again."
        )
        screenshot("jobs-01-dead-run")
        panel.get_by_role("button", name="Try again").click()
        expect(panel).to_contain_text("Waiting for a worker")
        screenshot("jobs-02-try-again-queued")
        run.refresh_from_db()
        assert run.status == JobStatus.QUEUED and HUEY.pending_count() == 1
    finally:
        HUEY.immediate, HUEY.storage = saved
