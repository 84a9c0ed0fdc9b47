"""The scheduler: atomic claims under two concurrent consumers, cadence, heartbeat."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from checks.monitoring import services
from checks.monitoring.models import Monitor, ProbeResult
from tests.monitoring.conftest import T0


def test_a_due_monitor_is_claimed_once_and_comes_back_one_interval_later(site, make_monitor):
    monitor = make_monitor(site.url, interval_seconds=120)
    assert [s.monitor_id for s in services.monitors_claim(now=T0)] == [monitor.pk]
    assert services.monitors_claim(now=T0) == []
    assert services.monitors_claim(now=T0 + timedelta(seconds=119)) == []
    assert len(services.monitors_claim(now=T0 + timedelta(seconds=120))) == 1


def test_missed_slots_are_skipped_not_replayed(site, make_monitor):
    monitor = make_monitor(site.url, interval_seconds=60)
    late = T0 + timedelta(hours=3, seconds=7)
    assert len(services.monitors_claim(now=late)) == 1
    monitor.refresh_from_db()
    assert monitor.next_due_at == services.slot_floor(late) + timedelta(seconds=60)
    assert services.monitors_claim(now=late) == []


def test_paused_monitors_are_never_claimed(site, make_monitor, consultant):
    monitor = make_monitor(site.url)
    services.monitor_pause(monitor=monitor, by=consultant, now=T0)
    assert services.monitors_claim(now=T0 + timedelta(hours=1)) == []


@pytest.mark.django_db(transaction=True)
def test_two_consumers_at_once_never_probe_one_monitor_twice_in_a_period(site, make_monitor):
    monitors = [make_monitor(f"{site.url}m/{i}", name=f"M{i}") for i in range(60)]
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def consumer(now):
        try:
            barrier.wait()
            reports.append(services.monitors_run_due(now=now, workers=8))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    for period in range(3):
        now = T0 + timedelta(seconds=60 * period)
        threads = [threading.Thread(target=consumer, args=(now,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        # Every monitor probed exactly once per period, whichever consumer got it.
        assert sorted(site.hits.values()) == [period + 1] * len(monitors)
    assert sum(r.claimed for r in reports) == 3 * len(monitors)
    assert ProbeResult.objects.count() == 3 * len(monitors)


def test_run_writes_a_heartbeat_that_healthz_reports(client, site, make_monitor):
    from django.utils import timezone

    make_monitor(site.url)
    stale = client.get("/healthz").json()["checks"]["scheduler"]
    assert stale["ok"] is False and stale["heartbeat_age_s"] is None
    services.monitors_run_due(now=timezone.now())
    fresh = client.get("/healthz").json()["checks"]["scheduler"]
    assert fresh["ok"] is True and fresh["heartbeat_age_s"] < 180


def test_healthz_stays_ok_without_monitors_even_if_the_scheduler_never_ran(client, db):
    assert client.get("/healthz").json()["checks"]["scheduler"]["ok"] is True


def test_staff_see_a_banner_when_the_scheduler_has_not_run_for_3_minutes(
    staff_client, site, make_monitor
):
    from django.utils import timezone

    make_monitor(site.url)
    services.heartbeat_beat(now=timezone.now() - timedelta(minutes=4))
    page = staff_client.get("/dashboard/").content.decode()
    assert "uptime scheduler has not run for 4 minutes" in page
    services.heartbeat_beat(now=timezone.now())
    assert "uptime scheduler" not in staff_client.get("/dashboard/").content.decode()


def test_founders_never_see_the_scheduler_banner(founder_client, site, make_monitor, sprint_a):
    make_monitor(site.url)
    assert (
        "uptime scheduler" not in founder_client.get(f"/portal/{sprint_a.code}/").content.decode()
    )


def test_periodic_task_runs_the_scheduler(site, make_monitor):
    from checks.monitoring.tasks import monitors_tick

    monitor = make_monitor(site.url)
    Monitor.objects.filter(pk=monitor.pk).update(next_due_at=T0)
    monitors_tick.call_local()
    monitor.refresh_from_db()
    assert monitor.last_checked_at is not None and site.hits["/"] == 1
