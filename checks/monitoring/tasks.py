"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from checks.monitoring import services
from checks.monitoring.models import Monitor


@db_periodic_task(crontab(minute="*"))
def monitors_tick() -> None:
    """Every minute: book the runs for the minute's other slots (:15, :30, :45), probe
    what is due now, then retry alerts that failed to go out. Due times are spread over
    the slots, so each run probes a quarter of the per-minute load and scheduling lag
    stays low."""
    minute = services.slot_floor(timezone.now())
    for k in range(1, 60 // services.SLOT_SECONDS):
        monitors_slot_run.schedule(eta=minute + timedelta(seconds=k * services.SLOT_SECONDS))
    services.monitors_run_due()
    services.alerts_retry(now=timezone.now())


@db_task(retries=0)
def monitor_check_task(monitor_id: int) -> None:
    """One probe for "Check now"; a monitor deleted or paused meanwhile is skipped."""
    monitor = Monitor.objects.filter(pk=monitor_id, enabled=True).first()
    if monitor is not None:
        services.monitor_check_now(monitor=monitor)


@db_task()
def monitors_slot_run() -> None:
    services.monitors_run_due()


@db_periodic_task(crontab(minute="2"))
def monitor_rollups_build() -> None:
    services.rollups_build(hours=2)


@db_periodic_task(crontab(minute="17"))
def monitor_results_prune() -> None:
    services.results_prune()
