"""Writes for notifications: ``notify`` turns an event into rows (one per recipient and
channel the person wants), the deadline sweep, preferences, read marks and portal visits.
Delivery itself is in ``delivery``; Huey wrappers in ``tasks``."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from clients.models import (
    Activity,
    ChecklistItem,
    Decision,
    Finding,
    FindingStatus,
    Impact,
    ItemState,
    Sprint,
)
from clients.notifications.channels import validate_chat_target
from clients.notifications.models import (
    BATCHED,
    IMPORTANT,
    Channel,
    EventKind,
    Inbox,
    Level,
    Notification,
    PortalVisit,
    Preference,
)
from clients.notifications.recipients import recipients_for
from launchready.prepared import PreparedRows

log = logging.getLogger(__name__)

DEADLINE_WARNING = timedelta(hours=8)


def digest_delay() -> timedelta:
    return timedelta(minutes=settings.NOTIFY_DIGEST_MINUTES)


def preference_for(user: AbstractBaseUser) -> Preference:
    """The stored preference, or an unsaved one holding the defaults."""
    try:
        return user.notification_preference  # type: ignore[attr-defined]
    except Preference.DoesNotExist:
        return Preference(user=user)


def wants(pref: Preference, kind: str, channel: str) -> bool:
    level = pref.level(channel)
    if level == Level.NONE:
        return False
    if channel == Channel.CHAT and (not pref.chat_webhook_url or not pref.user.is_staff):
        return False
    if channel == Channel.EMAIL and not pref.user.email:
        return False
    return level == Level.ALL or kind in IMPORTANT


def _key(raw: str) -> str:
    return raw if len(raw) <= 80 else raw[:40] + hashlib.sha256(raw.encode()).hexdigest()[:40]


def notify(
    *,
    event: str,
    sprint: Sprint,
    key: str,
    title: str,
    text: str = "",
    path: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Record one event for everyone its rule names (less the person who caused it), on
    each channel they want. Call inside the writer's transaction: the rows commit with the
    change, and delivery is queued once they have. An event recorded twice (same kind and
    key) adds nothing. Batched kinds wait for their recipient's hourly digest."""
    event = EventKind(event)
    now = now or timezone.now()
    key = _key(key)
    users = [
        u
        for u in recipients_for(event, sprint)
        if actor is None or not actor.is_authenticated or u.pk != actor.pk
    ]
    if not users:
        return []
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    rows = []
    for user in users:
        pref = prefs.get(user.pk) or Preference(user=user)
        pref.user = user
        for channel in Channel.values:
            if not wants(pref, event, channel):
                continue
            due = now
            if event in BATCHED:
                due = _digest_due(user, channel, event, now)
            rows.append(
                Notification(
                    kind=event,
                    key=key,
                    sprint=sprint,
                    recipient=user,
                    channel=channel,
                    title=" ".join(title.split())[:200],
                    text=text,
                    path=path[:300],
                    created_at=now,
                    next_try_at=due,
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows and event not in BATCHED:
        transaction.on_commit(lambda: _enqueue(event.value, key))
    return rows


def _enqueue(kind: str, key: str) -> None:
    """Queue the send. A queue that cannot be reached loses nothing: the rows are
    committed and the minute tick sends them; the change itself must not fail for it."""
    from clients.notifications.tasks import notification_event_deliver

    try:
        notification_event_deliver(kind, key)
    except Exception as exc:  # Redis errors come in many classes
        log.warning("notification not queued (the minute tick will send it): %s", exc)


def _digest_due(user: AbstractBaseUser, channel: str, kind: str, now: datetime) -> datetime:
    """Join the digest already waiting for this person, or open one that goes out after
    the digest delay: so at most one digest an hour, listing what happened meanwhile."""
    waiting = (
        Notification.objects.filter(
            recipient=user, channel=channel, kind=kind, sent_at__isnull=True
        )
        .exclude(next_try_at=None)
        .order_by("next_try_at")
        .values_list("next_try_at", flat=True)
        .first()
    )
    return waiting or now + digest_delay()


# ---------------------------------------------------------------- deadlines


def deadlines_sweep(*, now: datetime | None = None) -> list[Notification]:
    """Tell the consultant when a sprint with open work has 8 hours left, and when it
    goes overdue. Keys carry the deadline, so running this every minute sends each once,
    and a moved deadline earns a fresh warning."""
    now = now or timezone.now()
    open_items = ChecklistItem.objects.filter(stage__sprint=OuterRef("pk"), state=ItemState.OPEN)
    open_blockers = Finding.objects.filter(
        sprint=OuterRef("pk"), status=FindingStatus.OPEN, impact=Impact.BLOCKER
    ).exclude(decision=Decision.ACCEPTED)
    active = Sprint.objects.filter(finished_at__isnull=True).select_related("client", "created_by")
    near = active.filter(deadline__gt=now, deadline__lte=now + DEADLINE_WARNING).filter(
        Q(Exists(open_items)) | Q(Exists(open_blockers))
    )
    out: list[Notification] = []
    for sprint in near:
        key = f"sprint:{sprint.pk}:{int(sprint.deadline.timestamp())}"
        if Notification.objects.filter(kind=EventKind.DEADLINE_NEAR, key=key).exists():
            continue
        items = ChecklistItem.objects.filter(stage__sprint=sprint, state=ItemState.OPEN).count()
        blockers = (
            sprint.findings.filter(status=FindingStatus.OPEN, impact=Impact.BLOCKER)
            .exclude(decision=Decision.ACCEPTED)
            .count()
        )
        hours = max(0, int(sprint.hours_left(now)))
        with transaction.atomic():
            out += notify(
                event=EventKind.DEADLINE_NEAR,
                sprint=sprint,
                key=key,
                title=f"{sprint.client.name}: {hours} hours left, work still open",
                text=f"{items} checklist item{'s' if items != 1 else ''} and "
                f"{blockers} launch blocker{'s' if blockers != 1 else ''} still open. "
                f"Deadline: {sprint.deadline:%a %d %b %H:%M} UTC.",
                path=_sprint_path(sprint),
                now=now,
            )
    for sprint in active.filter(deadline__lte=now):
        key = f"sprint:{sprint.pk}:{int(sprint.deadline.timestamp())}"
        if Notification.objects.filter(kind=EventKind.OVERDUE, key=key).exists():
            continue
        with transaction.atomic():
            out += notify(
                event=EventKind.OVERDUE,
                sprint=sprint,
                key=key,
                title=f"{sprint.client.name}: the sprint is overdue",
                text=f"The deadline was {sprint.deadline:%a %d %b %H:%M} UTC and no go / no-go "
                "decision is recorded. Record it, or agree a new deadline with the founder.",
                path=_sprint_path(sprint),
                now=now,
            )
    return out


def _sprint_path(sprint: Sprint) -> str:
    from django.urls import reverse

    return reverse("clients:sprint_detail", args=[sprint.code])


# ---------------------------------------------------------------- preferences


def preference_update(
    *,
    user: AbstractBaseUser,
    email: str | None = None,
    chat: str | None = None,
    chat_webhook_url: str | None = None,
) -> Preference:
    pref, _ = Preference.objects.get_or_create(user=user)
    if email is not None:
        pref.email = Level(email)
    if chat is not None:
        pref.chat = Level(chat)
    if chat_webhook_url is not None:
        pref.chat_webhook_url = chat_webhook_url.strip()
        validate_chat_target(pref.chat_webhook_url)  # the form said so too; kept for shells
    pref.save()
    return pref


def unsubscribe(*, user: AbstractBaseUser, channel: str) -> Preference:
    """What the one-click link does: that channel goes quiet, and waiting digests with it."""
    channel = Channel(channel)
    with transaction.atomic():
        pref = preference_update(user=user, **{channel.value: Level.NONE})
        Notification.objects.filter(recipient=user, channel=channel, sent_at__isnull=True).exclude(
            next_try_at=None
        ).update(next_try_at=None, error="not sent: the person unsubscribed")
    return pref


# ---------------------------------------------------------------- inbox and visits


def inbox_message_received(*, sprint: Sprint, at: datetime) -> None:
    """Count one more unread founder message on the sprint (inside the writer's transaction)."""
    inbox, _ = Inbox.objects.get_or_create(sprint=sprint)
    Inbox.objects.filter(pk=inbox.pk).update(unread=F("unread") + 1, last_message_at=at)


def inbox_mark_read(*, sprint: Sprint, by: AbstractBaseUser) -> int:
    """A consultant opened the sprint's activity: its founder messages are read. Returns
    how many were unread."""
    with transaction.atomic():
        inbox = Inbox.objects.select_for_update().filter(sprint=sprint).first()
        if inbox is None or not inbox.unread:
            return 0
        count = inbox.unread
        inbox.unread, inbox.read_at, inbox.read_by = 0, timezone.now(), by
        inbox.save(update_fields=["unread", "read_at", "read_by"])
    return count


# Read on every staff sprint page: compiled once (launchready/prepared.py).
_UNREAD = PreparedRows(
    lambda sprint_id: (
        Inbox.objects.filter(sprint_id=sprint_id).order_by("pk").values_list("unread")[:1]
    )
)


def unread_count(sprint: Sprint) -> int:
    rows = _UNREAD(sprint.pk)
    return rows[0][0] if rows else 0


def portal_last_visit(*, user: AbstractBaseUser, sprint: Sprint) -> datetime | None:
    return (
        PortalVisit.objects.filter(user=user, sprint=sprint)
        .values_list("seen_at", flat=True)
        .first()
    )


def portal_visit_record(
    *, user: AbstractBaseUser, sprint: Sprint, at: datetime | None = None
) -> PortalVisit:
    """The founder has seen the page as it was at ``at``: later entries will be "new"."""
    at = at or timezone.now()
    visit, created = PortalVisit.objects.get_or_create(
        user=user, sprint=sprint, defaults={"seen_at": at}
    )
    if not created and visit.seen_at < at:
        visit.seen_at = at
        visit.save(update_fields=["seen_at"])
    return visit


def new_since(*, user: AbstractBaseUser, sprint: Sprint, since: datetime | None) -> list[Activity]:
    """Log entries the founder may see, written by someone else after their last visit."""
    if since is None:
        return []
    return list(
        sprint.activities.filter(visible_to_founder=True, created_at__gt=since)
        .exclude(actor=user)
        .select_related("actor")[:30]
    )
