"""What the reports app owns: who asked for a client's weekly report (opt-in, per person)
and one row per report sent, whose unique key makes a rerun send nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clients.models import Client
from launchready.guard.fields import GuardedEmailField, RedactedCharField


class ReportSubscription(models.Model):
    """A founder of the client, or a staff member, who wants the Monday email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="report_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} gets {self.client}'s weekly report"


class ReportDelivery(models.Model):
    """Written before the email goes out (the claim), stamped `sent_at` after. A second
    run finds the row and sends nothing; a failed send is retried by the next run."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="report_deliveries")
    week = models.CharField(max_length=8, editable=False)  # ISO week, "2026-W47"
    email = GuardedEmailField()
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = RedactedCharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "week", "email"], name="report_once_per_week_and_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.week} to {self.email}"
