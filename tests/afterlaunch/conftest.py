"""Shared by the status page, renewal calendar and weekly report tests: the monitoring
tests' loopback servers and monitor factory, and a week of generated probe results."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from checks.monitoring import services as monitoring
from checks.monitoring.models import Incident, Monitor, ProbeResult
from checks.statuspage import services as statuspage
from checks.statuspage.models import StatusPage
from clients.models import Client
from tests.monitoring.conftest import (  # noqa: F401 - fixtures
    LoopbackServer,
    _loopback_allowed,
    make_monitor,
    site,
)

# ISO week 2026-W10: Monday 2 March 2026. Berlin is UTC+1 then (summer time starts 29 March).
WEEK = "2026-W10"
BERLIN_START = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # Mon 00:00 in Berlin
BERLIN_END = BERLIN_START + timedelta(days=7)


def status_page_on(
    client: Client, public: dict[int, tuple[str, bool]], *, title: str = "Acme", intro: str = ""
) -> StatusPage:
    """The client's status page, switched on at /status/acme/ and showing ``public``
    ({monitor id: (public name, show url)})."""
    return statuspage.status_page_update(
        page=statuspage.status_page_for(client),
        enabled=True,
        slug="acme",
        title=title,
        intro=intro,
        public=public,
    )


@dataclass
class GeneratedWeek:
    monitor: Monitor
    raw: list[tuple[datetime, bool, int | None]]  # inside the week only
    incidents: list[Incident]


def generate_week(
    monitor: Monitor,
    *,
    start: datetime = BERLIN_START,
    seed: int = 7,
    outages: tuple[tuple[timedelta, timedelta], ...] = (),
    every: timedelta = timedelta(minutes=5),
    base_latency: int = 180,
) -> GeneratedWeek:
    """Probe results every `every` from a day before `start` to a day after the week,
    failing inside each (offset, length) outage, with an Incident row per outage as the
    scheduler would have opened and closed it. Returns the rows inside the week."""
    rng = random.Random(seed)
    rows, inside = [], []
    at = start - timedelta(days=1)
    end = start + timedelta(days=8)
    windows = [(start + off, start + off + length) for off, length in outages]
    while at < end:
        down = any(a <= at < b for a, b in windows)
        latency = None if down else int(rng.lognormvariate(0, 0.35) * base_latency)
        rows.append(ProbeResult(monitor=monitor, checked_at=at, ok=not down, latency_ms=latency))
        if start <= at < start + timedelta(days=7):
            inside.append((at, not down, latency))
        at += every
    ProbeResult.objects.bulk_create(rows, batch_size=2000)
    incidents = [
        Incident.objects.create(
            monitor=monitor,
            started_at=a,
            opened_at=a + every,
            closed_at=b,
            failures=int((b - a) / every),
            first_error="connection refused by 10.0.0.5 (internal-db-primary)",
            last_error="connection refused by 10.0.0.5 (internal-db-primary)",
            alerted_at=a + every,
        )
        for a, b in windows
    ]
    return GeneratedWeek(monitor, inside, incidents)


def roll_up_and_prune(start: datetime = BERLIN_START) -> None:
    """Roll every hour up, then drop the raw rows, as 48 hours of pruning would: what the
    report shows must come from the rollups."""
    end = start + timedelta(days=8)
    hours = int((end - (start - timedelta(days=1))).total_seconds() // 3600) + 1
    monitoring.rollups_build(now=end + timedelta(hours=1), hours=hours)
    ProbeResult.objects.all().delete()


@pytest.fixture
def berlin_client(client_a):
    client_a.time_zone = "Europe/Berlin"
    client_a.save(update_fields=["time_zone"])
    return client_a
