"""Sending: claim a due row (or, for a digest, every waiting row of that person), render
the subject and the text and HTML parts from templates/emails/notify-*, send by email or
through the injected chat sender, and record the outcome. A failed send is tried again
1, 3 and 10 minutes later, then given up with its error kept: the monitor alerts' rules."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clients.notifications import channels
from clients.notifications.models import BATCHED, Channel, Notification
from clients.notifications.services import preference_for, wants

log = logging.getLogger(__name__)

# After a failed email or webhook: try again 1, 3 and 10 minutes later, then give up
# (the same as checks.monitoring.alerts.RETRY_DELAYS; a test holds them equal).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=3), timedelta(minutes=10))

UNSUBSCRIBE_SALT = "clients.notifications.unsubscribe"


def unsubscribe_token(user_pk: int, channel: str) -> str:
    return signing.dumps({"u": user_pk, "c": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user pk, channel) from a token this app signed, or None. No expiry: a link in an
    old email must still work."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(user_pk: int, channel: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications_unsubscribe", args=[unsubscribe_token(user_pk, channel)]
    )


def _claim(row: Notification) -> list[Notification]:
    """Take the row (and for a digest, every other row waiting for the same person) so a
    second worker or a second run finds nothing to send."""
    with transaction.atomic():
        if not Notification.objects.filter(
            pk=row.pk, sent_at__isnull=True, next_try_at=row.next_try_at
        ).update(next_try_at=None):
            return []
        rows = [row]
        if row.kind in BATCHED:
            others = Notification.objects.select_for_update().filter(
                recipient_id=row.recipient_id,
                channel=row.channel,
                kind=row.kind,
                sent_at__isnull=True,
                next_try_at__isnull=False,
            )
            rows += list(others.exclude(pk=row.pk).select_related("sprint__client"))
            others.update(next_try_at=None)
    return sorted(rows, key=lambda r: (r.created_at, r.pk))


def _path_for(row: Notification, recipient) -> str:
    """Founders only ever get links to their portal; staff get the row's own link."""
    if recipient.is_staff:
        return row.path or "/"
    if row.path.startswith("/portal/"):
        return row.path
    return reverse("clients:portal_sprint", args=[row.sprint.code])


def context_for(rows: list[Notification]) -> dict:
    first = rows[0]
    recipient = first.recipient
    link = settings.SITE_URL + _path_for(first, recipient)
    return {
        "notification": first,
        "items": rows,
        "recipient": recipient,
        "name": recipient.first_name or recipient.get_username(),
        "sprint": first.sprint,
        "client": first.sprint.client,
        "link": link,
        "links": [settings.SITE_URL + _path_for(r, recipient) for r in rows],
        "unsubscribe_url": unsubscribe_url(recipient.pk, first.channel),
        "settings_url": settings.SITE_URL + reverse("notification_settings"),
        "site_url": settings.SITE_URL,
    }


def render(rows: list[Notification]) -> tuple[str, str, str]:
    """(subject, text, html) for one message about ``rows`` (several only for a digest)."""
    kind = rows[0].kind
    context = context_for(rows)
    subject = render_to_string(f"emails/notify-{kind}-subject.txt", context)
    subject = " ".join(subject.split())[:200]
    text = render_to_string(f"emails/notify-{kind}-body.txt", context).strip() + "\n"
    html = render_to_string(f"emails/notify-{kind}-body.html", context)
    return subject, text, html


def _send_email(rows: list[Notification], subject: str, text: str, html: str) -> None:
    recipient = rows[0].recipient
    url = unsubscribe_url(recipient.pk, Channel.EMAIL)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        headers={
            # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to this URL.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _send_chat(rows: list[Notification], subject: str, text: str) -> str:
    sender = channels.chat_sender()
    if sender is None:
        return "no chat sender is installed"
    url = preference_for(rows[0].recipient).chat_webhook_url
    if not url:
        return "no chat webhook is set"
    return sender(url, f"{subject}\n{text}")


def notification_deliver(row: Notification, *, now: datetime | None = None) -> bool:
    """Send one due row (a digest: with its companions). True when it went out now."""
    now = now or timezone.now()
    rows = _claim(row)
    if not rows:
        return False
    recipient = rows[0].recipient
    error = ""
    if not wants(preference_for(recipient), rows[0].kind, rows[0].channel):
        # Turned off since the event: say so on the row instead of sending.
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            error="not sent: the person turned this off"
        )
        return False
    subject, text, html = render(rows)
    if rows[0].channel == Channel.EMAIL:
        try:
            _send_email(rows, subject, text, html)
        except Exception as exc:  # SMTP errors come in many classes; record, never crash the run
            log.warning("notification email failed: %s", exc.__class__.__name__)
            error = f"email: {exc.__class__.__name__}: {exc}"
    else:
        status = _send_chat(rows, subject, text)
        if not status.startswith("HTTP 2"):
            error = f"chat: {status}"
    attempts = rows[0].attempts + 1
    if not error:
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            sent_at=now, attempts=attempts, error=""
        )
        return True
    retry = now + RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
        attempts=attempts, error=error[:300], next_try_at=retry
    )
    return False


def notifications_deliver_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send what is due: new events a queued task has not reached, retries, digests."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(sent_at__isnull=True, next_try_at__lte=now)
        .select_related("recipient", "sprint__client")
        .order_by("next_try_at", "pk")[:limit]
    )
    sent = 0
    for row in due:
        if row.kind in BATCHED:
            row.refresh_from_db(fields=["next_try_at", "sent_at"])
            if row.next_try_at is None:
                continue  # already taken into an earlier row's digest
        sent += notification_deliver(row, now=now)
    return sent


def event_deliver(kind: str, key: str, *, now: datetime | None = None) -> int:
    """Send the rows of one event (queued right after it committed)."""
    now = now or timezone.now()
    rows = Notification.objects.filter(
        kind=kind, key=key, sent_at__isnull=True, next_try_at__lte=now
    ).select_related("recipient", "sprint__client")
    return sum(notification_deliver(row, now=now) for row in rows)
