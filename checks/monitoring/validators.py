"""Validators of the monitoring models: where a monitor or a webhook may point."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from checks import net


def validate_public_target(value: str) -> None:
    """Refuse a URL whose host is, or resolves to, a loopback, private, link-local or
    otherwise non-public address, with the sentence the probe would record (it names the
    address, never the URL: a webhook's path is a credential). Off when
    LAUNCHREADY_ALLOW_PRIVATE_TARGETS is on."""
    if not value:
        return
    refusal = net.url_refusal(value)
    if refusal:
        raise ValidationError(f"{refusal[:1].upper()}{refusal[1:]}.", code="private_target")
