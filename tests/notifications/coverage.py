"""Which event kinds have a test: tests mark themselves with @covers(EventKind.X), and the
sweep (test_sweep.py) imports the test modules and checks every kind is in COVERED."""

from __future__ import annotations

from collections.abc import Callable

COVERED: set[str] = set()


def covers(*kinds: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        COVERED.update(str(k) for k in kinds)
        return fn

    return mark
