"""Status page: what the public page shows (built from public fields, numbers and times
only), staff-written incident updates, and visitors' incident-email subscriptions."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checks.monitoring.alerts import _format_duration as format_duration
from checks.monitoring.models import Incident, MaintenanceWindow
from checks.statuspage.models import IncidentUpdate, PublicMonitor, StatusPage, Subscriber
from checks.statuspage.uptime import DayBar, day_bars
from clients.models import Client
from launchready.sites import site_url

INCIDENT_DAYS = 14


@dataclass
class PublicEntry:
    name: str
    url: str  # empty unless the client chose to show it
    state: str  # up | down | maintenance | paused | new
    bars: list[DayBar]
    uptime_pct: float | None


@dataclass
class PublicIncident:
    service: str
    started_at: datetime
    closed_at: datetime | None
    duration: timedelta
    updates: list[IncidentUpdate] = field(default_factory=list)

    @property
    def duration_text(self) -> str:
        return format_duration(self.duration.total_seconds())


@dataclass
class PublicWindow:
    service: str
    starts_at: datetime
    ends_at: datetime
    active: bool


@dataclass
class PageView:
    page: StatusPage
    entries: list[PublicEntry]
    incidents: list[PublicIncident]
    windows: list[PublicWindow]
    overall: str  # up | degraded | maintenance | unknown
    generated_at: datetime


def page_view(page: StatusPage, *, now: datetime | None = None) -> PageView:
    """Everything the public page shows. Reads a monitor's state and numbers, never its
    internal name, URL (unless show_url) or error texts."""
    now = now or timezone.now()
    entries = list(page.entries.select_related("monitor"))
    ids = [e.monitor_id for e in entries]
    bars = day_bars(ids, now=now)
    windows = list(
        MaintenanceWindow.objects.filter(
            monitor_id__in=ids, ends_at__gt=now, starts_at__lt=now + timedelta(days=14)
        ).order_by("starts_at")
    )
    in_window = {w.monitor_id for w in windows if w.covers(now)}
    names = {e.monitor_id: e.public_name for e in entries}
    out_entries = []
    for entry in entries:
        monitor = entry.monitor
        if monitor.pk in in_window:
            state = "maintenance"
        else:
            state = monitor.display_status
        days = bars[monitor.pk]
        total = sum(d.total for d in days)
        failures = sum(d.failures for d in days)
        out_entries.append(
            PublicEntry(
                name=entry.public_name,
                url=monitor.url if entry.show_url else "",
                state=state,
                bars=days,
                uptime_pct=None if total == 0 else 100.0 * (total - failures) / total,
            )
        )
    since = now - timedelta(days=INCIDENT_DAYS)
    incidents = list(
        Incident.objects.filter(monitor_id__in=ids)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .order_by("-started_at")
        .only("monitor_id", "started_at", "closed_at")[:50]
    )
    updates: dict[int, list[IncidentUpdate]] = defaultdict(list)
    for update in IncidentUpdate.objects.filter(
        incident_id__in=[i.pk for i in incidents], public=True
    ).order_by("-created_at"):
        updates[update.incident_id].append(update)
    out_incidents = [
        PublicIncident(
            service=names[i.monitor_id],
            started_at=i.started_at,
            closed_at=i.closed_at,
            duration=i.duration(now),
            updates=updates.get(i.pk, []),
        )
        for i in incidents
    ]
    states = {e.state for e in out_entries}
    if not out_entries or states <= {"new", "paused"}:
        overall = "unknown"
    elif "down" in states:
        overall = "degraded"
    elif "maintenance" in states:
        overall = "maintenance"
    else:
        overall = "up"
    return PageView(
        page=page,
        entries=out_entries,
        incidents=out_incidents,
        windows=[
            PublicWindow(names[w.monitor_id], w.starts_at, w.ends_at, w.covers(now))
            for w in windows
        ],
        overall=overall,
        generated_at=now,
    )


def page_etag(page: StatusPage, *, now: datetime) -> str:
    """A strong ETag from the facts the page is built from, cheap enough to answer a
    conditional GET without building the page: the page's settings, each shown monitor's
    state, the incidents, public updates and maintenance windows, and the minute (the page
    says "as of HH:MM", and today's bar and open incidents move with time). So a body is
    at most a minute behind the probes; a state change or a staff update shows at once."""
    facts: list[object] = [
        page.pk,
        page.slug,
        page.title,
        page.intro,
        page.updated_at.isoformat(),
        f"{now:%Y%m%d%H%M}",
    ]
    entries = list(
        PublicMonitor.objects.filter(page=page).values_list(
            "monitor_id",
            "public_name",
            "show_url",
            "position",
            "monitor__status",
            "monitor__enabled",
            "monitor__consecutive_failures",
            "monitor__url",
        )
    )
    ids = [row[0] for row in entries]
    facts += entries
    facts.append(
        tuple(
            Incident.objects.filter(monitor_id__in=ids)
            .aggregate(
                n=Count("pk", distinct=True),
                last=Max("pk"),
                closed=Max("closed_at"),
                open=Count("pk", filter=Q(closed_at__isnull=True), distinct=True),
                updates=Count("public_updates", filter=Q(public_updates__public=True)),
                last_update=Max("public_updates__pk", filter=Q(public_updates__public=True)),
            )
            .values()
        )
    )
    facts += list(
        MaintenanceWindow.objects.filter(
            monitor_id__in=ids, ends_at__gt=now, starts_at__lt=now + timedelta(days=14)
        ).values_list("pk", "monitor_id", "starts_at", "ends_at")
    )
    return '"' + hashlib.sha256(repr(facts).encode()).hexdigest()[:32] + '"'


# ---------------------------------------------------------------- staff side


def status_page_for(client: Client) -> StatusPage:
    """The client's page, created switched off on first use."""
    page = StatusPage.objects.filter(client=client).first()
    if page is None:
        page = StatusPage.objects.create(
            client=client, slug=f"{client.code}", title=client.name, enabled=False
        )
    return page


@transaction.atomic
def status_page_update(
    *,
    page: StatusPage,
    enabled: bool,
    slug: str,
    title: str,
    intro: str,
    public: dict[int, tuple[str, bool]],
) -> StatusPage:
    """Save the page settings and which monitors it shows: {monitor id: (public name,
    show url)}; monitors missing from `public` are taken off the page."""
    page.enabled, page.slug, page.title, page.intro = enabled, slug, title, intro
    page.full_clean()
    page.save()
    page.entries.exclude(monitor_id__in=list(public)).delete()
    for position, (monitor_id, (name, show_url)) in enumerate(public.items()):
        PublicMonitor.objects.update_or_create(
            monitor_id=monitor_id,
            defaults={
                "page": page,
                "public_name": name,
                "show_url": show_url,
                "position": position,
            },
        )
    return page


def incident_update_add(
    *, incident: Incident, by, state: str, body: str, public: bool, now: datetime | None = None
) -> IncidentUpdate:
    """Store a staff update; a public one is emailed to the page's confirmed subscribers
    after the commit (by a Huey task, once)."""
    from checks.statuspage import tasks

    update = IncidentUpdate(
        incident=incident,
        state=state,
        body=body,
        public=public,
        created_by=by,
        created_at=now or timezone.now(),
    )
    update.full_clean()
    update.save()
    if public:
        transaction.on_commit(lambda: tasks.status_update_notify(update.pk))
    return update


def update_notify(*, update_id: int) -> int:
    """Email a public update to every confirmed subscriber of the page that shows its
    monitor. Claimed with a conditional UPDATE, so a second run sends nothing."""
    claimed = IncidentUpdate.objects.filter(
        pk=update_id, public=True, notified_at__isnull=True
    ).update(notified_at=timezone.now())
    if not claimed:
        return 0
    update = IncidentUpdate.objects.select_related("incident__monitor__public_entry__page").get(
        pk=update_id
    )
    entry = getattr(update.incident.monitor, "public_entry", None)
    if entry is None or not entry.page.enabled:
        return 0
    page = entry.page
    sent = 0
    for subscriber in page.subscribers.filter(confirmed_at__isnull=False):
        send_status_email(
            "status-update",
            to=subscriber.email,
            context={"page": page, "update": update, "service": entry.public_name},
            leave_url=site_url() + reverse("status_leave", args=[subscriber.token]),
        )
        sent += 1
    return sent


# ---------------------------------------------------------------- subscriptions


def subscriber_add(*, page: StatusPage, email: str, base_url: str) -> Subscriber:
    """Record an unconfirmed address and mail it the confirm link. Asking again re-sends
    the link; an address already confirmed is told nothing new (no enumeration: the page
    answers the same either way)."""
    email = email.strip().lower()
    subscriber, created = Subscriber.objects.get_or_create(page=page, email=email)
    if subscriber.confirmed_at is None:
        send_status_email(
            "status-confirm",
            to=email,
            context={
                "page": page,
                "confirm_url": base_url + reverse("status_confirm", args=[subscriber.token]),
            },
            leave_url=None,
        )
    return subscriber


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None:
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        subscriber.refresh_from_db()
    return subscriber


def subscriber_remove(*, token: str) -> bool:
    deleted, _ = Subscriber.objects.filter(token=token).delete()
    return bool(deleted)


def send_status_email(kind: str, *, to: str, context: dict, leave_url: str | None) -> None:
    context = {**context, "leave_url": leave_url}
    subject = render_to_string(f"emails/{kind}-subject.txt", context).strip()
    text = render_to_string(f"emails/{kind}-body.txt", context)
    html = render_to_string(f"emails/{kind}-body.html", context)
    headers = {}
    if leave_url:
        headers = {
            "List-Unsubscribe": f"<{leave_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()
