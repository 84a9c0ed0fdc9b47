"""The day table behind the 90-day bars: summarised from the rollups with the right
numbers, idempotent, catching up on late rollups, and read back to the same bars as
summing the rollups directly."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from checks.monitoring import services as monitoring
from checks.monitoring.models import ProbeResult, Rollup
from checks.statuspage import services, tasks, uptime
from checks.statuspage.models import DailyUptime
from tests.afterlaunch.conftest import status_page_on

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
START = datetime(2026, 3, 4, tzinfo=UTC)


@pytest.fixture
def probed(client_a, make_monitor):
    """Two monitors probed every 10 minutes from 4 March to now, about 5% failing, rolled
    up and pruned except the current hour, as production leaves them; on a page."""
    rng = random.Random(3)
    monitors = [
        make_monitor(f"https://s{i}.acme.test/", name=f"Svc {i}", now=START) for i in range(2)
    ]
    expected: dict[int, dict[date, list[int]]] = {
        m.pk: defaultdict(lambda: [0, 0]) for m in monitors
    }
    rows = []
    for monitor in monitors:
        at = START
        while at < NOW:
            ok = rng.random() > 0.05
            rows.append(ProbeResult(monitor=monitor, checked_at=at, ok=ok, latency_ms=90))
            expected[monitor.pk][at.date()][0] += 1
            expected[monitor.pk][at.date()][1] += 0 if ok else 1
            at += timedelta(minutes=10)
    ProbeResult.objects.bulk_create(rows, batch_size=2000)
    monitoring.rollups_build(now=NOW, hours=7 * 24)
    ProbeResult.objects.filter(checked_at__lt=NOW.replace(minute=0)).delete()
    page = status_page_on(client_a, {m.pk: (f"Public {m.pk}", False) for m in monitors})
    return page, monitors, expected


def _table() -> dict[tuple[int, date], tuple[int, int]]:
    return {
        (pk, day): (total, failures)
        for pk, day, total, failures in DailyUptime.objects.values_list(
            "monitor_id", "day", "total", "failures"
        )
    }


def test_summarise_writes_each_complete_day_as_the_sum_of_its_rollups(probed):
    page, monitors, expected = probed
    written = uptime.days_summarise(now=NOW)
    table = _table()
    assert written == len(table) == 2 * 6  # 4 to 9 March; today is not complete
    for monitor in monitors:
        for n in range(6):
            day = START.date() + timedelta(days=n)
            first = (day - date(1970, 1, 1)).days * 24
            sums = Rollup.objects.filter(
                monitor=monitor, hour__gte=first, hour__lt=first + 24
            ).values_list("total", "failures")
            from_rollups = (sum(t for t, _ in sums), sum(f for _, f in sums))
            assert table[(monitor.pk, day)] == from_rollups == tuple(expected[monitor.pk][day])
    assert not DailyUptime.objects.filter(day=NOW.date()).exists()


def test_bars_read_from_the_table_equal_the_rollups_and_raw_results(probed):
    page, monitors, expected = probed
    before = services.page_view(page, now=NOW)  # nothing summarised yet: all from rollups
    uptime.days_summarise(now=NOW)
    after = services.page_view(page, now=NOW)
    for entry_before, entry_after, monitor in zip(
        before.entries, after.entries, monitors, strict=True
    ):
        got = [(b.day, b.total, b.failures) for b in entry_after.bars]
        assert got == [(b.day, b.total, b.failures) for b in entry_before.bars]
        assert [(d, t, f) for d, t, f in got if t] == [
            (d, t, f) for d, (t, f) in sorted(expected[monitor.pk].items())
        ]
        assert entry_after.bars[-1].day == NOW.date() and entry_after.bars[-1].total == 75
        assert entry_after.uptime_pct == entry_before.uptime_pct


def test_summarise_twice_changes_nothing_and_picks_up_a_late_rollup(probed):
    page, monitors, expected = probed
    uptime.days_summarise(now=NOW)
    first = _table()
    assert uptime.days_summarise(now=NOW) > 0
    assert _table() == first
    # The monitoring app rebuilt yesterday's last hour after the summary: the next hourly
    # run of the periodic task, which redoes the last two days, folds it in.
    last_hour = (NOW.date() - date(1970, 1, 1)).days * 24 - 1
    rollup = Rollup.objects.get(monitor=monitors[0], hour=last_hour)
    Rollup.objects.filter(monitor=monitors[0], hour=last_hour).update(total=10, failures=10)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        tasks.status_days_summarise.call_local()
    yesterday = NOW.date() - timedelta(days=1)
    t, f = first[(monitors[0].pk, yesterday)]
    table = _table()
    assert table[(monitors[0].pk, yesterday)] == (t - rollup.total + 10, f - rollup.failures + 10)
    assert table[(monitors[1].pk, yesterday)] == first[(monitors[1].pk, yesterday)]
    assert len(table) == len(first)
