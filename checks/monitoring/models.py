"""What the monitoring app owns: uptime monitors of a client's URLs, their raw probe
results (kept 48 h), hourly rollups with a latency histogram (kept for years), incidents,
maintenance windows, the alerts that were sent, and the scheduler's heartbeat."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from checks.monitoring.validators import validate_public_target
from clients.codes import new_code
from clients.models import Client, Sprint
from launchready.guard.crypto import EncryptedTextField
from launchready.guard.fields import (
    GuardedCharField,
    GuardedTextField,
    GuardedURLField,
    RedactedCharField,
    RedactedTextField,
)

MIN_INTERVAL_SECONDS = 30


class MonitorStatus(models.TextChoices):
    NEW = "new", "Waiting for first check"
    UP = "up", "Up"
    DOWN = "down", "Down"
    PAUSED = "paused", "Paused"


class MonitorKind(models.TextChoices):
    URL = "url", "URL"
    JOURNEY = "journey", "Journey (steps in a browser)"


class Method(models.TextChoices):
    GET = "GET", "GET"
    HEAD = "HEAD", "HEAD"
    POST = "POST", "POST (empty body)"


class Monitor(models.Model):
    """One URL probed on a schedule, and its current state (single-row facts only)."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="monitors")
    sprint = models.ForeignKey(
        Sprint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitors",
        help_text="The sprint during which it was added, if any.",
    )
    name = GuardedCharField(max_length=80, help_text="e.g. Homepage, Booking page, API health")
    # A journey monitor runs its steps (checks/browser) instead of one request to `url`.
    kind = models.CharField(max_length=7, choices=MonitorKind.choices, default=MonitorKind.URL)
    url = GuardedURLField("URL", max_length=500, validators=[validate_public_target])
    method = models.CharField(max_length=4, choices=Method.choices, default=Method.GET)
    expected_status = models.PositiveSmallIntegerField(
        default=200, validators=[MinValueValidator(100), MaxValueValidator(599)]
    )
    expected_text = GuardedCharField(
        max_length=200, blank=True, help_text="Optional: the page must contain this text."
    )
    interval_seconds = models.PositiveIntegerField(
        "interval (seconds)",
        default=60,
        validators=[MinValueValidator(MIN_INTERVAL_SECONDS), MaxValueValidator(86400)],
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        "timeout (seconds)", default=10, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    failures_before_alert = models.PositiveSmallIntegerField(
        "failures in a row before alerting",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    alert_emails = GuardedTextField(
        "alert emails", blank=True, help_text="One or more addresses, separated by commas or lines."
    )
    # A chat webhook URL is itself a credential: stored encrypted, shown redacted.
    webhook_url = EncryptedTextField(
        "webhook URL",
        blank=True,
        validators=[validate_public_target],
        help_text="Optional: Slack-compatible incoming webhook. Stored encrypted; shown redacted.",
    )
    reminder_hours = models.PositiveSmallIntegerField(
        "remind every (hours)",
        default=6,
        validators=[MaxValueValidator(168)],
        help_text="While it stays down. 0 turns reminders off.",
    )
    enabled = models.BooleanField(default=True)

    # Scheduling: claimed atomically by setting next_due_at forward and stamping a token.
    next_due_at = models.DateTimeField()
    claim_token = models.CharField(max_length=32, blank=True, editable=False)

    # Current state.
    status = models.CharField(
        max_length=6, choices=MonitorStatus.choices, default=MonitorStatus.NEW
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = RedactedCharField(max_length=300, blank=True)
    cert_not_before = models.DateTimeField(null=True, blank=True)
    cert_not_after = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client__name", "name"]
        indexes = [
            models.Index(fields=["enabled", "next_due_at"], name="monitor_due"),
            models.Index(fields=["claim_token"], name="monitor_claim"),
            models.Index(fields=["status"], name="monitor_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_seconds__gte=MIN_INTERVAL_SECONDS), name="monitor_interval_min"
            ),
            models.CheckConstraint(
                condition=Q(failures_before_alert__gte=1), name="monitor_failures_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client})"

    def alert_email_list(self) -> list[str]:
        raw = self.alert_emails.replace(";", ",").replace("\n", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]

    @property
    def display_status(self) -> str:
        return MonitorStatus.PAUSED if not self.enabled else self.status

    def cert_days_left(self, now: datetime) -> float | None:
        if self.cert_not_after is None:
            return None
        return (self.cert_not_after - now).total_seconds() / 86400


class ProbeResult(models.Model):
    """One probe, as seen. Kept 48 hours, then only its hourly rollup remains."""

    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = RedactedCharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [
            models.Index(fields=["monitor", "checked_at"], name="result_monitor_time"),
            models.Index(fields=["checked_at"], name="result_time"),
        ]

    def __str__(self) -> str:
        outcome = "ok" if self.ok else "failed"
        return f"{self.monitor_id} {outcome} at {self.checked_at:%Y-%m-%d %H:%M:%S}"


class Rollup(models.Model):
    """One monitor-hour: probe count, failures, and a sparse histogram of the latencies of
    successful probes over fixed buckets (see histogram.py). `hour` is hours since the Unix
    epoch (UTC), an integer to keep a year of rows per monitor well under 1 MB."""

    # (monitor, hour) is the key itself: no surrogate id column and no second index,
    # which is what keeps a year under 1 MB on PostgreSQL as well as SQLite.
    pk = models.CompositePrimaryKey("monitor", "hour")
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    hour = models.PositiveIntegerField()
    total = models.PositiveSmallIntegerField()
    failures = models.PositiveSmallIntegerField()
    histogram = models.CharField(max_length=400, blank=True)

    def __str__(self) -> str:
        return f"{self.monitor_id} hour {self.hour}: {self.failures}/{self.total} failed"


class Incident(models.Model):
    """A stretch of downtime: opens after N failures in a row, closes on the first success."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="incidents")
    started_at = models.DateTimeField(help_text="The first failed probe of the streak.")
    opened_at = models.DateTimeField(help_text="When the failure threshold was reached.")
    closed_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    first_error = RedactedCharField(max_length=300, blank=True)
    last_error = RedactedCharField(max_length=300, blank=True)
    alerted_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while a maintenance window held the alert back."
    )
    last_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"], condition=Q(closed_at__isnull=True), name="incident_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monitor.name} down since {self.started_at:%Y-%m-%d %H:%M}"

    def duration(self, now: datetime):
        return (self.closed_at or now) - self.started_at


class MaintenanceWindow(models.Model):
    """No alerts while a window is open; probes and data carry on."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = GuardedCharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["monitor", "ends_at"], name="window_monitor_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="window_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


class AlertKind(models.TextChoices):
    DOWN = "down", "Down"
    UP = "up", "Recovered"
    REMINDER = "reminder", "Still down"
    CERT = "cert", "Certificate expiring"


class Alert(models.Model):
    """Every alert decided, written before it is sent: the unique constraints make each
    certificate threshold fire once; `error` says what went wrong delivering it."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=8, choices=AlertKind.choices)
    cert_not_after = models.DateTimeField(null=True, blank=True)
    threshold_hours = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    subject = RedactedCharField(max_length=200)
    emailed_to = RedactedTextField(blank=True)
    webhook_status = RedactedCharField(max_length=120, blank=True)
    error = RedactedCharField(max_length=300, blank=True)
    # Delivery tries so far; when the next one is due if a channel failed (else empty).
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "cert_not_after", "threshold_hours"],
                condition=Q(kind="cert"),
                name="alert_cert_threshold_once",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class SchedulerHeartbeat(models.Model):
    """Written at the start of every scheduler run; /healthz and the staff banner read it."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()
    claimed = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
