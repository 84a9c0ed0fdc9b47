"""Registration expiry from RDAP (RFC 9083), through the checks' network boundary: the
guard, a deadline and a byte cap on every hop. Redirects (the bootstrap service answers
with one to the registry's server) are followed by this code, each target guarded again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings

from checks.net import http_request

MAX_HOPS = 3
MAX_BYTES = 256_000


@dataclass(frozen=True)
class RdapFacts:
    name: str
    expires_at: datetime | None = None
    error: str = ""


def lookup(name: str, *, base_url: str | None = None, timeout: float | None = None) -> RdapFacts:
    url = (base_url or settings.RDAP_BASE_URL) + name
    timeout = timeout or settings.RDAP_TIMEOUT_SECONDS
    for _ in range(MAX_HOPS + 1):
        facts = http_request(
            url, timeout=timeout, max_bytes=MAX_BYTES, headers={"Accept": "application/rdap+json"}
        )
        if facts.error:
            return RdapFacts(name, error=f"RDAP lookup failed: {facts.error}")
        if facts.status in (301, 302, 303, 307, 308) and facts.header("location"):
            url = urljoin(url, facts.header("location") or "")
            continue
        if facts.status == 404:
            return RdapFacts(name, error="The registry has no RDAP record for this name.")
        if facts.status != 200:
            return RdapFacts(name, error=f"RDAP answered HTTP {facts.status}.")
        return parse(name, facts.body)
    return RdapFacts(name, error="RDAP redirected too many times.")


def parse(name: str, body: bytes) -> RdapFacts:
    """The `expiration` event of an RDAP domain object."""
    try:
        data = json.loads(body)
    except ValueError:
        return RdapFacts(name, error="RDAP answered something that is not JSON.")
    events = data.get("events") if isinstance(data, dict) else None
    for event in events or []:
        if isinstance(event, dict) and event.get("eventAction") == "expiration":
            try:
                at = datetime.fromisoformat(str(event.get("eventDate", "")).replace("Z", "+00:00"))
            except ValueError:
                return RdapFacts(name, error="RDAP gave an expiry date that could not be read.")
            if at.tzinfo is None:
                return RdapFacts(name, error="RDAP gave an expiry date without a time zone.")
            return RdapFacts(name, expires_at=at)
    return RdapFacts(name, error="The RDAP record has no expiration event.")
