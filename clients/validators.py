from __future__ import annotations

import re

import idna
from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_hostname(value: str) -> str:
    """Accept what people paste (a URL, trailing dot, capitals, Unicode) and return a
    bare lower-case hostname in its ASCII (A-label) form, or raise a clear error.

    Unicode names are mapped with UTS #46 and encoded with IDNA 2008, as browsers do:
    ``faß.example`` is ``xn--fa-hia.example``, not IDNA 2003's ``fass.example``, which
    is another domain."""
    host = value.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/", 1)[0].split("?", 1)[0].rstrip(".")
    if ":" in host:
        raise ValidationError("Enter a hostname without a port, e.g. example.com.")
    if host:
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValidationError(f"That is not a valid hostname: {exc}.") from exc
        except UnicodeError as exc:
            raise ValidationError("That is not a valid hostname.") from exc
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError("Enter a hostname like example.com or app.example.com.")
    if labels[-1].isdigit():
        raise ValidationError("Enter a hostname, not an IP address.")
    return host


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that zoneinfo knows, e.g. Europe/Berlin."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            # The typed text stays in the box; not repeated here (it may be a pasted secret).
            "That is not a time zone name; use one like Europe/Berlin or America/New_York.",
            code="time_zone",
        ) from exc
