"""The chat channel's sender is injected: the network boundary lives in checks, and
clients never imports checks (checks registers its sender in its AppConfig.ready)."""

from __future__ import annotations

from collections.abc import Callable

# sender(url, text) -> "HTTP <status>" or a plain error sentence.
ChatSender = Callable[[str, str], str]

_chat_sender: ChatSender | None = None


def register_chat_sender(sender: ChatSender) -> None:
    global _chat_sender
    _chat_sender = sender


def chat_sender() -> ChatSender | None:
    return _chat_sender
