"""What the renewals app owns: each domain's registration expiry (read from RDAP when the
registry answers, else the date staff recorded), and the tokens behind the calendar feeds.

Certificates and service accounts are not copied here: the calendar reads them where they
live (the last check run and the monitors; the client's recorded renewal dates)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from clients.codes import new_code
from clients.models import Client, Domain
from launchready.guard.fields import GuardedCharField, RedactedCharField


class Registration(models.Model):
    """A registrable domain's expiry. `recorded_expires_on` is typed by staff; the RDAP
    fields are written by the refresh job and win when present."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="registration")
    recorded_expires_on = models.DateField(
        null=True, blank=True, help_text="As the registrar shows it, when RDAP cannot tell."
    )
    rdap_expires_at = models.DateTimeField(null=True, blank=True)
    rdap_checked_at = models.DateTimeField(null=True, blank=True)
    rdap_error = RedactedCharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"registration of {self.domain}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """An .ics address. Either one staff member's feed (every client) or one client's.
    The token is the only credential: revoking it makes the address answer 404."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    client = models.ForeignKey(
        Client,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        help_text="Empty: every client the owner can see.",
    )
    label = GuardedCharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner"], condition=Q(revoked_at__isnull=True), name="feed_live")
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.owner} ({self.client or 'all clients'})"
