"""What the checks app tells other apps (the handover) about check results: typed,
read-only, and loud when something is wrong (no fallback to "not recorded")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checks.catalogue import CHECKS
from checks.models import CheckResult, CheckRun
from clients.jobs.models import JobStatus
from clients.models import Client, Sprint

STATUS_WORDS = {
    "pass": "OK",
    "warn": "Needs attention",
    "fail": "Failing",
    "error": "Could not check",
}


@dataclass(frozen=True)
class CheckRow:
    """One stored result. ``host`` is the name a TLS result is about (its ``target`` is a
    display string that also names the address)."""

    check: str
    target: str
    status: str  # pass / warn / fail / error
    summary: str
    checked_at: datetime | None
    title: str = ""
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    host: str = ""

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


def _rows(run: CheckRun) -> list[CheckRow]:
    rows = []
    result: CheckResult
    for result in run.results.order_by("check_id", "target"):
        evidence = result.evidence or {}
        info = CHECKS.get(result.check_id)
        rows.append(
            CheckRow(
                check=result.check_id,
                target=result.target,
                status=result.status,
                summary=result.summary,
                checked_at=run.finished_at,
                title=info.title if info else result.check_id,
                evidence=evidence,
                host=str(evidence.get("host") or result.target),
            )
        )
    return rows


def first_check_results(sprint: Sprint) -> list[CheckRow] | None:
    """Results of this sprint's first finished run (to tell what the sprint changed);
    None when no run has finished."""
    run = (
        CheckRun.objects.filter(sprint=sprint, status=JobStatus.DONE)
        .order_by("finished_at", "id")
        .first()
    )
    return _rows(run) if run is not None else None


def latest_check_results(sprint: Sprint) -> list[CheckRow] | None:
    """Results of the latest finished run of this sprint, else of the client's earlier
    sprints; None when no run has finished yet."""
    done = CheckRun.objects.filter(status=JobStatus.DONE).order_by("-finished_at", "-id")
    run = done.filter(sprint=sprint).first() or done.filter(sprint__client=sprint.client).first()
    return _rows(run) if run is not None else None


@dataclass(frozen=True)
class VerdictChange:
    """A check whose verdict on a target differs from the run before (``before`` is
    "new" when the earlier run did not have it)."""

    check_id: str
    target: str
    before: str
    after: str
    summary: str


def _latest_client_run(client: Client, before: datetime) -> CheckRun | None:
    return (
        CheckRun.objects.filter(
            sprint__client=client, status=JobStatus.DONE, finished_at__lt=before
        )
        .order_by("-finished_at")
        .first()
    )


def verdict_changes(client: Client, start: datetime, end: datetime) -> list[VerdictChange]:
    """Results of the client's last finished run in [start, end) against the last run
    before it; empty when no run finished in that window."""
    after_run = _latest_client_run(client, end)
    if after_run is None or after_run.finished_at is None or after_run.finished_at < start:
        return []
    before_run = _latest_client_run(client, after_run.finished_at)
    before = (
        {(r.check_id, r.target): r.status for r in CheckResult.objects.filter(run=before_run)}
        if before_run
        else {}
    )
    changes = []
    for result in CheckResult.objects.filter(run=after_run).order_by("check_id", "target"):
        was = before.get((result.check_id, result.target), "new")
        if was != result.status:
            changes.append(
                VerdictChange(result.check_id, result.target, was, result.status, result.summary)
            )
    return changes
