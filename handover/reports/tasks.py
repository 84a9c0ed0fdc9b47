"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from handover.reports import services


@db_periodic_task(crontab(minute="5"))
def weekly_reports_send() -> None:
    """Hourly: mail the reports that are due (Monday 08:00 in each client's time zone).
    Safe to run twice: a delivery row per client, week and recipient is claimed first."""
    services.reports_send_due()
