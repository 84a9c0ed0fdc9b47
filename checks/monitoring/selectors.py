"""What the monitoring app tells other apps (the handover) about a client's monitors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from checks.monitoring import stats
from checks.monitoring.models import Monitor
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
