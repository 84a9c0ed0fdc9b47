"""What a weekly report says, computed from the records (no I/O besides the database):
the week's window in the client's time zone, uptime and p95 per monitor against the
maturity target (from the hourly rollups, as every other uptime figure), incidents,
checks whose verdict changed, open risks, renewals due within 30 days, and deploys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from checks.monitoring.selectors import IncidentRow, incident_rows, monitor_windows
from checks.renewals.selectors import Renewal, renewals_due
from checks.secrets.selectors import GateCall, gate_calls
from checks.selectors import VerdictChange, verdict_changes
from clients.models import Client, Finding, FindingStatus, MaturityTarget
from handover.reports import png

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
RENEWAL_DAYS = 30


def parse_week(text: str) -> date:
    """The Monday of an ISO week written 2026-W47."""
    match = WEEK.match(text.strip())
    if not match:
        raise ValueError("Write the week as YYYY-Www, e.g. 2026-W47.")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise ValueError(f"{text} is not a week of that year.") from exc


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(local_day: date) -> date:
    """The Monday of the full week before the one holding `local_day`."""
    return local_day - timedelta(days=local_day.weekday() + 7)


@dataclass
class MonitorWeek:
    name: str
    uptime_pct: float | None
    p95_ms: float | None
    total: int
    failures: int
    meets_uptime: bool | None
    meets_p95: bool | None
    sparkline: bytes
    cid: str


@dataclass
class WeeklyReport:
    client: Client
    week: str
    monday: date
    start: datetime  # local midnight Monday, aware
    end: datetime  # the next Monday
    target_uptime: float | None
    target_p95: int | None
    monitors: list[MonitorWeek] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)
    changes: list[VerdictChange] = field(default_factory=list)
    risks: list[Finding] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)
    deploys: list[GateCall] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def deploys_allowed(self) -> int:
        return sum(1 for d in self.deploys if d.allowed)

    @property
    def deploys_stopped(self) -> int:
        return len(self.deploys) - self.deploys_allowed


def week_window(client: Client, monday: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(client.time_zone or "UTC")
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    end_day = monday + timedelta(days=7)
    return start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)


def _monitor_weeks(client: Client, start: datetime, end: datetime, target) -> list[MonitorWeek]:
    target_uptime = float(target.uptime_pct) if target else None
    target_p95 = target.p95_latency_ms if target else None
    out = []
    for index, m in enumerate(monitor_windows(client, start, end)):
        out.append(
            MonitorWeek(
                name=m.name,
                uptime_pct=m.uptime_pct,
                p95_ms=m.p95_ms,
                total=m.total,
                failures=m.failures,
                meets_uptime=None
                if m.uptime_pct is None or target_uptime is None
                else m.uptime_pct >= target_uptime,
                meets_p95=None
                if m.p95_ms is None or target_p95 is None
                else m.p95_ms <= target_p95,
                sparkline=png.sparkline(
                    m.hourly_p95_ms, failures=m.hourly_failures, target=target_p95
                ),
                cid=f"spark-{index}-{m.code}@launchready",
            )
        )
    return out


def report_build(*, client: Client, monday: date) -> WeeklyReport:
    start, end = week_window(client, monday)
    target = MaturityTarget.objects.filter(maturity=client.maturity).first()
    report = WeeklyReport(
        client=client,
        week=week_label(monday),
        monday=monday,
        start=start,
        end=end,
        target_uptime=float(target.uptime_pct) if target else None,
        target_p95=target.p95_latency_ms if target else None,
    )
    report.monitors = _monitor_weeks(client, start, end, target)
    report.incidents = incident_rows(client, start, end)
    report.changes = verdict_changes(client, start, end)
    report.risks = list(
        Finding.objects.filter(sprint__client=client, status=FindingStatus.OPEN).order_by(
            "impact", "-created_at"
        )[:20]
    )
    last_day = (end - timedelta(days=1)).date()
    report.renewals = renewals_due(client, today=last_day, within_days=RENEWAL_DAYS)
    report.deploys = gate_calls(client, start, end)
    return report
