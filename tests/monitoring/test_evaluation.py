"""Pure rules: verdicts, state transitions, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from checks.monitoring.evaluation import (
    ProbeFacts,
    ProbeSpec,
    judge,
    plain_error,
    reminder_due,
    transition,
)

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
SPEC = ProbeSpec(1, "https://acme.test/", "GET", 200, "", 10)


def test_expected_status_is_up_anything_else_is_down():
    assert judge(SPEC, ProbeFacts(200, 12.4, b"", None)).ok
    verdict = judge(SPEC, ProbeFacts(301, 9, b"", None))
    assert (
        not verdict.ok
        and verdict.error == "Got HTTP 301, expected 200."
        and verdict.latency_ms == 9
    )


def test_errors_read_as_plain_language():
    verdict = judge(
        SPEC, ProbeFacts(None, 10000, b"", "no complete answer within the 10 s deadline")
    )
    assert not verdict.ok and verdict.latency_ms is None
    assert (
        plain_error("connection refused", 10)
        == "Connection refused: nothing is answering on that address."
    )
    assert plain_error("refused to contact 10.0.0.1: it is a private address", 10).startswith(
        "Refused to probe"
    )


@given(st.lists(st.booleans(), max_size=40), st.integers(min_value=1, max_value=5))
def test_incidents_open_once_per_streak_and_close_on_first_success(outcomes, threshold):
    status, failures, since, open_ = "new", 0, None, False
    opened = closed = 0
    for ok in outcomes:
        step = transition(
            status=status,
            consecutive_failures=failures,
            failing_since=since,
            threshold=threshold,
            ok=ok,
            at=AT,
            has_open_incident=open_,
        )
        opened += step.open_incident
        closed += step.close_incident
        open_ = (open_ or step.open_incident) and not step.close_incident
        status, failures, since = step.status, step.consecutive_failures, step.failing_since
        assert (status == "down") == (failures >= threshold)
    assert opened - closed == int(open_)


def test_reminders_wait_a_full_period_after_the_alert_and_each_other():
    alerted = AT
    assert not reminder_due(
        alerted_at=alerted,
        last_reminder_at=None,
        every_hours=6,
        now=AT + timedelta(hours=5, minutes=59),
    )
    assert reminder_due(
        alerted_at=alerted, last_reminder_at=None, every_hours=6, now=AT + timedelta(hours=6)
    )
    assert not reminder_due(
        alerted_at=alerted,
        last_reminder_at=AT + timedelta(hours=6),
        every_hours=6,
        now=AT + timedelta(hours=11),
    )
    assert not reminder_due(
        alerted_at=None, last_reminder_at=None, every_hours=6, now=AT + timedelta(days=3)
    )
    assert not reminder_due(
        alerted_at=alerted, last_reminder_at=None, every_hours=0, now=AT + timedelta(days=3)
    )
