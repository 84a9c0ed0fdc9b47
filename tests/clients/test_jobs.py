"""The job abstraction, swept over every job kind the app registry knows (check runs,
secret scans, handover issues, and any kind added later): each has a task, a quiet limit,
a page, one polling URL; the reaper fails each with the sentence; enqueueing that raises
leaves a failed row, never a queued one; the polling view and the pages that show a
dead job never write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from huey.api import TaskWrapper

from checks.browser.models import LighthouseRun
from checks.models import CheckRun
from checks.secrets.models import ScanRun
from clients.jobs.models import Job, JobStatus
from clients.jobs.services import (
    NEVER_PICKED_UP,
    WORKER_UNREACHABLE,
    QueueUnavailable,
    job_enqueue,
    job_models,
    jobs_reap,
)
from handover.models import IssueJob


@pytest.fixture
def one_of_each(sprint_a, client_a, consultant):
    """A row of every job kind, for client A."""
    rows = []
    for model in job_models():
        if model is CheckRun:
            rows.append(CheckRun.objects.create(sprint=sprint_a, requested_by=consultant))
        elif model is ScanRun:
            rows.append(ScanRun.objects.create(client=client_a, source="https://example.com/r.git"))
        elif model is IssueJob:
            rows.append(IssueJob.objects.create(sprint=sprint_a, requested_by=consultant))
        elif model is LighthouseRun:
            rows.append(LighthouseRun.objects.create(sprint=sprint_a, requested_by=consultant))
        else:  # pragma: no cover - a new kind must be added here, and this fails until it is
            pytest.fail(f"{model.__name__}: add a row factory to one_of_each")
    return rows


def test_every_job_kind_declares_what_the_shared_code_needs():
    kinds = job_models()
    assert {CheckRun, ScanRun, IssueJob} <= set(kinds)
    assert len({m.job_kind for m in kinds}) == len(kinds)
    for model in kinds:
        assert issubclass(model, Job) and model.job_kind and model.job_scope, model
        assert isinstance(getattr(django_settings, model.stale_setting), int), model
        assert isinstance(model().task(), TaskWrapper), model
        assert model.job_doing and model.job_title and model.job_unit, model


def test_reaper_fails_every_kind_whose_heartbeat_went_quiet_with_the_sentence(one_of_each):
    now = timezone.now()
    for job in one_of_each:
        type(job).objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, heartbeat_at=now, progress_phase="step 2"
        )
    assert jobs_reap(now=now) == 0
    # Each kind has its own limit: just past one, only the kinds with that limit go.
    for job in sorted(one_of_each, key=lambda j: type(j).stale_after()):
        just_past = now + type(job).stale_after() + timedelta(seconds=1)
        shorter_or_equal = [
            j for j in one_of_each if type(j).stale_after() <= type(job).stale_after()
        ]
        jobs_reap(now=just_past)
        for other in one_of_each:
            other.refresh_from_db()
            expected = JobStatus.FAILED if other in shorter_or_equal else JobStatus.RUNNING
            assert other.status == expected, (job, other)
    for job in one_of_each:
        assert job.error == f"The worker stopped while {job.job_doing} (step 2); try again."


def test_reaper_fails_queued_jobs_no_worker_took(one_of_each):
    later = timezone.now() + max(type(j).stale_after() for j in one_of_each) + timedelta(seconds=1)
    assert jobs_reap(now=later) == len(one_of_each)
    for job in one_of_each:
        job.refresh_from_db()
        assert (job.status, job.error) == (JobStatus.FAILED, NEVER_PICKED_UP)


def test_a_finished_job_is_never_reaped(one_of_each):
    for job in one_of_each:
        type(job).objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, heartbeat_at=timezone.now()
        )
    assert jobs_reap(now=timezone.now() + timedelta(days=30)) == 0


def test_enqueue_that_raises_fails_the_row_for_every_kind(
    one_of_each, django_capture_on_commit_callbacks, monkeypatch
):
    from huey.contrib.djhuey import HUEY

    def unreachable(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "enqueue", unreachable)
    for job in one_of_each:
        with pytest.raises(QueueUnavailable):
            with django_capture_on_commit_callbacks(execute=True):
                job_enqueue(job=job)
        job.refresh_from_db()
        assert (job.status, job.error) == (JobStatus.FAILED, WORKER_UNREACHABLE)


def test_a_task_delivered_twice_runs_once(sprint_a, consultant):
    from checks.services import check_run_execute
    from clients.jobs.services import job_claim

    run = CheckRun.objects.create(sprint=sprint_a, requested_by=consultant)
    assert job_claim(CheckRun, pk=run.pk) is not None
    assert check_run_execute(run_id=run.pk) is None  # already running elsewhere


class _Writes:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.statements.append(sql)
        return execute(sql, params, many, context)


def test_polling_and_pages_showing_dead_jobs_never_write(one_of_each, staff_client):
    long_ago = timezone.now() - timedelta(days=2)
    for job in one_of_each:
        type(job).objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, heartbeat_at=long_ago, created_at=long_ago
        )
    pages = [reverse("clients:job_progress", args=[job.job_kind, job.code]) for job in one_of_each]
    pages += [job.get_absolute_url().split("#")[0] for job in one_of_each]
    staff_client.get(pages[0])  # sign-in bookkeeping (session, axes) happens once, before
    writes = _Writes()
    with connection.execute_wrapper(writes):
        for url in pages:
            assert staff_client.get(url).status_code == 200, url
    assert writes.statements == []
    for job in one_of_each:
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING  # only the reaper fails it


def test_founders_and_outsiders_get_404_from_the_job_views(one_of_each, client, founder, outsider):
    for user in (founder, outsider):
        client.force_login(user)
        for job in one_of_each:
            assert (
                client.get(
                    reverse("clients:job_progress", args=[job.job_kind, job.code])
                ).status_code
                == 404
            )
            assert (
                client.post(
                    reverse("clients:job_try_again", args=[job.job_kind, job.code])
                ).status_code
                == 404
            )


def test_failed_job_offers_try_again_and_try_again_requeues_it(
    one_of_each, staff_client, django_capture_on_commit_callbacks
):
    for job in one_of_each:
        type(job).objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error="The worker stopped while x; try again."
        )
        body = staff_client.get(
            reverse("clients:job_progress", args=[job.job_kind, job.code])
        ).content.decode()
        assert "Try again" in body and "The worker stopped while x; try again." in body
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = staff_client.post(
                reverse("clients:job_try_again", args=[job.job_kind, job.code]),
                HTTP_HX_REQUEST="true",
            )
        assert response.status_code == 200 and len(callbacks) == 1
        job.refresh_from_db()
        assert (job.status, job.error, job.progress_done) == (JobStatus.QUEUED, "", 0)
