"""Writes for background jobs, whatever their kind: enqueue after commit (failing the row
cleanly when the queue is down), claim, report progress, finish, fail, reap the ones
whose worker died, and try a failed one again. Views, tasks and the reaper call these;
the kinds' own services call them around their work."""

from __future__ import annotations

import logging
from datetime import datetime

from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clients.jobs.models import ACTIVE, Job, JobStatus

log = logging.getLogger(__name__)

WORKER_UNREACHABLE = "The background worker is unreachable; nothing was started."
NEVER_PICKED_UP = "No worker picked this up; try again."


class QueueUnavailable(Exception):
    """Enqueuing raised (Redis down, queue file unwritable). The row is already failed."""

    def __init__(self, message: str = WORKER_UNREACHABLE) -> None:
        super().__init__(message)


def job_models() -> list[type[Job]]:
    """Every concrete job kind, found from the app registry so a new kind is covered
    (reaped, polled, swept by the tests) the day it is added."""
    return [m for m in apps.get_models() if issubclass(m, Job)]


def job_model_for_kind(kind: str) -> type[Job] | None:
    return next((m for m in job_models() if m.job_kind == kind), None)


def job_enqueue(*, job: Job) -> None:
    """Send the job's key to its Huey task once the surrounding transaction commits. If
    enqueuing raises, the row is marked failed with a sentence and QueueUnavailable is
    raised (out of the commit, to the caller), so no "queued" row is ever left behind."""

    def send() -> None:
        try:
            job.task()(job.pk)
        except Exception as exc:
            log.warning("enqueue of %s %s failed: %s", job.job_kind, job.code, type(exc).__name__)
            type(job)._default_manager.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), error=WORKER_UNREACHABLE
            )
            job.status, job.error = JobStatus.FAILED, WORKER_UNREACHABLE
            raise QueueUnavailable() from exc

    transaction.on_commit(send)


def job_claim(model: type[Job], *, pk: int) -> Job | None:
    """What a task does first: move the row from queued to running. None when it is gone
    or not queued (already running elsewhere, finished, or failed by the reaper), so a task
    delivered twice runs once."""
    now = timezone.now()
    claimed = model._default_manager.filter(pk=pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress_done=0,
        progress_total=0,
        progress_phase="",
        error="",
    )
    return model._default_manager.filter(pk=pk).first() if claimed else None


def job_progress(
    *, job: Job, done: int | None = None, total: int | None = None, phase: str | None = None
) -> None:
    """Report progress, which is also the heartbeat. Only a running row is touched: a job
    the reaper already failed stays failed."""
    fields: dict[str, object] = {"heartbeat_at": timezone.now()}
    if done is not None:
        fields["progress_done"] = job.progress_done = done
    if total is not None:
        fields["progress_total"] = job.progress_total = total
    if phase is not None:
        fields["progress_phase"] = job.progress_phase = phase[:200]
    type(job)._default_manager.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)


def job_done(*, job: Job, **fields: object) -> None:
    """Mark finished; ``fields`` are the kind's own columns to save with it."""
    now = timezone.now()
    job.status, job.finished_at, job.heartbeat_at = JobStatus.DONE, now, now
    job.progress_done = max(job.progress_done, job.progress_total)
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(
        update_fields=[
            "status",
            "finished_at",
            "heartbeat_at",
            "progress_done",
            "progress_phase",
            *fields,
        ]
    )


def job_fail(*, job: Job, error: str) -> None:
    now = timezone.now()
    type(job)._default_manager.filter(pk=job.pk, status__in=ACTIVE).update(
        status=JobStatus.FAILED, finished_at=now, error=error
    )
    job.status, job.finished_at, job.error = JobStatus.FAILED, now, error


def jobs_reap(*, now: datetime | None = None) -> int:
    """Fail every running job whose heartbeat is older than its kind's limit, with a
    sentence saying what the worker was doing, and every queued job no worker picked up
    within that limit. Only the periodic reaper calls this: GET requests never write."""
    now = now or timezone.now()
    reaped = 0
    for model in job_models():
        limit = now - model.stale_after()
        dead = model._default_manager.filter(status=JobStatus.RUNNING, heartbeat_at__lt=limit)
        for job in dead.only("pk", "progress_phase"):
            reaped += model._default_manager.filter(
                pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=limit
            ).update(status=JobStatus.FAILED, finished_at=now, error=job.stopped_sentence())
        reaped += model._default_manager.filter(
            status=JobStatus.QUEUED, created_at__lt=limit
        ).update(status=JobStatus.FAILED, finished_at=now, error=NEVER_PICKED_UP)
    return reaped


def job_retry(*, job: Job, by: User | None) -> Job:
    """ "Try again": put a failed or cancelled job back in the queue, from the start. Every
    kind saves its results in one transaction at the end, so a job that died left nothing
    half-written to clean up; the re-run restarts cleanly (a handover takes the next
    version number when it is stored)."""
    with transaction.atomic():
        reset = (
            type(job)
            ._default_manager.filter(pk=job.pk, status__in=[JobStatus.FAILED, JobStatus.CANCELLED])
            .update(
                status=JobStatus.QUEUED,
                created_at=timezone.now(),
                started_at=None,
                finished_at=None,
                heartbeat_at=None,
                progress_done=0,
                progress_total=0,
                progress_phase="",
                error="",
                requested_by=by if by is not None and by.is_authenticated else job.requested_by,
            )
        )
        job.refresh_from_db()
        if reset:
            job_enqueue(job=job)
    return job
