"""Public status page server time with 20 public monitors and a year of hourly rollups.

    uv run python bench/statuspage_bench.py [--monitors 20] [--days 365] [--requests 100]

Seeds a throw-away SQLite database (or DATABASE_URL if set): one client, N monitors on its
page, a year of rollups each (a few failing hours a week), raw results for the current
hour, a dozen incidents with public updates, and a maintenance window. Then requests the
page through Django's test client (full middleware, no cache in front) and prints median
and p95 server time and the query count of: a full render before and after the hourly
task fills the day table (the cache cleared before each request), the body served from
the cache under its ETag, and a conditional GET answered 304 from the facts alone.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard_bench import setup_database  # noqa: E402


def seed(n_monitors: int, days: int) -> str:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from checks.monitoring import services as monitoring
    from checks.monitoring.models import Incident, MaintenanceWindow, ProbeResult, Rollup
    from checks.statuspage import services
    from clients.models import Client
    from handover.demo import made_up_hour

    rng = random.Random(1)
    user = get_user_model().objects.create_user("bench", is_staff=True)
    client = Client.objects.create(name="Bench Co", business_type="b2b", maturity="launch")
    now = timezone.now()
    current = monitoring.epoch_hour(now)
    public = {}
    for i in range(n_monitors):
        monitor = monitoring.monitor_create(
            client=client, by=user, name=f"Internal {i}", url=f"https://svc{i}.bench.test/", now=now
        )
        public[monitor.pk] = (f"Service {i}", False)
        rows = []
        for hour in range(current - days * 24, current):
            failures = 3 if rng.random() < 0.01 else 0
            latencies = [int(rng.lognormvariate(5, 0.4)) for _ in range(60 - failures)]
            rows.append(made_up_hour(monitor, hour, latencies_ms=latencies, failures=failures))
        Rollup.objects.bulk_create(rows, batch_size=5000)
        ProbeResult.objects.bulk_create(
            ProbeResult(
                monitor=monitor, checked_at=now - timedelta(minutes=m), ok=True, latency_ms=120
            )
            for m in range(min(now.minute, 59))
        )
        if i < 12:
            incident = Incident.objects.create(
                monitor=monitor,
                started_at=now - timedelta(days=i, hours=3),
                opened_at=now - timedelta(days=i, hours=3),
                closed_at=now - timedelta(days=i, hours=2),
            )
            for state in ("investigating", "resolved"):
                services.incident_update_add(
                    incident=incident, by=user, state=state, body="We are on it.", public=True
                )
    MaintenanceWindow.objects.create(
        monitor_id=next(iter(public)),
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
    )
    page = services.status_page_for(client)
    services.status_page_update(
        page=page, enabled=True, slug="bench", title="Bench Co", intro="", public=public
    )
    return f"/status/{page.slug}/"


def _timed(
    client, url: str, n: int, *, clear: bool = False, **headers
) -> tuple[list[float], list[float]]:
    """Wall time and this thread's CPU time per request, in ms, sorted. On a shared
    machine the wall time includes waiting for a core; the CPU time does not."""
    from django.core.cache import cache

    wall, cpu = [], []
    for _ in range(n):
        if clear:
            cache.clear()
        t0, c0 = time.perf_counter(), time.thread_time()
        response = client.get(url, **headers)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert response.status_code == (304 if headers else 200), response.status_code
    return sorted(wall), sorted(cpu)


def _line(label: str, times: tuple[list[float], list[float]], queries: int) -> str:
    wall, cpu = times
    p95 = wall[max(0, int(len(wall) * 0.95) - 1)]
    return (
        f"{label:<32} median {statistics.median(wall):5.1f} ms, p95 {p95:5.1f} ms "
        f"(CPU median {statistics.median(cpu):5.1f} ms), {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_database(var_dir)
        import time_machine
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client as TestClient
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from checks.monitoring.models import Rollup
        from checks.statuspage import uptime

        started = time.perf_counter()
        url = seed(args.monitors, args.days)
        print(
            f"seeded {args.monitors} monitors, {Rollup.objects.count():,} rollups "
            f"in {time.perf_counter() - started:.1f} s"
        )
        client = TestClient()

        def queries(**headers) -> int:
            with CaptureQueriesContext(connection) as ctx:
                client.get(url, **headers)
            return len(ctx.captured_queries)

        # The ETag holds the minute the page says "as of": hold the clock still so every
        # conditional GET matches (a real visitor's does within the minute).
        with time_machine.travel(timezone.now(), tick=False):
            n = max(10, args.requests // 4)
            before = _timed(client, url, n, clear=True)
            before_q = (cache.clear(), queries())[1]
            t0 = time.perf_counter()
            written = uptime.days_summarise()
            summarise_ms = (time.perf_counter() - t0) * 1000
            print(f"day table: {written:,} rows summarised in {summarise_ms:.0f} ms")
            first = client.get(url)
            assert first.status_code == 200
            assert "Vary" not in first or "Cookie" not in first["Vary"], first["Vary"]
            etag = first["ETag"]
            full = _timed(client, url, args.requests, clear=True)
            full_q = (cache.clear(), queries())[1]
            client.get(url)
            cached = _timed(client, url, args.requests)
            cached_q = queries()
            not_modified = _timed(client, url, args.requests, HTTP_IF_NONE_MATCH=etag)
            not_modified_q = queries(HTTP_IF_NONE_MATCH=etag)
        load = os.getloadavg()
        print(f"page: {len(first.content) / 1024:.0f} KiB")
        print(_line("full render, day table not yet", before, before_q))
        print(_line("full render (cache cleared)", full, full_q) + "  (target < 50 ms)")
        print(_line("cached body (ETag from facts)", cached, cached_q))
        print(_line("304 (If-None-Match)", not_modified, not_modified_q))
        print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
