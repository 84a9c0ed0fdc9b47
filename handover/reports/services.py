"""Weekly report emails: who gets them (opt-in per person), rendering (HTML and text
from templates, sparklines inline by Content-ID), the signed unsubscribe link, and the
hourly sender that mails each client's report on Monday 08:00 in the client's time
zone, once per client, week and recipient."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.mime.image import MIMEImage
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clients.access import clients_for_user
from clients.models import Client
from handover.reports.build import WeeklyReport, previous_week, report_build
from handover.reports.models import ReportDelivery, ReportSubscription
from launchready.sites import site_url

log = logging.getLogger(__name__)

SEND_WEEKDAY, SEND_HOUR = 0, 8  # Monday 08:00, client's time zone
UNSUBSCRIBE_SALT = "reports.unsubscribe"
STALE_CLAIM = timedelta(hours=1)


# ---------------------------------------------------------------- subscriptions


def subscription_set(*, user, client: Client, on: bool) -> bool:
    """Opt in or out. Only people who can see the client may opt in."""
    if on:
        if not clients_for_user(user).filter(pk=client.pk).exists():
            raise PermissionError("not a member of this client")
        ReportSubscription.objects.get_or_create(user=user, client=client)
        return True
    ReportSubscription.objects.filter(user=user, client=client).delete()
    return False


def recipients(client: Client) -> list:
    """Subscribers who still may see the client and have an address."""
    User = get_user_model()
    return list(
        User.objects.filter(report_subscriptions__client=client, is_active=True)
        .filter(Q(is_staff=True) | Q(memberships__client=client))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def unsubscribe_token(*, user, client: Client) -> str:
    return signing.dumps({"u": user.pk, "c": client.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"u", "c"} <= set(data):
        return None
    return int(data["u"]), int(data["c"])


def unsubscribe(token: str) -> ReportSubscription | None | bool:
    """False for a bad token; True once the subscription is gone (also when it was)."""
    ids = unsubscribe_read(token)
    if ids is None:
        return False
    ReportSubscription.objects.filter(user_id=ids[0], client_id=ids[1]).delete()
    return True


# ---------------------------------------------------------------- rendering


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    images: dict[str, bytes]  # Content-ID -> PNG


def report_render(
    report: WeeklyReport, *, unsubscribe_url: str = "", base_url: str = ""
) -> Rendered:
    base_url = base_url or site_url()
    context = {
        "r": report,
        "unsubscribe_url": unsubscribe_url,
        "link": base_url + reverse("monitoring:monitor_portal", args=[report.client.code]),
        "tz": report.client.time_zone,
    }
    return Rendered(
        subject=render_to_string("emails/weekly-report-subject.txt", context).strip(),
        text=render_to_string("emails/weekly-report-body.txt", context),
        html=render_to_string("emails/weekly-report-body.html", context),
        images={m.cid: m.sparkline for m in report.monitors},
    )


def html_with_data_uris(rendered: Rendered) -> str:
    """The HTML part with cid: images inlined as data: URIs, for a browser or a file."""
    html = rendered.html
    for cid, data in rendered.images.items():
        html = html.replace(
            f"cid:{cid}", "data:image/png;base64," + base64.b64encode(data).decode()
        )
    return html


def report_message(rendered: Rendered, *, to: str, unsubscribe_url: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    # multipart/related around the alternative, so cid: references resolve in mail clients.
    message.mixed_subtype = "related"  # type: ignore[attr-defined]
    for cid, data in rendered.images.items():
        image = MIMEImage(data, "png")
        image.add_header("Content-ID", f"<{cid}>")
        image.add_header("Content-Disposition", "inline", filename=cid.split("@", 1)[0] + ".png")
        message.attach(image)
    return message


# ---------------------------------------------------------------- sending


def _claim(client: Client, week: str, email: str, now: datetime) -> ReportDelivery | None:
    """The delivery row for this recipient, or None when it was sent (or is being sent
    by another worker right now)."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(
                client=client, week=week, email=email, claimed_at=now
            )
    except IntegrityError:
        pass
    # A row left unsent by a failed try is taken again once its claim is stale.
    taken = ReportDelivery.objects.filter(
        client=client,
        week=week,
        email=email,
        sent_at__isnull=True,
        claimed_at__lt=now - STALE_CLAIM,
    ).update(claimed_at=now)
    if not taken:
        return None
    return ReportDelivery.objects.get(client=client, week=week, email=email)


def report_send(*, client: Client, monday: date, now: datetime | None = None) -> int:
    """Send the week's report to every subscriber not yet sent it. Returns how many went."""
    now = now or timezone.now()
    people = recipients(client)
    if not people:
        return 0
    report = report_build(client=client, monday=monday)
    base = site_url()
    sent = 0
    for user in people:
        delivery = _claim(client, report.week, user.email.lower(), now)
        if delivery is None:
            continue
        url = base + reverse(
            "report_unsubscribe", args=[unsubscribe_token(user=user, client=client)]
        )
        rendered = report_render(report, unsubscribe_url=url, base_url=base)
        try:
            report_message(rendered, to=user.email, unsubscribe_url=url).send()
        except Exception as exc:  # SMTP and connection errors: the next hourly run retries
            log.warning("weekly report to user %s failed: %s", user.pk, exc.__class__.__name__)
            ReportDelivery.objects.filter(pk=delivery.pk).update(error=str(exc)[:300])
            continue
        ReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), error="")
        sent += 1
    return sent


def due_week(client: Client, now: datetime) -> date | None:
    """The Monday of the week to report if the client's local time is Monday 08:00 or
    later that day (an hourly run that was missed catches up the same day)."""
    local = now.astimezone(ZoneInfo(client.time_zone or "UTC"))
    if local.weekday() != SEND_WEEKDAY or local.hour < SEND_HOUR:
        return None
    return previous_week(local.date())


def reports_send_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    clients = Client.objects.filter(report_subscriptions__isnull=False).distinct()
    for client in clients:
        monday = due_week(client, now)
        if monday is not None:
            sent += report_send(client=client, monday=monday, now=now)
    return sent
