"""Probe: run one journey (a list of steps) in Chromium behind the guard proxy, in its own
process (checks/browser/journey_worker.py) with a total deadline and a memory cap.
Facts only; the monitor's up/down verdict is monitoring's."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from checks.browser import process
from checks.browser.proxy import GuardProxy, page_refusal

_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _browser_slots() -> threading.BoundedSemaphore:
    """At most JOURNEY_CONCURRENCY browsers at once per process: each is a few hundred MB."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, settings.JOURNEY_CONCURRENCY))
        return _slots


@dataclass(frozen=True)
class StepSpec:
    action: str
    target: str = ""
    value: str = ""


@dataclass(frozen=True)
class JourneyFacts:
    ok: bool
    error: str  # empty when ok
    failed_step: int | None  # 1-based
    elapsed_ms: int
    steps: tuple[dict, ...] = ()
    console_errors: tuple[str, ...] = ()
    failed_requests: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    screenshot: Path | None = None  # the failure screenshot, if one was taken
    final_url: str = ""
    meta: dict = field(default_factory=dict, compare=False)


def run_journey(
    steps: list[StepSpec],
    *,
    artefact_dir: Path,
    step_timeout_s: float = 10.0,
    deadline_s: float | None = None,
) -> JourneyFacts:
    first = steps[0] if steps else None
    refusal = page_refusal(first.target) if first and first.action == "visit" else None
    if first and refusal:  # the proxy would refuse the first page: no browser is started
        return JourneyFacts(
            False,
            f"Could not open {first.target}: the network guard refused this address."[:300],
            1,
            0,
            steps=({"position": 1, "action": "visit", "ok": False, "ms": 0},),
            refused=(refusal,),
        )
    deadline = float(deadline_s or settings.JOURNEY_DEADLINE_SECONDS)
    with _browser_slots():
        begun = time.monotonic()
        with GuardProxy(deadline_s=deadline + 5) as proxy:
            proxy_ms = round((time.monotonic() - begun) * 1000)
            outcome, refused = _run_worker(steps, proxy, artefact_dir, step_timeout_s, deadline)
    return _facts(outcome, refused, artefact_dir, proxy_ms=proxy_ms)


def _run_worker(
    steps: list[StepSpec],
    proxy: GuardProxy,
    artefact_dir: Path,
    step_timeout_s: float,
    deadline: float,
) -> tuple[process.Outcome, tuple[str, ...]]:
    mark = proxy.mark()
    spec = {
        "steps": [{"action": s.action, "target": s.target, "value": s.value} for s in steps],
        "chromium": settings.BROWSER_CHROMIUM_PATH,
        "proxy": proxy.url,
        "step_timeout_ms": int(step_timeout_s * 1000),
        "artefact_dir": str(artefact_dir),
        "marker_header": settings.JOURNEY_MARKER_HEADER,
        "marker_value": settings.JOURNEY_MARKER_VALUE,
        "marker_field": settings.JOURNEY_MARKER_FIELD,
    }
    env = process.tool_env(PYTHONPATH=str(settings.BASE_DIR))
    outcome = process.run(
        [sys.executable, "-m", "checks.browser.journey_worker"],
        env=env,
        deadline_s=deadline,
        memory_mb=settings.BROWSER_MEMORY_MB,
        stdin=json.dumps(spec).encode(),
        cwd=str(settings.BASE_DIR),
    )
    return outcome, proxy.guard_refusals(mark)


def _facts(
    outcome: process.Outcome, refused: tuple[str, ...], artefact_dir: Path, *, proxy_ms: int
) -> JourneyFacts:
    elapsed = round(outcome.elapsed_s * 1000)
    if outcome.problem:
        return JourneyFacts(
            False, f"The journey was stopped: {outcome.problem}.", None, elapsed, refused=refused
        )
    try:
        data = json.loads(outcome.stdout)
    except ValueError:
        tail = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return JourneyFacts(
            False,
            f"The browser ended without a result: {tail[0]}"[:300],
            None,
            elapsed,
            refused=refused,
        )
    error = data.get("error") or ""
    if refused and not data.get("ok") and "guard" not in error:
        error = f"{error} The network guard refused: {refused[0]}."[:300]
    shot = artefact_dir / data["screenshot"] if data.get("screenshot") else None
    return JourneyFacts(
        ok=bool(data.get("ok")),
        error="" if data.get("ok") else error or "The journey failed.",
        failed_step=data.get("failed_step"),
        elapsed_ms=elapsed,
        steps=tuple(data.get("steps") or ()),
        console_errors=tuple(data.get("console_errors") or ()),
        failed_requests=tuple(data.get("failed_requests") or ()),
        refused=refused,
        screenshot=shot if shot is not None and shot.exists() else None,
        final_url=str(data.get("final_url") or ""),
        # Where the time went: the proxy's start, the worker's phases (import, driver,
        # browser launch, steps, screenshot), and the whole run as the parent saw it.
        meta={
            "token": outcome.token,
            "proxy_ms": proxy_ms,
            "worker_ms": data.get("worker_ms"),
            **(data.get("timings") or {}),
        },
    )
