"""Pure decisions: from probe facts to up/down, from a streak of results to state changes,
from certificate dates to warnings. No I/O here, so every rule is tested directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from checks.monitoring.models import MonitorStatus

CERT_THRESHOLDS_DAYS: tuple[int, ...] = (21, 7, 1)


@dataclass(frozen=True)
class ProbeSpec:
    """What a probe thread needs to know about a monitor: no ORM object crosses threads."""

    monitor_id: int
    url: str
    method: str
    expected_status: int
    expected_text: str
    timeout_seconds: int
    due_at: datetime | None = None
    kind: str = "url"
    # A journey's steps (checks.browser.journey.StepSpec), read before the probe threads.
    steps: tuple = ()


@dataclass(frozen=True)
class ProbeFacts:
    """What one probe saw. `error` is set when no usable HTTP answer came back."""

    status: int | None
    elapsed_ms: float | None
    body: bytes
    error: str | None
    cert_not_before: datetime | None = None
    cert_not_after: datetime | None = None
    journey: Any = None  # a journey monitor's run (checks.browser.journey.JourneyFacts)


@dataclass(frozen=True)
class ProbeVerdict:
    ok: bool
    error: str  # plain language; empty when ok
    latency_ms: int | None


def judge(spec: ProbeSpec, facts: ProbeFacts) -> ProbeVerdict:
    """Up means: an HTTP answer with the expected status and, if asked, the expected text."""
    latency = None if facts.elapsed_ms is None else max(0, round(facts.elapsed_ms))
    if spec.kind == "journey":  # the browser run already says which step failed, in words
        return ProbeVerdict(not facts.error, (facts.error or "")[:300], latency)
    if facts.error:
        return ProbeVerdict(False, plain_error(facts.error, spec.timeout_seconds), None)
    if facts.status != spec.expected_status:
        return ProbeVerdict(
            False, f"Got HTTP {facts.status}, expected {spec.expected_status}.", latency
        )
    if spec.expected_text and spec.expected_text.encode("utf-8") not in facts.body:
        return ProbeVerdict(
            False, f"The page answered but did not contain “{spec.expected_text}”.", latency
        )
    return ProbeVerdict(True, "", latency)


_PLAIN = (
    ("refused to contact", "Refused to probe: the name points to a private or local address."),
    ("connection refused", "Connection refused: nothing is answering on that address."),
    ("deadline", "No complete answer within {timeout} s (timed out)."),
    ("timed out", "No answer within {timeout} s (timed out)."),
    ("does not resolve", "The name does not resolve (DNS lookup failed)."),
    ("nxdomain", "The name does not resolve (DNS lookup failed)."),
    ("dns", "The name could not be looked up (DNS error)."),
    (
        "certificate not trusted",
        "The HTTPS certificate is not trusted (expired, self-signed or wrong chain).",
    ),
    ("tls", "The HTTPS connection failed (TLS error)."),
    ("reset", "The connection was reset by the server."),
    ("closed the connection", "The server closed the connection without answering."),
    ("larger than", "The answer was larger than the size cap."),
)


def plain_error(error: str, timeout_seconds: int) -> str:
    """Turn a boundary error into a sentence a founder can read; keep the detail after it."""
    lowered = error.lower()
    for needle, sentence in _PLAIN:
        if needle in lowered:
            text = sentence.format(timeout=timeout_seconds)
            return f"{text} ({error})"[:300] if error.lower() not in text.lower() else text
    return error[:300]


@dataclass(frozen=True)
class Transition:
    status: str
    consecutive_failures: int
    failing_since: datetime | None
    open_incident: bool
    close_incident: bool


def transition(
    *,
    status: str,
    consecutive_failures: int,
    failing_since: datetime | None,
    threshold: int,
    ok: bool,
    at: datetime,
    has_open_incident: bool,
) -> Transition:
    """Next state after one probe: down after `threshold` failures in a row, up on the
    first success. The incident opens exactly when the threshold is first reached."""
    if ok:
        return Transition(MonitorStatus.UP, 0, None, False, has_open_incident)
    failures = consecutive_failures + 1
    since = failing_since or at
    if failures >= threshold:
        return Transition(MonitorStatus.DOWN, failures, since, not has_open_incident, False)
    keep = status if status in (MonitorStatus.UP, MonitorStatus.NEW) else MonitorStatus.NEW
    return Transition(keep, failures, since, False, False)


def reminder_due(
    *,
    alerted_at: datetime | None,
    last_reminder_at: datetime | None,
    every_hours: int,
    now: datetime,
) -> bool:
    """A reminder once per period while down; never before the first alert went out."""
    if alerted_at is None or every_hours <= 0:
        return False
    last = max(filter(None, (alerted_at, last_reminder_at)))
    return now - last >= timedelta(hours=every_hours)


def cert_thresholds(not_before: datetime | None, not_after: datetime) -> list[float]:
    """Warning thresholds in days, largest first: 21, 7 and 1 days, each brought forward to
    a third of the certificate's lifetime when that is nearer the expiry. A 90-day
    certificate warns at 21/7/1 days; a 6-day one at 2 and 1 days, not on every renewal."""
    if not_before is None or not_after <= not_before:
        return [float(t) for t in CERT_THRESHOLDS_DAYS]
    third = (not_after - not_before).total_seconds() / 86400 / 3
    return sorted({min(float(t), third) for t in CERT_THRESHOLDS_DAYS}, reverse=True)


def cert_warning_due(
    *, not_before: datetime | None, not_after: datetime, now: datetime
) -> float | None:
    """The threshold (days) the certificate has crossed most recently, or None. Crossing
    several at once (first seen with 5 days left) yields only the nearest one."""
    days_left = (not_after - now).total_seconds() / 86400
    crossed = [t for t in cert_thresholds(not_before, not_after) if days_left <= t]
    return min(crossed) if crossed else None


def in_window(windows: list[tuple[datetime, datetime]], at: datetime) -> bool:
    return any(start <= at < end for start, end in windows)
