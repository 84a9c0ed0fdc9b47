"""The address people reach this app at, for links that leave it (emails, snippets)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest | None = None) -> str:
    """SITE_URL when it is set; else the scheme and host the request came in on; else the
    default SITE_URL (localhost on bin/run's PORT), for work done without a request."""
    if settings.SITE_URL_SET or request is None:
        return settings.SITE_URL
    return f"{request.scheme}://{request.get_host()}"
