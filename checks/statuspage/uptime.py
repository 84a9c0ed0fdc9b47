"""The 90-day uptime bars: a per-day table (DailyUptime) summarised hourly from the
rollups, read back with today's rollups and the raw results not yet rolled up.

A year of rollups for 20 monitors is 175,000 rows; summing 90 days of them on every page
view was most of the page's time. The day table holds 90 rows per monitor for the same
window, and only the days after the last one summarised are summed from rollups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from checks.monitoring.models import ProbeResult, Rollup
from checks.monitoring.services import epoch_hour, hour_start
from checks.statuspage.models import DailyUptime

BAR_DAYS = 90
EPOCH = date(1970, 1, 1)
EPOCH_ORDINAL = EPOCH.toordinal()


@dataclass(slots=True)
class DayBar:
    day: date
    total: int = 0
    failures: int = 0

    @property
    def uptime_pct(self) -> float | None:
        return None if self.total == 0 else 100.0 * (self.total - self.failures) / self.total


def _day_index(day: date) -> int:
    return (day - EPOCH).days


def _utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def days_summarise(*, now: datetime | None = None) -> int:
    """(Re)write the day rows of complete UTC days from the rollups, for every monitor:
    from the day before the last one summarised (the rollups of the last hours may still be
    rebuilt) through yesterday, or the whole bar window the first time or after a long
    stop. Idempotent: the rows of those days are replaced. Returns rows written."""
    now = now or timezone.now()
    today = _utc_day(now)
    window_start = today - timedelta(days=BAR_DAYS)
    last = DailyUptime.objects.aggregate(last=Max("day"))["last"]
    start = window_start if last is None else max(window_start, last - timedelta(days=1))
    if start >= today:
        return 0
    rows = (
        Rollup.objects.filter(hour__gte=_day_index(start) * 24, hour__lt=_day_index(today) * 24)
        .annotate(d=F("hour") / 24)
        .values("monitor_id", "d")
        .annotate(t=Sum("total"), f=Sum("failures"))
        .values_list("monitor_id", "d", "t", "f")
    )
    days = [
        DailyUptime(monitor_id=pk, day=EPOCH + timedelta(days=d), total=t, failures=f)
        for pk, d, t, f in rows
    ]
    with transaction.atomic():
        DailyUptime.objects.filter(day__gte=start, day__lt=today).delete()
        DailyUptime.objects.bulk_create(days, batch_size=1000)
    return len(days)


def day_bars(monitor_ids: list[int], *, now: datetime) -> dict[int, list[DayBar]]:
    """BAR_DAYS bars per monitor, oldest first, the last one today (UTC). Three queries:
    the day rows, the rollups after the last summarised day (normally today's hours),
    and the raw results of the hours not yet rolled up."""
    today = _utc_day(now)
    first_day = today - timedelta(days=BAR_DAYS - 1)
    first_index = _day_index(first_day)
    # 1,800 rows for 20 monitors: plain loops, no per-row helpers (bench/statuspage_bench.py).
    sums: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    summarised = -1
    for pk, day, total, failures in DailyUptime.objects.filter(
        monitor_id__in=monitor_ids, day__gte=first_day, day__lt=today
    ).values_list("monitor_id", "day", "total", "failures"):
        index = day.toordinal() - EPOCH_ORDINAL
        sums[pk][index] = (total, failures)
        if index > summarised:
            summarised = index
    # Days after the last summarised one come from the rollups (today, and yesterday in
    # the minutes after midnight; the whole window before the task first ran).
    from_index = max(summarised + 1, first_index)
    end_hour = epoch_hour(now) + 1
    last_rolled: dict[int, int] = {}
    for pk, day, total, failures, hour in (
        Rollup.objects.filter(
            monitor_id__in=monitor_ids, hour__gte=from_index * 24, hour__lt=end_hour
        )
        .annotate(d=F("hour") / 24)
        .values("monitor_id", "d")
        .annotate(t=Sum("total"), f=Sum("failures"), h=Max("hour"))
        .values_list("monitor_id", "d", "t", "f", "h")
    ):
        sums[pk][day] = (total, failures)
        last_rolled[pk] = max(hour, last_rolled.get(pk, -1))
    # Raw results for the hours after each monitor's last rollup (normally the current hour).
    for pk, at, ok in ProbeResult.objects.filter(
        monitor_id__in=monitor_ids, checked_at__gte=hour_start(end_hour - 2)
    ).values_list("monitor_id", "checked_at", "ok"):
        hour = epoch_hour(at)
        if hour <= last_rolled.get(pk, -1) or hour // 24 < from_index:
            continue
        total, failures = sums[pk].get(hour // 24, (0, 0))
        sums[pk][hour // 24] = (total + 1, failures + (0 if ok else 1))
    days = [(first_index + n, first_day + timedelta(days=n)) for n in range(BAR_DAYS)]
    empty = (0, 0)
    out: dict[int, list[DayBar]] = {}
    for pk in monitor_ids:
        by_day = sums.get(pk, {})
        bars = []
        for index, day in days:
            total, failures = by_day.get(index, empty)
            bars.append(DayBar(day, total, failures))
        out[pk] = bars
    return out
