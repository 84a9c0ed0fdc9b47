"""Monitoring services: creating and pausing monitors, the scheduler run (claim, probe,
record, alert), rollups, pruning and the heartbeat. Every function takes `now` so tests
drive the clock; nothing here sleeps."""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from checks.monitoring import histogram
from checks.monitoring.alerts import alert_deliver, alert_prepare
from checks.monitoring.evaluation import (
    ProbeFacts,
    ProbeSpec,
    cert_warning_due,
    judge,
    reminder_due,
    transition,
)
from checks.monitoring.models import (
    Alert,
    AlertKind,
    Incident,
    MaintenanceWindow,
    Monitor,
    MonitorStatus,
    ProbeResult,
    Rollup,
    SchedulerHeartbeat,
)
from checks.monitoring.probe import probe_many
from clients.jobs.services import QueueUnavailable
from clients.models import Client, Sprint
from clients.services import ServiceError, client_log

log = logging.getLogger(__name__)

SLOT_SECONDS = 15  # the scheduler runs at :00 (cron) and :15, :30, :45 (booked by it)
HEARTBEAT = "scheduler"
MONITOR_FIELDS = (
    "name", "kind", "url", "method", "expected_status", "expected_text", "interval_seconds",
    "timeout_seconds", "failures_before_alert", "alert_emails", "webhook_url", "reminder_hours",
)  # fmt: skip

T = TypeVar("T")


def slot_floor(at: datetime) -> datetime:
    """Due times sit on the scheduler's 15-second grid, so a run at hh:mm:15 finds every
    monitor due at hh:mm:15 (lag is then only queueing, never a missed slot). Monitors
    created at different moments land on different slots, which spreads the load."""
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % SLOT_SECONDS, tz=UTC)


def epoch_hour(at: datetime) -> int:
    return int(at.timestamp()) // 3600


def hour_start(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, tz=UTC)


def _retry_locked(fn: Callable[[], T], attempts: int = 8) -> T:
    """SQLite reports a busy database as OperationalError; another consumer's write
    transaction ends within milliseconds, so try again a few times."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))  # backoff between retries, not a clock for logic
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- monitors


def monitor_create(
    *,
    client: Client,
    by: User | None,
    sprint: Sprint | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Monitor:
    """A new monitor, due at the next scheduler run."""
    unknown = set(fields) - set(MONITOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown monitor fields: {sorted(unknown)}")
    now = now or timezone.now()
    due = slot_floor(now)
    if fields.get("kind") == "journey":
        fields.setdefault("interval_seconds", 900)
        # Browser runs are heavy: spread journeys over their interval instead of letting
        # every journey created in one sitting fall due in the same slot.
        slots = max(1, int(fields.get("interval_seconds") or 900) // SLOT_SECONDS)
        due += timedelta(seconds=SLOT_SECONDS * (uuid.uuid4().int % slots))
    monitor = Monitor.objects.create(
        client=client, sprint=sprint, created_by=by, next_due_at=due, **fields
    )
    _monitor_log(monitor=monitor, by=by, verb="added", text=f"Monitor {monitor.name} added.")
    return monitor


def _monitor_log(*, monitor: Monitor, by: User | None, verb: str, text: str) -> None:
    client_log(client=monitor.client, actor=by, kind=f"monitor.{verb}", message=text)


@transaction.atomic
def monitor_update(*, monitor: Monitor, by: User | None, **fields: Any) -> Monitor:
    unknown = set(fields) - set(MONITOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown monitor fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(monitor, name, value)
    monitor.save()
    _monitor_log(monitor=monitor, by=by, verb="updated", text=f"Monitor {monitor.name} edited.")
    return monitor


@transaction.atomic
def monitor_pause(*, monitor: Monitor, by: User | None, now: datetime | None = None) -> Monitor:
    """Stop probing. An open incident is closed quietly: pausing is not a recovery."""
    now = now or timezone.now()
    Incident.objects.filter(monitor=monitor, closed_at__isnull=True).update(closed_at=now)
    monitor.enabled = False
    monitor.status = MonitorStatus.PAUSED
    monitor.consecutive_failures = 0
    monitor.failing_since = None
    monitor.save(update_fields=["enabled", "status", "consecutive_failures", "failing_since"])
    _monitor_log(monitor=monitor, by=by, verb="paused", text=f"Monitor {monitor.name} paused.")
    return monitor


@transaction.atomic
def monitor_resume(*, monitor: Monitor, by: User | None, now: datetime | None = None) -> Monitor:
    now = now or timezone.now()
    monitor.enabled = True
    monitor.status = MonitorStatus.NEW
    monitor.next_due_at = slot_floor(now)
    monitor.save(update_fields=["enabled", "status", "next_due_at"])
    _monitor_log(monitor=monitor, by=by, verb="resumed", text=f"Monitor {monitor.name} resumed.")
    return monitor


def maintenance_add(
    *,
    monitor: Monitor,
    by: User | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> MaintenanceWindow:
    if ends_at <= starts_at:
        raise ServiceError("The window must end after it starts.")
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            monitor=monitor,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            created_by=by,
        )
        _monitor_log(
            monitor=monitor,
            by=by,
            verb="maintenance_added",
            text=f"Maintenance window added to {monitor.name}: no alerts while it is open.",
        )
    return window


@transaction.atomic
def maintenance_delete(*, window: MaintenanceWindow, by: User | None) -> None:
    monitor = window.monitor
    window.delete()
    _monitor_log(
        monitor=monitor,
        by=by,
        verb="maintenance_deleted",
        text=f"Maintenance window removed from {monitor.name}.",
    )


# ---------------------------------------------------------------- scheduler


def monitors_claim(*, now: datetime, limit: int | None = None) -> list[ProbeSpec]:
    """Atomically take the monitors due at `now` and move their next due time forward.

    Each candidate is claimed by a conditional UPDATE (`... WHERE id IN (...) AND
    next_due_at <= now`) that also stamps this run's token; only rows still due match, so
    when two consumers race, each row goes to exactly one of them. PostgreSQL also skips
    rows another run has locked instead of waiting for them."""
    limit = limit or settings.MONITOR_BATCH_LIMIT
    token = uuid.uuid4().hex

    def claim() -> list[ProbeSpec]:
        with transaction.atomic():
            due = Monitor.objects.filter(enabled=True, next_due_at__lte=now).order_by("next_due_at")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            candidates = list(due.values_list("id", "next_due_at", "interval_seconds")[:limit])
            groups: dict[datetime, list[int]] = defaultdict(list)
            old_due = {}
            for pk, due_at, interval in candidates:
                following = due_at + timedelta(seconds=interval)
                if following <= now:  # missed slots are skipped, never replayed in a burst
                    following = slot_floor(now) + timedelta(seconds=interval)
                groups[following].append(pk)
                old_due[pk] = due_at
            for following, ids in groups.items():
                for start in range(0, len(ids), 500):
                    Monitor.objects.filter(
                        id__in=ids[start : start + 500], enabled=True, next_due_at__lte=now
                    ).update(next_due_at=following, claim_token=token)
            rows = Monitor.objects.filter(claim_token=token).values_list(
                "id", "url", "method", "expected_status", "expected_text", "timeout_seconds", "kind"
            )
            return _with_steps(
                [ProbeSpec(*row[:6], kind=row[6], due_at=old_due.get(row[0])) for row in rows]
            )

    return _retry_locked(claim)


def _with_steps(specs: list[ProbeSpec]) -> list[ProbeSpec]:
    """Journey monitors carry their steps into the probe threads (no ORM in threads)."""
    journeys = [s.monitor_id for s in specs if s.kind == "journey"]
    if not journeys:
        return specs
    from dataclasses import replace

    from checks.browser.journeys import journey_steps_for

    steps = journey_steps_for(journeys)
    return [
        replace(s, steps=steps.get(s.monitor_id, ())) if s.kind == "journey" else s for s in specs
    ]


@dataclass
class RunReport:
    claimed: int = 0
    up: int = 0
    down: int = 0
    alerts: list[int] = field(default_factory=list)
    lags_s: list[float] = field(default_factory=list)  # probe start minus due time
    duration_s: float = 0.0


def monitors_run_due(*, now: datetime | None = None, workers: int | None = None) -> RunReport:
    """One scheduler run: heartbeat, claim what is due, probe concurrently, record the
    results and state changes, then send the alerts they call for."""
    started = time.monotonic()
    now = now or timezone.now()
    heartbeat_beat(now=now)
    specs = monitors_claim(now=now)
    starts: dict[int, float] = {}
    facts = probe_many(specs, workers=workers or settings.MONITOR_CONCURRENCY, started=starts)
    alerts = results_record(now=now, specs=specs, facts=facts)
    report = RunReport(claimed=len(specs), alerts=[a.pk for a in alerts])
    for spec in specs:
        if spec.due_at is not None and spec.monitor_id in starts:
            report.lags_s.append(starts[spec.monitor_id] - spec.due_at.timestamp())
    report.duration_s = time.monotonic() - started
    SchedulerHeartbeat.objects.filter(name=HEARTBEAT).update(
        claimed=len(specs), duration_ms=int(report.duration_s * 1000)
    )
    return report


def monitor_check_request(*, monitor: Monitor) -> datetime:
    """The staff "Check now" button: queue one probe of the monitor (never inside the web
    request). Returns when it was asked for; the page shows the first result recorded
    after that. Nothing is written, so a queue that is down leaves nothing behind: it
    raises QueueUnavailable for the caller's 503."""
    from checks.monitoring.tasks import monitor_check_task

    requested = timezone.now()
    try:
        monitor_check_task(monitor.pk)
    except Exception as exc:
        log.warning("check-now enqueue for monitor %s failed: %s", monitor.code, type(exc).__name__)
        raise QueueUnavailable() from exc
    return requested


def monitor_check_result(*, monitor: Monitor, since: datetime) -> ProbeResult | None:
    """The first result of the monitor recorded at or after ``since`` (read only)."""
    return (
        ProbeResult.objects.filter(monitor=monitor, checked_at__gte=since)
        .order_by("checked_at", "id")
        .first()
    )


def monitor_check_now(*, monitor: Monitor, now: datetime | None = None) -> ProbeResult | None:
    """Probe one monitor right away (the staff "Check now" button); schedule unchanged."""
    now = now or timezone.now()
    spec = ProbeSpec(
        monitor.pk,
        monitor.url,
        monitor.method,
        monitor.expected_status,
        monitor.expected_text,
        monitor.timeout_seconds,
        kind=monitor.kind,
    )
    [spec] = _with_steps([spec])
    facts = probe_many([spec], workers=1)
    results_record(now=now, specs=[spec], facts=facts)
    return ProbeResult.objects.filter(monitor=monitor).order_by("-checked_at", "-id").first()


def results_record(
    *, now: datetime, specs: list[ProbeSpec], facts: dict[int, ProbeFacts]
) -> list[Alert]:
    """Store raw results, move each monitor's state, open/close incidents and decide
    alerts, in one transaction; then deliver the alerts. Returns the alerts sent."""
    verdicts = {spec.monitor_id: judge(spec, facts[spec.monitor_id]) for spec in specs}
    if not verdicts:
        return []

    def record() -> list[Alert]:
        with transaction.atomic():
            return _record(now, verdicts, facts)

    alerts = _retry_locked(record)
    for alert in alerts:
        alert_deliver(alert, now=now)
    return alerts


def alerts_retry(*, now: datetime, limit: int = 100) -> list[Alert]:
    """Try again the alerts whose email or webhook failed and whose next try is due.
    A down or still-down alert whose incident has since closed is not resent: the
    recovery message says all there is to say."""
    due = list(
        Alert.objects.filter(retry_at__lte=now)
        .select_related("monitor", "monitor__client", "incident")
        .order_by("retry_at")[:limit]
    )
    sent = []
    for alert in due:
        # Claim it first, so two consumers in the same minute never send it twice.
        if not Alert.objects.filter(pk=alert.pk, retry_at=alert.retry_at).update(retry_at=None):
            continue
        stale = alert.kind in (AlertKind.DOWN, AlertKind.REMINDER) and (
            alert.incident is not None and alert.incident.closed_at is not None
        )
        if stale:
            alert.error = f"{alert.error}; not resent: the monitor recovered first"[:300]
            alert.save(update_fields=["error"])
            continue
        sent.append(alert_deliver(alert, now=now))
    return sent


def _record(now: datetime, verdicts: dict, facts: dict[int, ProbeFacts]) -> list[Alert]:
    ids = list(verdicts)
    ProbeResult.objects.bulk_create(
        [
            ProbeResult(
                monitor_id=pk,
                checked_at=now,
                ok=v.ok,
                status_code=facts[pk].status,
                latency_ms=v.latency_ms,
                error=v.error,
            )
            for pk, v in verdicts.items()
        ],
        batch_size=500,
    )
    journeys = {pk: f.journey for pk, f in facts.items() if pk in verdicts and f.journey}
    if journeys:  # before alerts are decided: a journey's alert quotes its run
        from checks.browser.journeys import journey_runs_store

        journey_runs_store(now=now, runs=journeys)
    monitors = Monitor.objects.select_related("client").in_bulk(ids)
    incidents = {
        i.monitor_id: i for i in Incident.objects.filter(monitor_id__in=ids, closed_at__isnull=True)
    }
    quiet = set(
        MaintenanceWindow.objects.filter(
            monitor_id__in=ids, starts_at__lte=now, ends_at__gt=now
        ).values_list("monitor_id", flat=True)
    )
    alerts: list[Alert] = []
    for pk, verdict in verdicts.items():
        monitor = monitors.get(pk)
        if monitor is None or not monitor.enabled:
            continue  # deleted or paused while the probe was in flight
        seen = facts[pk]
        step = transition(
            status=monitor.status,
            consecutive_failures=monitor.consecutive_failures,
            failing_since=monitor.failing_since,
            threshold=monitor.failures_before_alert,
            ok=verdict.ok,
            at=now,
            has_open_incident=pk in incidents,
        )
        changes: dict[str, Any] = {
            "status": step.status,
            "consecutive_failures": step.consecutive_failures,
            "failing_since": step.failing_since,
            "last_checked_at": now,
            "last_status_code": seen.status,
            "last_latency_ms": verdict.latency_ms,
            "last_error": verdict.error,
        }
        if seen.cert_not_after is not None:
            changes["cert_not_before"] = seen.cert_not_before
            changes["cert_not_after"] = seen.cert_not_after
        for name, value in changes.items():
            setattr(monitor, name, value)
        Monitor.objects.filter(pk=pk).update(**changes)
        alerts += _incident_step(monitor, incidents.get(pk), step, verdict.error, now, pk in quiet)
        if seen.cert_not_after is not None and pk not in quiet:
            alerts += _cert_step(monitor, now)
    return alerts


def _incident_step(monitor, incident, step, error: str, now: datetime, quiet: bool) -> list[Alert]:
    if step.open_incident:
        incident = Incident.objects.create(
            monitor=monitor,
            started_at=step.failing_since,
            opened_at=now,
            failures=step.consecutive_failures,
            first_error=error,
            last_error=error,
            alerted_at=None if quiet else now,
        )
        return (
            []
            if quiet
            else [alert_prepare(monitor=monitor, kind=AlertKind.DOWN, now=now, incident=incident)]
        )
    if incident is None:
        return []
    if step.close_incident:
        incident.closed_at = now
        incident.save(update_fields=["closed_at"])
        # No "recovered" mail for an outage nobody was told about (it fell in maintenance).
        if incident.alerted_at is None:
            return []
        return [alert_prepare(monitor=monitor, kind=AlertKind.UP, now=now, incident=incident)]
    incident.failures = step.consecutive_failures
    incident.last_error = error
    out = []
    if not quiet and incident.alerted_at is None:
        incident.alerted_at = now  # maintenance ended while still down: tell them now
        out.append(alert_prepare(monitor=monitor, kind=AlertKind.DOWN, now=now, incident=incident))
    elif not quiet and reminder_due(
        alerted_at=incident.alerted_at,
        last_reminder_at=incident.last_reminder_at,
        every_hours=monitor.reminder_hours,
        now=now,
    ):
        incident.last_reminder_at = now
        out.append(
            alert_prepare(monitor=monitor, kind=AlertKind.REMINDER, now=now, incident=incident)
        )
    incident.save(update_fields=["failures", "last_error", "alerted_at", "last_reminder_at"])
    return out


def _cert_step(monitor: Monitor, now: datetime) -> list[Alert]:
    if monitor.cert_not_after is None:
        return []
    threshold = cert_warning_due(
        not_before=monitor.cert_not_before, not_after=monitor.cert_not_after, now=now
    )
    if threshold is None:
        return []
    hours = round(threshold * 24)
    already = Alert.objects.filter(
        monitor=monitor,
        kind=AlertKind.CERT,
        cert_not_after=monitor.cert_not_after,
        threshold_hours__lte=hours,
    ).exists()
    if already:
        return []
    return [alert_prepare(monitor=monitor, kind=AlertKind.CERT, now=now, threshold_hours=hours)]


# ---------------------------------------------------------------- data upkeep


def rollups_build(*, now: datetime | None = None, hours: int = 2) -> int:
    """(Re)build the hourly rollups of the last `hours` completed hours from raw results.
    Idempotent: an hour's rows are replaced, so running twice changes nothing."""
    now = now or timezone.now()
    current = epoch_hour(now)
    written = 0
    for hour in range(current - hours, current):
        start = hour_start(hour)
        agg: dict[int, list] = {}
        rows = ProbeResult.objects.filter(
            checked_at__gte=start, checked_at__lt=start + timedelta(hours=1)
        ).values_list("monitor_id", "ok", "latency_ms")
        for monitor_id, ok, latency in rows.iterator(chunk_size=5000):
            entry = agg.setdefault(monitor_id, [0, 0, [0] * histogram.BUCKETS])
            entry[0] += 1
            if not ok:
                entry[1] += 1
            elif latency is not None:
                entry[2][histogram.bucket_of(latency)] += 1
        if not agg:
            continue  # nothing raw (pruned or never probed): keep whatever rollups exist
        with transaction.atomic():
            Rollup.objects.filter(hour=hour).delete()
            Rollup.objects.bulk_create(
                [
                    Rollup(
                        monitor_id=pk, hour=hour, total=t, failures=f, histogram=histogram.encode(c)
                    )
                    for pk, (t, f, c) in agg.items()
                ],
                batch_size=1000,
            )
        written += len(agg)
    return written


def results_prune(*, now: datetime | None = None) -> int:
    """Delete raw results older than the retention (48 h); rollups stay."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.MONITOR_RAW_RETENTION_HOURS)
    deleted, _ = ProbeResult.objects.filter(checked_at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------- heartbeat


def heartbeat_beat(*, now: datetime) -> None:
    def beat() -> None:
        SchedulerHeartbeat.objects.update_or_create(name=HEARTBEAT, defaults={"beat_at": now})

    _retry_locked(beat)


def heartbeat_age(*, now: datetime | None = None) -> float | None:
    """Seconds since the scheduler last ran; None if it never has."""
    beat = (
        SchedulerHeartbeat.objects.filter(name=HEARTBEAT).values_list("beat_at", flat=True).first()
    )
    if beat is None:
        return None
    return max(0.0, ((now or timezone.now()) - beat).total_seconds())


def scheduler_health(*, now: datetime | None = None) -> dict:
    """For /healthz and the staff banner: stale only matters when there is something
    to monitor. Also says whether any monitor is down, so the dashboard can skip
    listing them when none is. EXISTS, not COUNT: this runs on every staff page, and
    counting 5,000 monitors cost 3 ms where both lookups cost 1 ms."""
    age = heartbeat_age(now=now)
    stale = age is None or age > settings.MONITOR_SCHEDULER_STALE_SECONDS
    enabled = Monitor.objects.filter(enabled=True)
    active = enabled.exists()
    return {
        "ok": not (stale and active),
        "heartbeat_age_s": None if age is None else round(age, 1),
        "enabled_monitors": active,
        "any_down": active and enabled.filter(status=MonitorStatus.DOWN).exists(),
    }


def request_scheduler_health(request: HttpRequest) -> dict:
    """scheduler_health(), looked up once per request (the banner and panels share it)."""
    # Kept on the request object: one lookup per request, nothing shared between them.
    if not hasattr(request, "_scheduler_health"):
        setattr(request, "_scheduler_health", scheduler_health())  # noqa: B010
    return getattr(request, "_scheduler_health")  # noqa: B009


def scheduler_stale_banner(
    *, now: datetime | None = None, health: dict | None = None
) -> dict | None:
    health = health if health is not None else scheduler_health(now=now)
    if health["ok"]:
        return None
    age = health["heartbeat_age_s"]
    when = "has never run" if age is None else f"has not run for {int(age // 60)} minutes"
    return {
        "level": "bad",
        "text": f"The uptime scheduler {when}: no probes and no alerts until the Huey "
        "consumer runs again (manage.py run_huey).",
    }
