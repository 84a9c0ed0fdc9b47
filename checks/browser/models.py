"""What the browser app owns: Lighthouse runs (a job per press of "Run Lighthouse") and
their audits (one row per route: four scores, three metrics, the top opportunities), and
the journeys of journey monitors (the steps staff write, and each run's outcome with its
failing step, screenshot, console errors and failed requests). Files (reports,
screenshots) live under MEDIA_ROOT/browser/ and are purged with their rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from checks.monitoring.models import Monitor
from clients.codes import new_code
from clients.jobs.models import Job
from clients.models import Client, Sprint
from launchready.guard.fields import GuardedCharField, RedactedCharField, RedactedJSONField


class LighthouseRun(Job):
    """One press of "Run Lighthouse": the canonical page and each declared key route."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="lighthouse_runs")
    desktop = models.BooleanField(default=False)

    job_kind = "lighthouse"
    job_doing = "running Lighthouse"
    job_title = "Lighthouse"
    job_unit = "pages"
    job_task = "checks.browser.tasks.run_lighthouse"
    job_scope = "sprint__client"
    stale_setting = "LIGHTHOUSE_STALE_SECONDS"

    class Meta(Job.Meta):
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="lhrun_status_beat")]

    def __str__(self) -> str:
        return f"lighthouse {self.code} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("lighthouse_client", args=[self.sprint.client.code])


class LighthouseAudit(models.Model):
    """One route's audit in a run, with the verdict of perf.lighthouse on it."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    run = models.ForeignKey(LighthouseRun, on_delete=models.CASCADE, related_name="audits")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="lighthouse_audits")
    url = RedactedCharField(max_length=500)
    route = RedactedCharField(max_length=300)  # the path, for history per route
    form_factor = models.CharField(
        max_length=7, choices=[("mobile", "mobile"), ("desktop", "desktop")], default="mobile"
    )
    audited_at = models.DateTimeField()
    status = models.CharField(  # the verdict of perf.lighthouse
        max_length=5, choices=[("pass", "pass"), ("fail", "fail"), ("error", "error")]
    )
    target = models.PositiveSmallIntegerField()
    performance = models.PositiveSmallIntegerField(null=True, blank=True)
    accessibility = models.PositiveSmallIntegerField(null=True, blank=True)
    best_practices = models.PositiveSmallIntegerField(null=True, blank=True)
    seo = models.PositiveSmallIntegerField(null=True, blank=True)
    lcp_ms = models.PositiveIntegerField(null=True, blank=True)
    cls = models.FloatField(null=True, blank=True)
    tbt_ms = models.PositiveIntegerField(null=True, blank=True)
    opportunities = RedactedJSONField(default=list, blank=True)  # [{id, plain, savings_ms}]
    refused = RedactedJSONField(default=list, blank=True)
    error = RedactedCharField(max_length=300, blank=True)
    report = RedactedCharField(max_length=200, blank=True)  # path under MEDIA_ROOT (gzip JSON)

    class Meta:
        ordering = ["-audited_at", "route"]
        indexes = [models.Index(fields=["client", "route", "audited_at"], name="lhaudit_route")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pass", "fail", "error"]), name="lhaudit_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url}: {self.performance if self.performance is not None else 'error'}"

    @property
    def lcp_s(self) -> float | None:
        return None if self.lcp_ms is None else self.lcp_ms / 1000


class StepAction(models.TextChoices):
    VISIT = "visit", "Visit URL"
    CLICK = "click", "Click (visible text or selector)"
    FILL = "fill", "Fill a field (label, name or selector)"
    SUBMIT = "submit", "Submit the form (optional button)"
    EXPECT_TEXT = "expect_text", "Expect text"
    EXPECT_ELEMENT = "expect_element", "Expect an element (selector)"
    EXPECT_URL = "expect_url", "Expect the address to contain"


class JourneyStep(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="journey_steps")
    position = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=14, choices=StepAction.choices)
    target = GuardedCharField(max_length=500, blank=True)
    value = GuardedCharField(
        max_length=300, blank=True, help_text="For fill: the text to type; {marker} is replaced."
    )

    class Meta:
        ordering = ["monitor", "position"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "position"], name="journeystep_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_action_display()} {self.target}".strip()


class JourneyRun(models.Model):
    """One run of a journey monitor, as seen by the browser."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="journey_runs")
    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    duration_ms = models.PositiveIntegerField(default=0)
    failed_step = models.PositiveSmallIntegerField(null=True, blank=True)
    failed_step_text = RedactedCharField(max_length=300, blank=True)
    error = RedactedCharField(max_length=300, blank=True)
    steps = RedactedJSONField(default=list, blank=True)
    console_errors = RedactedJSONField(default=list, blank=True)
    failed_requests = RedactedJSONField(default=list, blank=True)
    refused = RedactedJSONField(default=list, blank=True)
    screenshot = RedactedCharField(max_length=200, blank=True)  # path under MEDIA_ROOT

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["monitor", "checked_at"], name="journeyrun_monitor_time")]

    def __str__(self) -> str:
        verdict = "passed" if self.ok else "failed"
        return f"{self.monitor_id} {verdict} at {self.checked_at:%Y-%m-%d %H:%M}"
