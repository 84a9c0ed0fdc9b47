"""The sprint page's query count does not grow with the sprint: a sprint with many
checklist items, findings, check results and log entries costs the same number of
queries as a fresh one, and at most 15 (issue 13, speed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checks.catalogue import CHECKS
from checks.models import CheckResult, CheckRun
from clients import services
from clients.jobs.models import JobStatus
from clients.models import ChecklistItem, Impact

pytestmark = pytest.mark.django_db

LIMIT = 15


def _grow(sprint, consultant, n: int) -> None:
    """n extra items on every stage (linked to the checks the stage's own items are), n
    findings, n log lines, and two finished check runs with a result per check and
    target for n targets."""
    for stage in sprint.stages.all():
        linked = sorted({cid for item in stage.items.all() for cid in item.check_ids})
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                stage=stage,
                key=f"extra-{i}",
                text=f"Extra {i}",
                position=100 + i,
                check_ids=linked,
            )
            for i in range(n)
        )
    stage = sprint.stages.get(number=1)
    for i in range(n):
        services.finding_create(
            sprint=sprint,
            by=consultant,
            stage=stage,
            title=f"Finding {i}",
            impact=[Impact.BLOCKER, Impact.TRUST, Impact.CLEANUP][i % 3],
        )
        services.comment_add(sprint=sprint, by=consultant, text=f"Note {i}")
    for _ in range(2):
        run = CheckRun.objects.create(sprint=sprint, status=JobStatus.DONE)
        CheckResult.objects.bulk_create(
            CheckResult(
                run=run,
                check_id=check_id,
                target=f"t{i}.acme.test",
                status=["pass", "fail", "warn", "error"][i % 4],
                summary="Could not tell: NXDOMAIN" if i % 4 == 3 else "ok",
                evidence={"reason": "NXDOMAIN"} if i % 4 == 3 else {},
            )
            for check_id in CHECKS
            for i in range(n)
        )


def _count(staff_client, sprint, stage: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = staff_client.get(f"/sprints/{sprint.code}/?stage={stage}")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("stage", [1, 2, 3, 5, 6, 7])
def test_sprint_page_queries_stay_constant_as_the_sprint_grows(
    staff_client, consultant, sprint_a, sprint_b, stage
):
    _grow(sprint_b, consultant, 1)
    staff_client.get(f"/sprints/{sprint_a.code}/")  # session, content types
    small = _count(staff_client, sprint_b, stage)
    _grow(sprint_a, consultant, 25)
    large = _count(staff_client, sprint_a, stage)
    assert large == small, f"{small} queries for a small sprint, {large} for a large one"
    assert large <= LIMIT, f"{large} queries (at most {LIMIT})"
