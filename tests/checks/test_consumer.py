"""One run end to end through a real Huey consumer and the configured queue (SQLite, or
Redis when REDIS_URL is set; not immediate mode): "Run checks" enqueues,
a worker picks it up."""

from __future__ import annotations

import pytest

from checks import services
from clients import services as client_services
from clients.jobs.models import JobStatus as RunStatus
from tests.checks.servers import add_good_domain


@pytest.mark.django_db(transaction=True)
def test_run_checks_through_a_real_consumer(lab, client_a, consultant, real_queue):
    add_good_domain(lab, "acme.test")
    sprint = client_services.sprint_start(client=client_a, by=consultant)
    run = services.check_run_request(sprint=sprint, by=consultant)
    assert real_queue.wait(timeout=60), "the consumer never finished the task"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.results.filter(check_id="redirect.canonical", status="pass").exists()
