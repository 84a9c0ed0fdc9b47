"""What the notifications package owns: one row per (event, recipient, channel), each
user's preferences (and optional chat webhook), the unread founder messages of each
sprint, and each founder's last visit to a sprint's portal page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import Sprint
from clients.notifications.channels import validate_chat_target
from launchready.guard.crypto import EncryptedTextField
from launchready.guard.fields import GuardedCharField, RedactedCharField, RedactedTextField


class EventKind(models.TextChoices):
    FOUNDER_MESSAGE = "founder_message", "A founder wrote a message"
    CONSULTANT_REPLY = "consultant_reply", "The consultant replied"
    BLOCKER_NEW = "blocker_new", "A new launch blocker"
    HANDOVER_ISSUED = "handover_issued", "The handover was issued"
    DECISION_RECORDED = "decision_recorded", "The go / no-go decision"
    STAGE_COMPLETED = "stage_completed", "A stage was completed"
    DEADLINE_NEAR = "deadline_near", "8 hours left with open work"
    OVERDUE = "overdue", "The sprint is overdue"
    DEPLOY_REFUSED = "deploy_refused", "A deploy refused by the gate"


# "Important only" keeps these. A refused deploy stops a launch, so it counts as a blocker.
IMPORTANT = frozenset(
    {
        EventKind.BLOCKER_NEW,
        EventKind.HANDOVER_ISSUED,
        EventKind.DECISION_RECORDED,
        EventKind.DEADLINE_NEAR,
        EventKind.OVERDUE,
        EventKind.DEPLOY_REFUSED,
    }
)

# Sent as one digest per recipient, at most one an hour.
BATCHED = frozenset({EventKind.STAGE_COMPLETED})


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat webhook"


class Level(models.TextChoices):
    ALL = "all", "Everything"
    IMPORTANT = "important", "Important only (blockers, handover, decision, deadline)"
    NONE = "none", "Nothing"


class Notification(models.Model):
    """One event for one person on one channel. The unique constraint on (kind, key,
    recipient, channel) is what makes "nothing is sent twice" hold under retries, a
    task run twice, or two workers."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # What makes the event itself unique, e.g. "activity:42" or "sprint:7:1767225600".
    key = RedactedCharField(max_length=80)
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    # What the message says: already through the guard where people typed it.
    title = RedactedCharField(max_length=200)
    text = RedactedTextField(blank=True)
    path = GuardedCharField(max_length=300, blank=True, help_text="Link, relative to SITE_URL.")
    created_at = models.DateTimeField(default=timezone.now)
    # When it may go out (a batched event waits for its digest); None once claimed,
    # sent, or given up on.
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = RedactedCharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "recipient", "channel"], name="notification_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                condition=Q(sent_at__isnull=True, next_try_at__isnull=False),
                name="notification_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.channel})"


class Preference(models.Model):
    """How much a person wants to hear, per channel. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=10, choices=Level.choices, default=Level.ALL)
    chat = models.CharField(max_length=10, choices=Level.choices, default=Level.ALL)
    # A chat webhook URL is itself a credential: stored encrypted, as Monitor.webhook_url.
    chat_webhook_url = EncryptedTextField(
        "chat webhook URL",
        blank=True,
        help_text="Optional: a Slack-compatible incoming webhook. Stored encrypted.",
        validators=[validate_chat_target],
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: email {self.email}, chat {self.chat}"

    def level(self, channel: str) -> str:
        return self.email if channel == Channel.EMAIL else self.chat


class Inbox(models.Model):
    """Founder messages on a sprint that no consultant has read yet. A counter kept
    beside the sprint, so the dashboard reads it in the same query as its rows."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="inbox")
    unread = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "inboxes"

    def __str__(self) -> str:
        return f"{self.sprint}: {self.unread} unread"


class PortalVisit(models.Model):
    """When a founder last looked at a sprint's portal page: what came after is "new"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sprint"], name="portalvisit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} saw {self.sprint} at {self.seen_at:%Y-%m-%d %H:%M}"
