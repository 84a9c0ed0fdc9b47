"""Huey tasks: thin wrappers around checks.services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from checks import services


@db_task()
def run_checks(run_id: int) -> None:
    services.check_run_execute(run_id=run_id)


@db_periodic_task(crontab(minute="*"))
def reap_stale_check_runs() -> None:
    # A worker killed mid-run leaves its run "running"; this marks it failed.
    services.check_runs_reap()
