"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from checks.browser import services


@db_task(retries=0)
def run_lighthouse(run_id: int) -> None:
    services.lighthouse_run_execute(run_id=run_id)


@db_periodic_task(crontab(minute="23"))
def browser_purge() -> None:
    """Hourly: drop Lighthouse audits, journey runs and their files past the retention."""
    services.browser_purge()
