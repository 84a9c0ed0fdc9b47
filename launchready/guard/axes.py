"""django-axes records the username of every failed sign-in. Someone who pastes a token
into the username box must not leave it in ``axes_accessattempt``: such a username is
replaced by a keyed hash, which still groups repeated attempts for the lockout."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from launchready.guard.rules import detect_text


def username_for_axes(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the typed username, unless it looks like a secret."""
    data = credentials or {}
    username = data.get("username")
    if username is None and request is not None and request.method == "POST":
        username = request.POST.get("username")
    if not username or not isinstance(username, str):
        return username
    if not detect_text(username):
        return username
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"axes-username\0" + username.encode(), hashlib.sha256
    ).hexdigest()[:16]
    return f"[secret-shaped username {digest}]"
