"""Huey wrappers: load by primary key, call the service. The queue only ever holds a
ScanRun's integer key, so no repository content or location passes through it."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from checks.secrets import services


@db_task(retries=0)
def scan_run_task(run_pk: int) -> None:
    """Run a queued secret scan; a run that is gone or already started returns quietly."""
    services.scan_run_execute(run_pk=run_pk)
