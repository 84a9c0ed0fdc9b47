"""Huey tasks of the clients app: the reaper every background job kind shares."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from clients.jobs.services import jobs_reap


@db_periodic_task(crontab(minute="*"))
def reap_stale_jobs() -> None:
    # A worker killed mid-job leaves its row "running"; this fails it with a sentence.
    jobs_reap()
