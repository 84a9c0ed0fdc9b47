"""Evaluation: pure functions from probe facts to results. No I/O here, so every rule is
tested fast and exhaustively. Each function returns ``Result`` rows (one per target)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not tell (timeout, SERVFAIL, refused); never "missing"


@dataclass(frozen=True)
class Result:
    check_id: str
    target: str
    status: Status
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.check_id,
            "target": self.target,
            "status": str(self.status),
            "summary": self.summary,
            "evidence": self.evidence,
        }


def passed(check_id: str, target: str, summary: str, **evidence: Any) -> Result:
    return Result(check_id, target, Status.PASS, summary, evidence)


def warned(check_id: str, target: str, summary: str, **evidence: Any) -> Result:
    return Result(check_id, target, Status.WARN, summary, evidence)


def failed(check_id: str, target: str, summary: str, **evidence: Any) -> Result:
    return Result(check_id, target, Status.FAIL, summary, evidence)


def errored(check_id: str, target: str, reason: str, **evidence: Any) -> Result:
    return Result(
        check_id, target, Status.ERROR, f"Could not tell: {reason}", {"reason": reason, **evidence}
    )


def _error_of(fact: Any) -> str | None:
    if fact is None:
        return None
    if isinstance(fact, dict):
        fact = list(fact.values())
    if isinstance(fact, list | tuple):
        return next((e for e in map(_error_of, fact) if e), None)
    return getattr(fact, "error", None)


def needs(check_id: str, target: str, **inputs: Any) -> Result | None:
    """The facts a check depends on, declared by name. When any of them is an error the
    verdict is ``error`` with that cause, never ``pass`` or ``warn`` built on missing
    data; None when every input is usable. Lists and dicts of facts count as one input
    that fails when any of its members does."""
    for name, fact in inputs.items():
        reason = _error_of(fact)
        if reason:
            return errored(check_id, target, reason, failed_input=name, inputs=sorted(inputs))
    return None


WORST = {Status.PASS: 0, Status.WARN: 1, Status.ERROR: 2, Status.FAIL: 3}


def worst(statuses) -> Status:
    return max(statuses, key=lambda s: WORST[s], default=Status.PASS)
