"""The abstract job every long background task's row inherits: status, progress, heartbeat,
who asked, and the error as a sentence for people. Concrete kinds say only what is theirs
(what the worker was doing, how quiet a live worker may be, which task runs it)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from clients.codes import new_code
from launchready.guard.fields import RedactedCharField, RedactedTextField


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker bumps this as it goes; the reaper fails a running job whose heartbeat is
    # older than the kind's limit (its worker died).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Written by the worker from what it is doing; an error may quote a server's answer.
    progress_phase = RedactedCharField(max_length=200, blank=True)
    error = RedactedTextField(blank=True)

    # What each kind declares.
    job_kind: ClassVar[str] = ""  # URL slug: /jobs/<kind>/<code>/
    job_doing: ClassVar[str] = "working"  # "the worker stopped while <doing>"
    job_title: ClassVar[str] = "Job"  # heading in the progress partial
    job_unit: ClassVar[str] = "steps"  # "3 of 10 <unit>"
    job_task: ClassVar[str] = ""  # dotted path of the Huey task taking the row's key
    job_scope: ClassVar[str] = ""  # lookup from the row to its Client, for access scoping
    stale_setting: ClassVar[str] = "JOBS_STALE_SECONDS"  # seconds a live worker may be quiet

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def can_retry(self) -> bool:
        return self.status in {JobStatus.FAILED, JobStatus.CANCELLED}

    @property
    def progress_pct(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(100 * self.progress_done / self.progress_total))

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @classmethod
    def stale_after(cls) -> timedelta:
        return timedelta(seconds=int(getattr(settings, cls.stale_setting)))

    def task(self):
        return import_string(self.job_task)

    def stopped_sentence(self) -> str:
        doing = self.job_doing + (f" ({self.progress_phase})" if self.progress_phase else "")
        return f"The worker stopped while {doing}; try again."
