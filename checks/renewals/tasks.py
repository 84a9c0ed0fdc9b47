"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from checks.renewals import services


@db_periodic_task(crontab(minute="41", hour="3"))
def registrations_refresh() -> None:
    """Once a day: domain registration expiry from RDAP for names not read in 20 hours."""
    services.registrations_refresh_due()
