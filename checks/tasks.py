"""Huey tasks: thin wrappers around checks.services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from checks import services


@db_task(retries=0)
def run_checks(run_id: int) -> None:
    services.check_run_execute(run_id=run_id)
