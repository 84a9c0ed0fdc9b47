"""Read side: uptime and latency percentiles for any period, from hourly rollups, with
raw results standing in only for hours not rolled up yet (the current hour)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings

from checks.monitoring import histogram
from checks.monitoring.models import Monitor, ProbeResult, Rollup
from checks.monitoring.services import epoch_hour, hour_start

PERIODS = {"24h": 24, "7d": 24 * 7, "30d": 24 * 30, "1y": 24 * 365}


@dataclass
class Agg:
    total: int = 0
    failures: int = 0
    counts: list[int] = field(default_factory=lambda: [0] * histogram.BUCKETS)

    def add(self, other: Agg) -> Agg:
        self.total += other.total
        self.failures += other.failures
        histogram.merge(self.counts, other.counts)
        return self

    @property
    def uptime_pct(self) -> float | None:
        return None if self.total == 0 else 100.0 * (self.total - self.failures) / self.total

    def p(self, percent: float) -> float | None:
        return histogram.percentile(self.counts, percent)


def hourly(monitor_ids: Iterable[int], *, hours: int, now: datetime) -> dict[int, dict[int, Agg]]:
    """{monitor id: {epoch hour: Agg}} for the last `hours` hours including the current one."""
    ids = list(monitor_ids)
    end = epoch_hour(now) + 1
    start = end - hours
    out: dict[int, dict[int, Agg]] = defaultdict(dict)
    rows = Rollup.objects.filter(monitor_id__in=ids, hour__gte=start, hour__lt=end).values_list(
        "monitor_id", "hour", "total", "failures", "histogram"
    )
    for pk, hour, total, failures, text in rows.iterator(chunk_size=5000):
        out[pk][hour] = Agg(total, failures, histogram.decode(text))
    # Raw rows only for hours without a rollup: start after the last hour every monitor has.
    raw_from = max(hour_start(start), now - timedelta(hours=settings.MONITOR_RAW_RETENTION_HOURS))
    if ids and all(out.get(pk) for pk in ids):
        raw_from = max(raw_from, hour_start(min(max(out[pk]) for pk in ids) + 1))
    raw = ProbeResult.objects.filter(
        monitor_id__in=ids, checked_at__gte=raw_from, checked_at__lt=hour_start(end)
    ).values_list("monitor_id", "checked_at", "ok", "latency_ms")
    partial: dict[tuple[int, int], Agg] = {}
    for pk, at, ok, latency in raw.iterator(chunk_size=5000):
        hour = epoch_hour(at)
        if hour in out[pk] and (pk, hour) not in partial:
            continue  # rolled up already
        agg = partial.setdefault((pk, hour), Agg())
        agg.total += 1
        if not ok:
            agg.failures += 1
        elif latency is not None:
            agg.counts[histogram.bucket_of(latency)] += 1
    for (pk, hour), agg in partial.items():
        out[pk][hour] = agg
    return out


def period(aggs: dict[int, Agg], *, hours: int, now: datetime) -> Agg:
    first = epoch_hour(now) + 1 - hours
    total = Agg()
    for hour, agg in aggs.items():
        if hour >= first:
            total.add(agg)
    return total


@dataclass
class Day:
    day: date
    agg: Agg


def daily(aggs: dict[int, Agg], *, days: int, now: datetime) -> list[Day]:
    by_day: dict[date, Agg] = defaultdict(Agg)
    for hour, agg in aggs.items():
        by_day[hour_start(hour).date()].add(agg)
    today = now.date()
    return [
        Day(d, by_day.get(d, Agg()))
        for d in (today - timedelta(days=n) for n in range(days - 1, -1, -1))
    ]


@dataclass
class Summary:
    monitor: Monitor
    periods: dict[str, Agg]
    days: list[Day]


def summaries(monitors: list[Monitor], *, now: datetime, with_year: bool = False) -> list[Summary]:
    """Uptime and percentiles per period, plus 30 daily aggregates, for a few monitors."""
    span = PERIODS["1y"] if with_year else PERIODS["30d"]
    data = hourly([m.pk for m in monitors], hours=span, now=now)
    out = []
    for monitor in monitors:
        aggs = data.get(monitor.pk, {})
        periods = {
            name: period(aggs, hours=hours, now=now)
            for name, hours in PERIODS.items()
            if hours <= span
        }
        out.append(Summary(monitor, periods, daily(aggs, days=30, now=now)))
    return out


@dataclass
class LatencyPoint:
    at: datetime
    p50: float | None
    p95: float | None
    failures: int


def recent_latency(
    monitor: Monitor, *, now: datetime, hours: int = 24, bin_minutes: int = 10
) -> list[LatencyPoint]:
    """p50/p95 per `bin_minutes` over the last `hours`, from raw results (kept 48 h)."""
    start = now - timedelta(hours=hours)
    width = bin_minutes * 60
    first = int(start.timestamp()) // width
    bins: dict[int, list] = defaultdict(lambda: [[], 0])
    rows = ProbeResult.objects.filter(monitor=monitor, checked_at__gt=start, checked_at__lte=now)
    for at, ok, latency in rows.values_list("checked_at", "ok", "latency_ms"):
        entry = bins[int(at.timestamp()) // width]
        if ok and latency is not None:
            entry[0].append(latency)
        elif not ok:
            entry[1] += 1
    points = []
    for index in range(first, int(now.timestamp()) // width + 1):
        values, failures = bins.get(index, ([], 0))
        points.append(
            LatencyPoint(
                at=hour_start(0) + timedelta(seconds=index * width),
                p50=histogram.raw_percentile(values, 50),
                p95=histogram.raw_percentile(values, 95),
                failures=failures,
            )
        )
    return points


def daily_latency(days: list[Day]) -> list[LatencyPoint]:
    return [
        LatencyPoint(
            at=datetime(d.day.year, d.day.month, d.day.day, tzinfo=hour_start(0).tzinfo),
            p50=d.agg.p(50),
            p95=d.agg.p(95),
            failures=d.agg.failures,
        )
        for d in days
    ]
