"""Hourly rollups: percentiles from the histogram match the raw results within one
bucket's width; rebuilding is idempotent; pruning keeps rollups; a year stays small."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from checks.monitoring import histogram, services, stats
from checks.monitoring.models import ProbeResult, Rollup
from tests.monitoring.conftest import T0

latencies = st.lists(
    st.floats(min_value=0, max_value=59_999, allow_nan=False), min_size=1, max_size=400
)


@given(values=latencies, p=st.sampled_from([50, 90, 95, 99, 99.9]))
def test_histogram_percentile_is_within_one_bucket_of_the_raw_percentile(values, p):
    estimate = histogram.percentile(histogram.counts_from(values), p)
    exact = histogram.raw_percentile(values, p)
    low, high = histogram.bucket_bounds(histogram.bucket_of(exact))
    assert abs(estimate - exact) <= high - low


@given(values=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=200))
def test_encoding_round_trips(values):
    counts = histogram.counts_from(values)
    assert histogram.decode(histogram.encode(counts)) == counts


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.integers(min_value=1, max_value=3000), min_size=20, max_size=180))
def test_rollup_percentiles_match_raw_results_without_reading_raw_rows(make_monitor, values):
    # Raw results spread over three hours, rolled up, raw rows deleted, then compared.
    ProbeResult.objects.all().delete()
    Rollup.objects.all().delete()
    monitor = make_monitor("http://127.0.0.1:9/")
    ProbeResult.objects.bulk_create(
        ProbeResult(
            monitor=monitor, checked_at=T0 + timedelta(seconds=60 * i), ok=True, latency_ms=v
        )
        for i, v in enumerate(values)
    )
    end = T0 + timedelta(seconds=60 * len(values))
    services.rollups_build(now=end + timedelta(hours=1), hours=5)
    ProbeResult.objects.all().delete()
    aggs = stats.hourly([monitor.pk], hours=24, now=end + timedelta(hours=1))[monitor.pk]
    total = stats.period(aggs, hours=24, now=end + timedelta(hours=1))
    assert total.total == len(values) and total.failures == 0
    for p in (50, 95, 99):
        exact = histogram.raw_percentile(values, p)
        low, high = histogram.bucket_bounds(histogram.bucket_of(exact))
        assert abs(total.p(p) - exact) <= high - low
    monitor.delete()


def test_rebuilding_an_hour_is_idempotent_and_counts_failures(make_monitor):
    monitor = make_monitor("http://127.0.0.1:9/")
    ProbeResult.objects.bulk_create(
        [
            ProbeResult(
                monitor=monitor, checked_at=T0 + timedelta(minutes=i), ok=i % 10 != 0, latency_ms=80
            )
            for i in range(60)
        ]
    )
    for _ in range(2):
        services.rollups_build(now=T0 + timedelta(hours=1, minutes=2), hours=2)
    rollup = Rollup.objects.get(monitor=monitor)
    assert (rollup.total, rollup.failures) == (60, 6)
    assert rollup.hour == services.epoch_hour(T0)
    assert sum(histogram.decode(rollup.histogram)) == 54


def test_current_hour_comes_from_raw_rows_until_it_is_rolled_up(make_monitor):
    monitor = make_monitor("http://127.0.0.1:9/")
    ProbeResult.objects.create(
        monitor=monitor, checked_at=T0 + timedelta(minutes=5), ok=False, latency_ms=None
    )
    ProbeResult.objects.create(
        monitor=monitor, checked_at=T0 + timedelta(minutes=6), ok=True, latency_ms=120
    )
    summary = stats.summaries([monitor], now=T0 + timedelta(minutes=30))[0]
    assert summary.periods["24h"].uptime_pct == 50.0
    assert summary.days[-1].agg.total == 2


def test_pruning_deletes_raw_results_older_than_48_hours_and_keeps_rollups(make_monitor):
    monitor = make_monitor("http://127.0.0.1:9/")
    ProbeResult.objects.create(monitor=monitor, checked_at=T0, ok=True, latency_ms=50)
    ProbeResult.objects.create(
        monitor=monitor, checked_at=T0 + timedelta(hours=47), ok=True, latency_ms=50
    )
    services.rollups_build(now=T0 + timedelta(hours=1), hours=1)
    assert services.results_prune(now=T0 + timedelta(hours=48, minutes=1)) == 1
    assert ProbeResult.objects.count() == 1 and Rollup.objects.count() == 1


def test_a_year_of_rollups_per_monitor_stays_under_one_megabyte(make_monitor, tmp_path):
    """Measured, not estimated: a year of hourly rows (60 probes spread over four buckets
    each hour) in a fresh SQLite file with the same table and index, sized by dbstat."""
    import sqlite3

    from django.db import connection

    text = histogram.encode(histogram.counts_from([35] * 20 + [80] * 25 + [140] * 10 + [900] * 5))
    start = services.epoch_hour(T0)
    if connection.vendor == "postgresql":
        # PostgreSQL: fill the real table for one monitor and ask for its size on disk
        # (heap, indexes and TOAST), the only rows it holds in this test.
        monitor = make_monitor("http://127.0.0.1:9/")
        Rollup.objects.bulk_create(
            Rollup(monitor=monitor, hour=start + h, total=60, failures=1, histogram=text)
            for h in range(24 * 365)
        )
        # Measured on a fresh copy of the table: the real one also holds dead rows that
        # earlier tests' rolled-back transactions left until the next vacuum.
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE rollup_year (LIKE monitoring_rollup INCLUDING ALL)")
            cursor.execute(
                "INSERT INTO rollup_year SELECT * FROM monitoring_rollup WHERE monitor_id = %s",
                [monitor.pk],
            )
            cursor.execute("SELECT pg_total_relation_size('rollup_year')")
            used = cursor.fetchone()[0]
        assert 300_000 < used < 1_000_000
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'monitoring_rollup' AND sql IS NOT NULL"
        )
        schema = [row[0] for row in cursor.fetchall()]
    db = sqlite3.connect(tmp_path / "year.sqlite3")
    for statement in schema:
        db.execute(
            statement.replace(
                'REFERENCES "monitoring_monitor" ("id") DEFERRABLE INITIALLY DEFERRED', ""
            )
        )
    db.executemany(
        "INSERT INTO monitoring_rollup (monitor_id, hour, total, failures, histogram) VALUES (?, "
        "?, "
        "?, ?, ?)",
        [(1, start + h, 60, 1, text) for h in range(24 * 365)],
    )
    db.commit()
    used = db.execute(
        "SELECT SUM(pgsize - unused) FROM dbstat WHERE name LIKE '%rollup%' OR name LIKE "
        "'sqlite_autoindex%'"
    ).fetchone()[0]
    assert 300_000 < used < 1_000_000
