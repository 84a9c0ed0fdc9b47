"""Huey wrappers: thin, they only call the services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from checks.statuspage import services


@db_task(retries=2, retry_delay=60)
def status_update_notify(update_id: int) -> None:
    """Email a public incident update to the page's confirmed subscribers (once)."""
    services.update_notify(update_id=update_id)
