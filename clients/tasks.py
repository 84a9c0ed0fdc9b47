"""Huey tasks of the clients app: the reaper every background job kind shares, and the
purge of removed rows whose undo window is over."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from clients.jobs.services import jobs_reap
from clients.services import removed_purge


@db_periodic_task(crontab(minute="*"))
def reap_stale_jobs() -> None:
    # A worker killed mid-job leaves its row "running"; this fails it with a sentence.
    jobs_reap()


@db_periodic_task(crontab(minute="*"))
def purge_removed() -> None:
    # Removed domains, accounts, secret records and allowlist entries past their undo window.
    removed_purge()
