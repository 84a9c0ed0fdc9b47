"""What the staff sprint page reads and shares with the panels other apps add to it:
plain rows, loaded once per request through queries compiled once per process
(launchready/prepared.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import QuerySet

from clients.models import Activity, ChecklistItem, Finding, Impact, Sprint, SprintStage
from launchready.prepared import PreparedRows

_IMPACTS = dict(Impact.choices)
T = TypeVar("T")


def _once(obj: Any, name: str, load: Callable[[], T]) -> T:
    """``load()`` the first time a request asks, then kept on ``obj`` (a sprint or a stage
    the request loaded) for the page and the panels that read it after."""
    if name not in obj.__dict__:
        obj.__dict__[name] = load()
    return obj.__dict__[name]


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


# The columns in the dataclass's order; ``stage`` is set by the page, not read.
_FINDING_FIELDS = tuple(f.name for f in fields(FindingRow) if f.name != "stage")


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
    return _once(
        sprint, "_finding_rows", lambda: [FindingRow(*values) for values in _FINDINGS(sprint.pk)]
    )


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
    return _once(stage, "_item_rows", lambda: [_item_row(*v) for v in _ITEMS(stage.pk)])


def _item_row(pk, code, text, help_, check_ids, state, note, state_at, *by) -> ItemRow:
    first_name, last_name, username = by
    # As User.get_full_name() or username, without building the user.
    name = f"{first_name} {last_name}".strip() if username is not None else ""
    return ItemRow(pk, code, text, help_, check_ids, state, note, state_at, name or username or "")


def stage_item(item: ChecklistItem) -> ItemRow:
    """One item as the sprint page draws it (the htmx answer to ticking it)."""
    return next(row for row in stage_items(item.stage) if row.pk == item.pk)


@dataclass(slots=True)
class ActivityRow:
    """One log line as the activity lists read it (lighter than a model instance)."""

    kind: str
    message: str
    visible_to_founder: bool
    created_at: datetime


ACTIVITY_FIELDS = tuple(f.name for f in fields(ActivityRow))


def activity_entries(queryset: QuerySet[Activity]) -> list[ActivityRow]:
    """The log lines of ``queryset`` (already ordered and sliced) as plain rows."""
    return [ActivityRow(*values) for values in queryset.values_list(*ACTIVITY_FIELDS)]


_ACTIVITY = PreparedRows(
    lambda sprint_id: Activity.objects.filter(sprint_id=sprint_id).values_list(*ACTIVITY_FIELDS)[
        :40
    ]
)


def sprint_log(sprint: Sprint) -> list[ActivityRow]:
    """The newest 40 lines of the sprint's log (all of them: staff see private lines),
    newest first, through the query compiled once."""
    return [ActivityRow(*values) for values in _ACTIVITY(sprint.pk)]
