"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from clients.notifications import delivery, services


@db_task(retries=0)
def notification_event_deliver(kind: str, key: str) -> None:
    """Right after an event commits. Failures are retried by the minute tick."""
    delivery.event_deliver(kind, key)


@db_periodic_task(crontab(minute="*"))
def notifications_tick() -> None:
    """Every minute: deadline warnings, then whatever is due (missed sends, retries,
    digests). Safe to run twice: rows are claimed before they are sent."""
    services.deadlines_sweep()
    delivery.notifications_deliver_due()
