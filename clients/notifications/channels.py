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


# validator(url) raises ValidationError for a URL the network guard would refuse.
TargetValidator = Callable[[str], None]

_target_validator: TargetValidator | None = None


def register_target_validator(validator: TargetValidator) -> None:
    global _target_validator
    _target_validator = validator


def validate_chat_target(value: str) -> None:
    """The chat webhook's validator: refused when saved, with the probe's sentence, if it
    points at a private, loopback or link-local address (checks registers the rule)."""
    if value and _target_validator is not None:
        _target_validator(value)
