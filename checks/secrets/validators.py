"""Validators shared by the models, the app's forms and the admin.

``no_secret_values`` runs the scanner's own rules over typed text, so a value pasted
into any text field is refused the same way a committed one is found. Its message
names the kind of secret, never the text.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,119}$")
ENVIRONMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,39}$")
BROWSER_PREFIXES = (
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "GATSBY_",
    "PUBLIC_",
)
# Words that make a name sensitive even when nobody ticked "sensitive".
_SENSITIVE_WORDS = re.compile(
    r"SECRET|PRIVATE|PASSWORD|PASSWD|SERVICE_ROLE|_PWD\b|CREDENTIAL", re.I
)

REFUSAL_MESSAGE = (
    "This looks like a secret value ({kind}). Launch Ready records names, owners and "
    "locations only: keep the value in the client's secret store and describe where it is."
)


@deconstructible
class NoSecretValues:
    """Refuse text that the scanner's rules would flag."""

    def __call__(self, value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        from checks.secrets.rules import detect_text, rule_label

        found = detect_text(value)
        if found:
            raise ValidationError(
                REFUSAL_MESSAGE.format(kind=rule_label(found[0].rule)), code="secret_value"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoSecretValues)

    def __hash__(self) -> int:
        return hash(type(self))


no_secret_values = NoSecretValues()


def validate_env_name(value: str) -> None:
    if not ENV_NAME.match(value or ""):
        raise ValidationError(
            "Use the variable's name only: letters, digits and underscores, e.g. STRIPE_SECRET_KEY.",
            code="env_name",
        )


def parse_environments(raw: str | list[str]) -> list[str]:
    """ "production, staging" -> ["production", "staging"]; raises on bad names."""
    parts = raw if isinstance(raw, list) else re.split(r"[,\s]+", raw or "")
    names: list[str] = []
    for part in parts:
        name = part.strip().lower()
        if not name:
            continue
        if not ENVIRONMENT_NAME.match(name):
            raise ValidationError(
                "Environment names are short words like production, staging or preview.",
                code="environment",
            )
        if name not in names:
            names.append(name)
    return names


def browser_prefix(name: str) -> str | None:
    """The prefix that makes a bundler ship this variable to the browser, if any."""
    upper = name.upper()
    return next((prefix for prefix in BROWSER_PREFIXES if upper.startswith(prefix)), None)


def looks_sensitive(name: str) -> bool:
    return bool(_SENSITIVE_WORDS.search(name))
