"""Validators shared by the models, the app's forms and the admin.

The secret-value guard itself lives in ``launchready.guard``; these are the checks
particular to the secrets inventory.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

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


def validate_env_name(value: str) -> None:
    if not ENV_NAME.match(value or ""):
        raise ValidationError(
            "Use the variable's name only: letters, digits and underscores, e.g. "
            "STRIPE_SECRET_KEY.",
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
