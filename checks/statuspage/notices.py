"""Automatic incident emails to a status page's subscribers: one when an incident on a
public monitor opens, one when it resolves. A minute task polls for both; each incident
and event is claimed once in IncidentNotice before anything is sent, so a rerun (or a
second worker) sends nothing twice.

Nobody is mailed about a monitor that is not on an enabled page, about an event inside
one of the monitor's maintenance windows, or about a paused monitor (pausing closes the
open incident quietly: that is not a recovery). A resolution is announced only when the
opening was."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from checks.monitoring.models import Incident, MaintenanceWindow
from checks.statuspage.models import IncidentNotice, NoticeEvent, NoticeSkip
from checks.statuspage.services import send_status_email
from launchready.sites import site_url

log = logging.getLogger(__name__)

# Events older than this are never announced: a worker that was down for a day does not
# wake subscribers with yesterday's news (nor does turning a page on).
LOOKBACK = timedelta(hours=6)


def incident_notices_send(*, now: datetime | None = None) -> int:
    """Claim and send the notices due: openings first, so an incident that opened and
    closed between two polls is told in order. Returns the emails sent."""
    now = now or timezone.now()
    since = now - LOOKBACK
    public = Incident.objects.filter(monitor__public_entry__page__enabled=True).select_related(
        "monitor__public_entry__page"
    )
    sent = 0
    for incident in (
        public.filter(opened_at__gte=since, opened_at__lte=now)
        .exclude(notices__event=NoticeEvent.OPENED)
        .order_by("opened_at")
    ):
        sent += _notice(incident, NoticeEvent.OPENED, at=incident.opened_at, now=now)
    for incident in (
        public.filter(closed_at__gte=since, closed_at__lte=now)
        .exclude(notices__event=NoticeEvent.RESOLVED)
        .order_by("closed_at")
    ):
        assert incident.closed_at is not None
        sent += _notice(incident, NoticeEvent.RESOLVED, at=incident.closed_at, now=now)
    return sent


def _skip_reason(incident: Incident, event: str, *, at: datetime) -> str:
    monitor = incident.monitor
    if not monitor.enabled:
        return NoticeSkip.PAUSED
    if MaintenanceWindow.objects.filter(
        monitor=monitor, starts_at__lte=at, ends_at__gt=at
    ).exists():
        return NoticeSkip.MAINTENANCE
    if (
        event == NoticeEvent.RESOLVED
        and not IncidentNotice.objects.filter(
            incident=incident, event=NoticeEvent.OPENED, skipped=NoticeSkip.NONE
        ).exists()
    ):
        return NoticeSkip.NOT_OPENED
    return NoticeSkip.NONE


def _notice(incident: Incident, event: str, *, at: datetime, now: datetime) -> int:
    skipped = _skip_reason(incident, event, at=at)
    try:
        with transaction.atomic():
            notice = IncidentNotice.objects.create(
                incident=incident, event=event, created_at=now, skipped=skipped
            )
    except IntegrityError:
        return 0  # claimed by another run
    if skipped:
        return 0
    entry = incident.monitor.public_entry
    page = entry.page
    sent = failed = 0
    for subscriber in page.subscribers.filter(confirmed_at__isnull=False).order_by("pk"):
        try:
            send_status_email(
                "status-incident",
                to=subscriber.email,
                context={
                    "page": page,
                    "service": entry.public_name,
                    "event": event,
                    "at": at,
                    "page_url": site_url() + reverse("status_public", args=[page.slug]),
                },
                leave_url=site_url() + reverse("status_leave", args=[subscriber.token]),
            )
            sent += 1
        except Exception:  # one bad address must not stop the others
            log.exception("status notice %s for incident %s failed", event, incident.pk)
            failed += 1
    IncidentNotice.objects.filter(pk=notice.pk).update(sent=sent, failed=failed)
    return sent
