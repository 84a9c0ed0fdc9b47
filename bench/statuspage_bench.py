"""Public status page server time with 20 public monitors and a year of hourly rollups.

    uv run python bench/statuspage_bench.py [--monitors 20] [--days 365] [--requests 100]

Seeds a throw-away SQLite database (or DATABASE_URL if set): one client, N monitors on its
page, a year of rollups each (a few failing hours a week), raw results for the current
hour, a dozen incidents with public updates, and a maintenance window. Then requests the
page through Django's test client (full middleware, no cache in front) and prints median
and p95 server time, the query count, and the time of a conditional GET (304).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard_bench import setup_django  # noqa: E402


def seed(n_monitors: int, days: int) -> str:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from checks.monitoring import histogram
    from checks.monitoring import services as monitoring
    from checks.monitoring.models import Incident, MaintenanceWindow, ProbeResult, Rollup
    from checks.statuspage import services
    from clients.models import Client

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
            counts = [0] * histogram.BUCKETS
            for _ in range(60 - failures):
                counts[histogram.bucket_of(int(rng.lognormvariate(5, 0.4)))] += 1
            rows.append(
                Rollup(
                    monitor=monitor,
                    hour=hour,
                    total=60,
                    failures=failures,
                    histogram=histogram.encode(counts),
                )
            )
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--monitors", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client as TestClient
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        started = time.perf_counter()
        url = seed(args.monitors, args.days)
        from checks.monitoring.models import Rollup

        print(
            f"seeded {args.monitors} monitors, {Rollup.objects.count():,} rollups "
            f"in {time.perf_counter() - started:.1f} s"
        )
        client = TestClient()
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        times, cond = [], []
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
            t0 = time.perf_counter()
            again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
            # The page says "as of HH:MM": across a minute boundary the body, and so the
            # ETag, changes and the answer is a full 200.
            if again.status_code == 304:
                cond.append((time.perf_counter() - t0) * 1000)
            else:
                assert again.status_code == 200
        times.sort()
        cond.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"page: {len(first.content) / 1024:.0f} KiB, {len(ctx.captured_queries)} queries")
        print(f"GET   median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms (target < 50 ms)")
        print(f"304   median {statistics.median(cond):.1f} ms ({len(cond)} of {len(times)})")
        assert "Vary" not in first or "Cookie" not in first["Vary"], first["Vary"]


if __name__ == "__main__":
    main()
