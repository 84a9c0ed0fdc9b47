"""What a weekly report says, computed from the records (no I/O besides the database):
the week's window in the client's time zone, uptime and p95 per monitor against the
maturity target (from the hourly rollups, as every other uptime figure), incidents,
checks whose verdict changed, open risks, renewals due within 30 days, and deploys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from checks.models import CheckResult, CheckRun
from checks.monitoring import stats
from checks.monitoring.models import Incident
from checks.monitoring.services import epoch_hour
from checks.renewals.services import Renewal, renewals_list
from checks.secrets.models import DeployEvent, DeployResult
from clients.jobs.models import JobStatus
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
class IncidentRow:
    monitor: str
    started_at: datetime
    closed_at: datetime | None
    duration: timedelta
    ongoing: bool


@dataclass
class VerdictChange:
    check_id: str
    target: str
    before: str
    after: str
    summary: str


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
    deploys: list[DeployEvent] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def deploys_allowed(self) -> int:
        return sum(1 for d in self.deploys if d.result == DeployResult.OK)

    @property
    def deploys_stopped(self) -> int:
        return len(self.deploys) - self.deploys_allowed


def week_window(client: Client, monday: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(client.time_zone or "UTC")
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    end_day = monday + timedelta(days=7)
    return start, datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)


def _monitor_weeks(client: Client, start: datetime, end: datetime, target) -> list[MonitorWeek]:
    monitors = list(client.monitors.order_by("name"))
    first, last = epoch_hour(start), epoch_hour(end - timedelta(microseconds=1))
    hours = last - first + 1
    data = stats.hourly([m.pk for m in monitors], hours=hours, now=end - timedelta(microseconds=1))
    out = []
    for index, monitor in enumerate(monitors):
        aggs = {h: a for h, a in data.get(monitor.pk, {}).items() if first <= h <= last}
        week = stats.Agg()
        for agg in aggs.values():
            week.add(agg)
        p95 = week.p(95)
        uptime = week.uptime_pct
        series = [aggs.get(h) for h in range(first, last + 1)]
        target_uptime = float(target.uptime_pct) if target else None
        target_p95 = target.p95_latency_ms if target else None
        out.append(
            MonitorWeek(
                name=monitor.name,
                uptime_pct=uptime,
                p95_ms=p95,
                total=week.total,
                failures=week.failures,
                meets_uptime=None
                if uptime is None or target_uptime is None
                else uptime >= target_uptime,
                meets_p95=None if p95 is None or target_p95 is None else p95 <= target_p95,
                sparkline=png.sparkline(
                    [a.p(95) if a else None for a in series],
                    failures=[a.failures if a else 0 for a in series],
                    target=target_p95,
                ),
                cid=f"spark-{index}-{monitor.code}@launchready",
            )
        )
    return out


def _incidents(client: Client, start: datetime, end: datetime) -> list[IncidentRow]:
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


def _latest_run(client: Client, before: datetime) -> CheckRun | None:
    return (
        CheckRun.objects.filter(
            sprint__client=client, status=JobStatus.DONE, finished_at__lt=before
        )
        .order_by("-finished_at")
        .first()
    )


def _verdict_changes(client: Client, start: datetime, end: datetime) -> list[VerdictChange]:
    """Results of the last run of the week against the last run before it."""
    after_run = _latest_run(client, end)
    if after_run is None or after_run.finished_at is None or after_run.finished_at < start:
        return []
    before_run = _latest_run(client, after_run.finished_at)
    before = (
        {(r.check_id, r.target): r.status for r in CheckResult.objects.filter(run=before_run)}
        if before_run
        else {}
    )
    changes = []
    for result in CheckResult.objects.filter(run=after_run).order_by("check_id", "target"):
        was = before.get((result.check_id, result.target), "new")
        if was != result.status:
            changes.append(
                VerdictChange(result.check_id, result.target, was, result.status, result.summary)
            )
    return changes


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
    report.incidents = _incidents(client, start, end)
    report.changes = _verdict_changes(client, start, end)
    report.risks = list(
        Finding.objects.filter(sprint__client=client, status=FindingStatus.OPEN).order_by(
            "impact", "-created_at"
        )[:20]
    )
    last_day = (end - timedelta(days=1)).date()
    report.renewals = [
        r
        for r in renewals_list(clients=[client], today=last_day)
        if r.due is not None and r.due <= last_day + timedelta(days=RENEWAL_DAYS)
    ]
    report.deploys = list(
        DeployEvent.objects.filter(
            client=client, created_at__gte=start, created_at__lt=end
        ).order_by("created_at")
    )
    return report
