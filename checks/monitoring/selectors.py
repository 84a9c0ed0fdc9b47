"""What the monitoring app tells other apps (the handover) about a client's monitors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from checks.monitoring import stats
from checks.monitoring.models import Incident, Monitor
from checks.monitoring.services import epoch_hour
from clients.models import Client


@dataclass(frozen=True)
class MonitorRow:
    name: str
    target: str
    interval: str
    alerts_to: str
    state: str
    last_checked_at: datetime | None = None
    last_result: str = ""  # the last probe's evidence: status code and time, or the error
    uptime_pct: float | None = None  # over the period asked for, from rollups and raw results
    p95_ms: float | None = None
    enabled: bool = True


def _interval(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "every hour" if hours == 1 else f"every {hours} hours"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "every minute" if minutes == 1 else f"every {minutes} minutes"
    return f"every {seconds} seconds"


def _last_result(m: Monitor) -> str:
    if m.last_checked_at is None:
        return ""
    if m.last_error:
        return m.last_error
    parts = [
        f"HTTP {m.last_status_code}" if m.last_status_code else "",
        f"{m.last_latency_ms} ms" if m.last_latency_ms is not None else "",
    ]
    return ", ".join(p for p in parts if p)


def monitor_rows(client: Client, since: datetime | None = None) -> list[MonitorRow] | None:
    """What is watched, how often and where alerts go, with uptime and p95 latency since
    ``since``; None when the client has no monitor. A webhook address is itself a
    credential, so it is described, never returned."""
    found = list(Monitor.objects.filter(client=client).order_by("name"))
    if not found:
        return None
    periods: dict[int, stats.Agg] = {}
    if since is not None:
        now = timezone.now()
        hours = max(1, int((now - since).total_seconds() // 3600) + 1)
        by_monitor = stats.hourly([m.pk for m in found], hours=hours, now=now)
        periods = {
            m.pk: stats.period(by_monitor.get(m.pk, {}), hours=hours, now=now) for m in found
        }
    rows = []
    for m in found:
        emails = [e.strip() for e in m.alert_emails.replace("\n", ",").split(",") if e.strip()]
        targets = emails + (["a chat webhook"] if m.webhook_url else [])
        agg = periods.get(m.pk)
        rows.append(
            MonitorRow(
                name=m.name,
                target=m.url,
                interval=_interval(m.interval_seconds),
                alerts_to=", ".join(targets),
                state=m.get_status_display() if m.enabled else "Paused",
                last_checked_at=m.last_checked_at,
                last_result=_last_result(m),
                uptime_pct=agg.uptime_pct if agg is not None else None,
                p95_ms=agg.p(95) if agg is not None and agg.total else None,
                enabled=m.enabled,
            )
        )
    return rows


@dataclass(frozen=True)
class MonitorWindow:
    """One monitor over a window of whole hours: totals, and per hour (oldest first) the
    p95 latency (None when nothing was measured) and the failures."""

    name: str
    code: str
    uptime_pct: float | None
    p95_ms: float | None
    total: int
    failures: int
    hourly_p95_ms: tuple[float | None, ...]
    hourly_failures: tuple[int, ...]


def monitor_windows(client: Client, start: datetime, end: datetime) -> list[MonitorWindow]:
    """Each of the client's monitors over the hours from ``start`` up to ``end``
    (exclusive), from the hourly rollups like every other uptime figure."""
    monitors = list(Monitor.objects.filter(client=client).order_by("name"))
    last_moment = end - timedelta(microseconds=1)
    first, last = epoch_hour(start), epoch_hour(last_moment)
    data = stats.hourly([m.pk for m in monitors], hours=last - first + 1, now=last_moment)
    out = []
    for monitor in monitors:
        aggs = {h: a for h, a in data.get(monitor.pk, {}).items() if first <= h <= last}
        window = stats.Agg()
        for agg in aggs.values():
            window.add(agg)
        series = [aggs.get(h) for h in range(first, last + 1)]
        out.append(
            MonitorWindow(
                name=monitor.name,
                code=monitor.code,
                uptime_pct=window.uptime_pct,
                p95_ms=window.p(95),
                total=window.total,
                failures=window.failures,
                hourly_p95_ms=tuple(a.p(95) if a else None for a in series),
                hourly_failures=tuple(a.failures if a else 0 for a in series),
            )
        )
    return out


@dataclass(frozen=True)
class IncidentRow:
    """An incident as seen from a window: ``closed_at`` is None and ``ongoing`` True when
    it had not closed by the window's end; ``duration`` is cut at the window's end."""

    monitor: str
    started_at: datetime
    closed_at: datetime | None
    duration: timedelta
    ongoing: bool


def incident_rows(client: Client, start: datetime, end: datetime) -> list[IncidentRow]:
    """Incidents of the client's monitors open at any moment in [start, end)."""
    rows = (
        Incident.objects.filter(monitor__client=client, started_at__lt=end)
        .exclude(closed_at__lte=start)
        .select_related("monitor")
        .order_by("started_at")
    )
    return [
        IncidentRow(
            monitor=i.monitor.name,
            started_at=i.started_at,
            closed_at=i.closed_at if i.closed_at and i.closed_at < end else None,
            duration=(min(i.closed_at, end) if i.closed_at else end) - i.started_at,
            ongoing=i.closed_at is None or i.closed_at >= end,
        )
        for i in rows
    ]
