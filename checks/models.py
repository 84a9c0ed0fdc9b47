"""What the checks app owns: runs of the automated checks and their result rows (one per
check and target), plus what staff declare per client so checks compare intent with
reality: redirect maps, and per-domain DKIM selectors, health URL and key routes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from clients.codes import new_code
from clients.jobs.models import Job
from clients.models import Client, Domain, Sprint
from launchready.guard.fields import (
    GuardedCharField,
    GuardedJSONField,
    GuardedURLField,
    RedactedCharField,
    RedactedJSONField,
    RedactedTextField,
)


class CheckRun(Job):
    """One press of "Run checks": every domain of the client, probed by a Huey worker."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="check_runs")

    job_kind = "checks"
    job_doing = "running the checks"
    job_title = "Automated checks"
    job_unit = "steps"
    job_task = "checks.tasks.run_checks"
    job_scope = "sprint__client"
    stale_setting = "CHECKS_STALE_SECONDS"

    class Meta(Job.Meta):
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"checks {self.code} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("clients:sprint_detail", args=[self.sprint.code])


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
