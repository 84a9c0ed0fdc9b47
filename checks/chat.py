"""The chat channel of consultant notifications: the same Slack-compatible webhook post the
monitors use, through the guarded network boundary (checks.net). Registered as the
notifications package's chat sender in ChecksConfig.ready, since clients never imports checks."""

from __future__ import annotations

from checks.monitoring.probe import post_json


def chat_send(url: str, text: str) -> str:
    """POST {"text": ...} to the webhook; "HTTP <status>" or a plain error sentence."""
    return post_json(url, {"text": text})
