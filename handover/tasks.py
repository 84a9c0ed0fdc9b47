"""Huey task: thin wrapper that loads the job by primary key and calls the service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from handover import services


@db_task(retries=0)
def issue_handover(job_id: int) -> None:
    """Render and sign a handover in the background; a job that is gone returns quietly."""
    services.handover_run_job(job_id=job_id)
