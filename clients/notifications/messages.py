"""Messages between founder and consultant on a sprint: a founder's message reaches the
consultant (email within a minute, unread badge on the dashboard); a consultant's reply
is on the portal and reaches the founders."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator

from clients.models import Activity, Sprint
from clients.notifications.models import EventKind
from clients.notifications.services import inbox_message_received, notify
from clients.services import ServiceError, comment_add


@transaction.atomic
def founder_message_post(*, sprint: Sprint, by: AbstractBaseUser, text: str) -> Activity:
    """A founder's message: on the log, counted unread, and sent to the consultant."""
    entry = comment_add(sprint=sprint, by=by, text=text)
    inbox_message_received(sprint=sprint, at=entry.created_at)
    notify(
        event=EventKind.FOUNDER_MESSAGE,
        sprint=sprint,
        key=f"activity:{entry.pk}",
        title=f"{sprint.client.name}: {Truncator(entry.message).chars(80)}",
        # The stored entry: what the secret-value guard let through, never the raw input.
        text=entry.message,
        path=reverse("clients:sprint_detail", args=[sprint.code]) + "#reply",
        actor=by,
        now=entry.created_at,
    )
    return entry


@transaction.atomic
def consultant_reply_post(*, sprint: Sprint, by: AbstractBaseUser, text: str) -> Activity:
    """A consultant's reply: on the portal's log and sent to the client's founders."""
    if not by.is_staff:
        raise ServiceError("Only the consultant replies here.")
    entry = comment_add(sprint=sprint, by=by, text=text)
    notify(
        event=EventKind.CONSULTANT_REPLY,
        sprint=sprint,
        key=f"activity:{entry.pk}",
        title=f"Your consultant replied about {sprint.client.name}",
        text=entry.message,
        path=reverse("clients:portal_sprint", args=[sprint.code]),
        actor=by,
        now=entry.created_at,
    )
    return entry
