"""Per-process memo for values that never go stale (their key holds everything they
depend on: rendered fragments, the guard's clean-text digests): a dict that starts over
when it is full."""

from __future__ import annotations

from typing import Any


class BoundedMemo(dict):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: Any, value: Any) -> Any:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
