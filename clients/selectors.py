"""What the staff sprint page reads and shares with the panels other apps add to it:
plain rows, loaded once per request through queries compiled once per process
(launchready/prepared.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clients.models import Activity, ChecklistItem, Finding, Impact, Sprint, SprintStage
from launchready.prepared import PreparedRows

_IMPACTS = dict(Impact.choices)

# Open before fixed, blockers before trust issues before cleanup (Finding.Meta.ordering).
FINDING_ORDER = ("status", "impact", "-created_at")


@dataclass(slots=True)
class FindingRow:
    """One finding as the sprint page and its panels read it: about half the cost of a
    model instance for the 60 findings of a busy sprint (bench/dashboard_bench.py).
    ``stage`` is set by the page to one of its stage summaries."""

    pk: int
    code: str
    stage_id: int
    title: str
    evidence: str
    impact: str
    decision: str
    decision_reason: str
    status: str
    source: str
    target: str
    staff_note: str
    created_at: datetime
    stage: Any = None

    def get_impact_display(self) -> str:
        return str(_IMPACTS.get(self.impact, self.impact))


_FINDING_FIELDS = (
    "pk",
    "code",
    "stage_id",
    "title",
    "evidence",
    "impact",
    "decision",
    "decision_reason",
    "status",
    "source",
    "target",
    "staff_note",
    "created_at",
)


_FINDINGS = PreparedRows(
    lambda sprint_id: (
        Finding.objects.filter(sprint_id=sprint_id)
        .order_by(*FINDING_ORDER)
        .values_list(*_FINDING_FIELDS)
    )
)


def sprint_findings(sprint: Sprint) -> list[FindingRow]:
    """The sprint's findings in page order, one query the first time a request asks
    (kept on the sprint object: the page, its gate and the secrets panel all read them)."""
    rows = sprint.__dict__.get("_finding_rows")
    if rows is None:
        rows = [FindingRow(*values) for values in _FINDINGS(sprint.pk)]
        sprint.__dict__["_finding_rows"] = rows
    return rows


@dataclass(slots=True)
class ItemRow:
    """One checklist item as the sprint page, its badges and the checks panel read it.
    ``state_by_name`` is who last set its state (full name, else user name; "" for
    nobody), read in the same query."""

    pk: int
    code: str
    text: str
    help: str
    check_ids: list[str]
    state: str
    note: str
    state_at: datetime | None
    state_by_name: str
    badges: list[Any] | None = None


_ITEM_FIELDS = (
    "pk",
    "code",
    "text",
    "help",
    "check_ids",
    "state",
    "note",
    "state_at",
    "state_by__first_name",
    "state_by__last_name",
    "state_by__username",
)


_ITEMS = PreparedRows(
    lambda stage_id: (
        ChecklistItem.objects.filter(stage_id=stage_id)
        .order_by("position", "id")
        .values_list(*_ITEM_FIELDS)
    )
)


def stage_items(stage: SprintStage) -> list[ItemRow]:
    """The stage's checklist items in order, one query the first time a request asks
    (kept on the stage object: the page, the item badges and the checks panel read
    them)."""
    rows = stage.__dict__.get("_item_rows")
    if rows is None:
        rows = []
        for pk, code, text, help_, check_ids, state, note, state_at, *by in _ITEMS(stage.pk):
            first_name, last_name, username = by
            # As User.get_full_name() or username, without building the user.
            name = f"{first_name} {last_name}".strip() if username is not None else ""
            who = name or username or ""
            rows.append(ItemRow(pk, code, text, help_, check_ids, state, note, state_at, who))
        stage.__dict__["_item_rows"] = rows
    return rows


ACTIVITY_FIELDS = ("kind", "message", "visible_to_founder", "created_at")

_ACTIVITY = PreparedRows(
    lambda sprint_id: Activity.objects.filter(sprint_id=sprint_id).values_list(*ACTIVITY_FIELDS)[
        :40
    ]
)


def sprint_log(sprint: Sprint) -> list[tuple]:
    """The newest 40 lines of the sprint's log (all of them: staff see private lines),
    newest first, as (kind, message, visible_to_founder, created_at)."""
    return _ACTIVITY(sprint.pk)
