"""Journey monitors: the steps staff write, the probe the scheduler calls for a journey
monitor (checks/monitoring/probe.py dispatches here), storing each run with its failure
evidence, and a run from the shell. Up/down, incidents, alerts and maintenance windows
are monitoring's, exactly as for URL monitors."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from checks.browser.journey import JourneyFacts, StepSpec, run_journey
from checks.browser.models import JourneyRun, JourneyStep, StepAction
from checks.monitoring.evaluation import ProbeFacts, ProbeSpec
from checks.monitoring.models import Monitor

MAX_STEPS = 20
NEEDS_TARGET = {
    StepAction.VISIT, StepAction.CLICK, StepAction.FILL, StepAction.EXPECT_TEXT,
    StepAction.EXPECT_ELEMENT, StepAction.EXPECT_URL,
}  # fmt: skip


class StepError(ValueError):
    pass


@dataclass(frozen=True)
class StepInput:
    action: str
    target: str = ""
    value: str = ""


def media_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "browser"


def steps_validate(steps: list[StepInput]) -> list[StepInput]:
    """The rules a journey must follow, with a sentence for each refusal."""
    steps = [StepInput(s.action, s.target.strip(), s.value) for s in steps if s.action]
    if not steps:
        raise StepError("A journey needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise StepError(f"A journey has at most {MAX_STEPS} steps.")
    if steps[0].action != StepAction.VISIT:
        raise StepError("The first step must visit a URL.")
    for n, step in enumerate(steps, start=1):
        if step.action not in StepAction.values:
            raise StepError(f"Step {n}: unknown action.")
        if step.action in NEEDS_TARGET and not step.target:
            raise StepError(f"Step {n}: say what to {StepAction(step.action).label.lower()}.")
        if step.action == StepAction.VISIT and not step.target.startswith(("http://", "https://")):
            raise StepError(f"Step {n}: the address must start with http:// or https://.")
    return steps


@transaction.atomic
def journey_steps_set(*, monitor: Monitor, steps: list[StepInput]) -> list[JourneyStep]:
    """Replace the monitor's steps (validated first; nothing changes on a refusal)."""
    steps = steps_validate(steps)
    JourneyStep.objects.filter(monitor=monitor).delete()
    rows = [
        JourneyStep(monitor=monitor, position=n, action=s.action, target=s.target, value=s.value)
        for n, s in enumerate(steps, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["monitor"])
    return JourneyStep.objects.bulk_create(rows)


def journey_steps_for(monitor_ids: list[int]) -> dict[int, tuple[StepSpec, ...]]:
    """Each journey's steps in order, in one query (read before the probe threads start)."""
    out: dict[int, list[StepSpec]] = {}
    for s in JourneyStep.objects.filter(monitor_id__in=monitor_ids).order_by(
        "monitor_id", "position"
    ):
        out.setdefault(s.monitor_id, []).append(StepSpec(s.action, s.target, s.value))
    return {pk: tuple(steps) for pk, steps in out.items()}


def journey_probe(spec: ProbeSpec) -> ProbeFacts:
    """What the scheduler's probe thread calls for a journey monitor: no database here."""
    steps = list(spec.steps)
    if not steps:
        facts = JourneyFacts(False, "This journey has no steps yet.", None, 0)
    else:
        artefacts = media_dir() / "journeys" / str(spec.monitor_id) / uuid.uuid4().hex
        facts = run_journey(
            steps, artefact_dir=artefacts, step_timeout_s=float(spec.timeout_seconds)
        )
        if facts.screenshot is None and artefacts.exists():
            shutil.rmtree(artefacts, ignore_errors=True)
    return ProbeFacts(
        status=None,
        elapsed_ms=float(facts.elapsed_ms),
        body=b"",
        error=facts.error or None,
        journey=facts,
    )


def journey_runs_store(*, now: datetime, runs: dict[int, JourneyFacts]) -> list[JourneyRun]:
    """One JourneyRun per journey probed (inside the scheduler's recording transaction)."""
    steps = {
        (s.monitor_id, s.position): str(s)
        for s in JourneyStep.objects.filter(monitor_id__in=list(runs))
    }
    rows = []
    for monitor_id, f in runs.items():
        shot = ""
        if f.screenshot is not None:
            shot = str(f.screenshot.relative_to(Path(settings.MEDIA_ROOT)))
        rows.append(
            JourneyRun(
                monitor_id=monitor_id,
                checked_at=now,
                ok=f.ok,
                duration_ms=f.elapsed_ms,
                failed_step=f.failed_step,
                failed_step_text=(
                    "" if f.failed_step is None else steps.get((monitor_id, f.failed_step), "")
                )[:300],
                error=f.error[:300],
                steps=list(f.steps),
                console_errors=list(f.console_errors),
                failed_requests=list(f.failed_requests),
                refused=list(f.refused),
                screenshot=shot,
            )
        )
    return JourneyRun.objects.bulk_create(rows)


def journey_last_failure(*, monitor: Monitor, at: datetime | None = None) -> JourneyRun | None:
    runs = JourneyRun.objects.filter(monitor=monitor, ok=False)
    if at is not None:
        runs = runs.filter(checked_at__lte=at)
    return runs.order_by("-checked_at", "-id").first()


# ---------------------------------------------------------------- steps as text

_WORDS = {
    "visit": StepAction.VISIT,
    "click": StepAction.CLICK,
    "fill": StepAction.FILL,
    "submit": StepAction.SUBMIT,
    "expect text": StepAction.EXPECT_TEXT,
    "expect element": StepAction.EXPECT_ELEMENT,
    "expect url": StepAction.EXPECT_URL,
}


def steps_parse(text: str) -> list[StepInput]:
    """Staff write one step a line: ``visit URL``, ``click TEXT or SELECTOR``,
    ``fill FIELD = VALUE``, ``submit [BUTTON]``, ``expect text TEXT``,
    ``expect element SELECTOR``, ``expect url PART``. Raises StepError naming the line."""
    steps = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        lowered = line.lower()
        word = next(
            (w for w in sorted(_WORDS, key=len, reverse=True)
             if lowered == w or lowered.startswith(w + " ")),
            None,
        )  # fmt: skip
        if word is None:
            raise StepError(
                f"Line {n}: start with visit, click, fill, submit, expect text, "
                "expect element or expect url."
            )
        rest = line[len(word) :].strip()
        action = _WORDS[word]
        if action == StepAction.FILL:
            field, sep, value = rest.partition("=")
            if not sep or not field.strip():
                raise StepError(f"Line {n}: write fill FIELD = VALUE.")
            steps.append(StepInput(action, field.strip(), value.strip()))
        else:
            steps.append(StepInput(action, rest))
    return steps_validate(steps)


def steps_text(steps) -> str:
    words = {v: k for k, v in _WORDS.items()}
    lines = []
    for s in steps:
        word = words[StepAction(s.action)]
        if s.action == StepAction.FILL:
            lines.append(f"{word} {s.target} = {s.value}")
        else:
            lines.append(f"{word} {s.target}".rstrip())
    return "\n".join(lines)
