"""What the checks app owns: runs of the automated checks and their result rows (one per
check and target), plus what staff declare per client so checks compare intent with
reality: redirect maps, and per-domain DKIM selectors, health URL and key routes."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.codes import new_code
from clients.models import Client, Domain, Sprint
from launchready.guard.fields import (
    GuardedCharField,
    GuardedJSONField,
    GuardedURLField,
    RedactedCharField,
    RedactedJSONField,
    RedactedTextField,
)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CheckRun(models.Model):
    """One press of "Run checks": every domain of the client, probed by a Huey worker."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="check_runs")
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker bumps this as it goes; a run whose heartbeat is stale has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    current_step = RedactedCharField(max_length=200, blank=True)
    error = RedactedTextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"checks {self.code} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}

    @property
    def progress_pct(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class CheckResult(models.Model):
    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    check_id = models.CharField(max_length=60)
    target = RedactedCharField(max_length=300)
    status = GuardedCharField(max_length=5)  # pass | warn | fail | error
    summary = RedactedTextField()
    evidence = RedactedJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["check_id", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "check_id", "target"], name="checkresult_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pass", "warn", "fail", "error"]), name="checkresult_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.target}: {self.status}"


class RedirectRule(models.Model):
    """An old or campaign URL and where it must permanently redirect."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="redirect_rules")
    source_url = GuardedURLField(max_length=500)
    target_url = GuardedURLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source_url"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source_url"], name="redirectrule_unique_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_url} → {self.target_url}"


class DomainCheckSettings(models.Model):
    """Per-domain facts the checks cannot guess: DKIM selectors, health URL, key routes."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="check_settings")
    dkim_selectors = GuardedJSONField(default=list, blank=True)
    health_path = GuardedCharField(max_length=200, blank=True, help_text="e.g. /healthz")
    key_routes = GuardedJSONField(
        default=list, blank=True, help_text="Paths timed besides the home page."
    )

    def __str__(self) -> str:
        return f"check settings for {self.domain}"
