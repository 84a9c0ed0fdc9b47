"""What the status page app owns: a client's public status page (off until staff switch
it on), which monitors it shows and under what public name, the updates staff write on
incidents, and the visitors who asked to be emailed about incidents (double opt-in).

Nothing here copies a monitor's internal name, URL or error text: the page reads only the
public fields below, plus numbers (state, uptime) and times."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from checks.monitoring.models import Incident, Monitor
from clients.codes import new_code
from clients.models import Client
from launchready.guard.fields import (
    GuardedCharField,
    GuardedEmailField,
    GuardedSlugField,
    GuardedTextField,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class StatusPage(models.Model):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="status_page")
    enabled = models.BooleanField(
        default=False, help_text="Off by default: the page answers 404 until staff switch it on."
    )
    slug = GuardedSlugField(
        max_length=60, unique=True, help_text="The page lives at /status/<slug>/."
    )
    title = GuardedCharField(
        max_length=120, help_text="Shown as the page heading, e.g. the product name."
    )
    intro = GuardedTextField(blank=True, help_text="Optional sentence under the heading.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"status page /{self.slug}/"


class PublicMonitor(models.Model):
    """A monitor the client shows on its status page, under a name chosen for the public."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="entries")
    monitor = models.OneToOneField(Monitor, on_delete=models.CASCADE, related_name="public_entry")
    public_name = GuardedCharField(max_length=80, help_text="e.g. Website, Booking, API")
    show_url = models.BooleanField(default=False, help_text="Print the monitored URL on the page.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "public_name"]

    def __str__(self) -> str:
        return self.public_name


class UpdateState(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring a fix"
    RESOLVED = "resolved", "Resolved"


class IncidentUpdate(models.Model):
    """What staff tell the public about an incident. Only `public` updates reach the page
    and the subscribers; the others are notes between staff."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="public_updates")
    state = models.CharField(max_length=14, choices=UpdateState.choices)
    body = GuardedTextField(
        help_text="Plain words for visitors: what is affected, what is being done."
    )
    public = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Subscriber(models.Model):
    """A visitor who wants incident emails. Confirmed only after clicking the link mailed to
    the address; the token in every email's leave link removes them in one click."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="subscribers")
    email = GuardedEmailField()
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "email"], name="subscriber_once_per_page")
        ]
        indexes = [
            models.Index(
                fields=["page"],
                condition=Q(confirmed_at__isnull=False),
                name="subscriber_confirmed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} on {self.page}"


class DailyUptime(models.Model):
    """One monitor-day (UTC): the sum of that day's hourly rollups, written by the hourly
    `status_days_summarise` task, so the 90-day bars read 90 small rows per monitor instead
    of summing a year of rollups on every view. Only complete days are kept; the page adds
    today from the rollups and raw results."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    total = models.PositiveIntegerField()
    failures = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "day"], name="daily_uptime_once"),
            models.CheckConstraint(
                condition=Q(failures__lte=models.F("total")), name="daily_uptime_failures_le_total"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="daily_uptime_day")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.day}: {self.failures}/{self.total} failed"


class NoticeEvent(models.TextChoices):
    OPENED = "opened", "Opened"
    RESOLVED = "resolved", "Resolved"


class NoticeSkip(models.TextChoices):
    NONE = "", "Sent"
    MAINTENANCE = "maintenance", "In a maintenance window"
    PAUSED = "paused", "Monitor paused"
    NOT_OPENED = "not_opened", "Its opening was not announced"


class IncidentNotice(models.Model):
    """The automatic email to subscribers when an incident on a public monitor opens or
    resolves: written (claimed) before sending, so each incident and event is decided once.
    `skipped` says why nobody was mailed (maintenance window, paused monitor)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=8, choices=NoticeEvent.choices)
    created_at = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.CharField(max_length=12, choices=NoticeSkip.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "event"], name="incident_notice_once")
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} {self.event}: {self.sent} sent"
