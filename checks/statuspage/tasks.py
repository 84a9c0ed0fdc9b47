"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from checks.statuspage import notices, services, uptime


@db_task(retries=2, retry_delay=60)
def status_update_notify(update_id: int) -> None:
    """Email a public incident update to the page's confirmed subscribers (once)."""
    services.update_notify(update_id=update_id)


# Five minutes after the monitoring app rebuilds the last hours' rollups (minute 2).
@db_periodic_task(crontab(minute="7"))
def status_days_summarise() -> None:
    """Fold the rollups of complete days into the day table the uptime bars read."""
    uptime.days_summarise()


@db_periodic_task(crontab(minute="*"))
def status_incidents_notify() -> None:
    """Email subscribers when an incident on a public monitor opens or resolves (once)."""
    notices.incident_notices_send()
