"""Model fields that keep secret values out of the database.

Two behaviours, chosen per field by what writes it:

- **Guarded** fields hold what people type. They refuse a flagged value in
  ``full_clean()`` (so ModelForms and the admin show a form error) *and* again at every
  ORM write (``save``, ``create``, ``bulk_create``, ``update``), so a service, a
  management command or an API view that forgets to validate still cannot store it.
- **Redacted** fields hold text that comes from the outside world (a check's evidence,
  an error a server sent back). Refusing would lose the result, so each flagged value is
  replaced by its redacted preview on the way in.

``launchready.guard.checks`` fails ``manage.py check`` for any text field of a project
model that is neither, unless it is listed in ``EXEMPT`` with the reason.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

from launchready.guard.rules import detect_text, redact, rule_label
from launchready.memo import BoundedMemo

# What to do instead, said once for every refusal. Never includes the value.
REFUSAL = (
    "This looks like {article} {kind}, so it was not saved. Launch Ready never stores secret "
    "values: keep it in a password manager or the platform's secret store and record only "
    "where it lives. If it was pasted or sent anywhere else, rotate it."
)


class SecretValueRefused(ValidationError):
    """A write carried a secret value. The message names the kind, never the value."""


def _article(kind: str) -> str:
    return "an" if kind[:1].lower() in "aeiou" else "a"


# Texts already found clean, remembered by a keyed digest (never the text: a key made at
# start-up means a digest cannot be checked against guesses). The same checklist texts,
# titles and notes are written over and over (every sprint copies the playbook), and the
# rules are fixed for the life of the process. Flagged texts are never remembered.
_CLEAN_KEY = os.urandom(32)
_CLEAN_MAX = 8192
_CLEAN = BoundedMemo(_CLEAN_MAX)
_CLEAN_LOCK = threading.Lock()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), key=_CLEAN_KEY, digest_size=16).digest()


def refusal_for(text: str) -> SecretValueRefused | None:
    digest = _digest(text)
    with _CLEAN_LOCK:
        if digest in _CLEAN:
            return None
    found = detect_text(text)
    if not found:
        with _CLEAN_LOCK:
            _CLEAN.remember(digest, None)
        return None
    kind = rule_label(found[0].rule)
    return SecretValueRefused(
        REFUSAL.format(article=_article(kind), kind=kind), code="secret_value"
    )


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON-shaped value (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def guard_value(value: Any) -> None:
    """Raise ``SecretValueRefused`` when any text in ``value`` is flagged."""
    for text in _strings(value):
        if text.strip():
            refused = refusal_for(text)
            if refused is not None:
                raise refused


def scrub_text(text: str) -> str:
    """``text`` with every flagged value replaced by its redacted preview."""
    for match in detect_text(text):
        text = text.replace(match.value, redact(match.value))
    return text


def scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value) if value.strip() else value
    if isinstance(value, dict):
        return {scrub_value(k): scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(item) for item in value]
    return value


@deconstructible
class NoSecretValues:
    """Field validator: refuse text the scanner's rules flag."""

    def __call__(self, value: object) -> None:
        guard_value(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoSecretValues)

    def __hash__(self) -> int:
        return hash(type(self))


no_secret_values = NoSecretValues()


class GuardedMixin:
    """Refuse flagged text in validation and at every ORM write."""

    guard = "refuse"

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if not hasattr(value, "resolve_expression"):
            guard_value(value)
        return super().get_db_prep_save(value, connection)  # type: ignore[misc]


class RedactedMixin:
    """Store flagged text only in its redacted form."""

    guard = "redact"

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        scrubbed = scrub_value(value)
        if scrubbed != value:
            setattr(model_instance, self.attname, scrubbed)  # type: ignore[attr-defined]
        return scrubbed

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if not hasattr(value, "resolve_expression"):
            value = scrub_value(value)
        return super().get_db_prep_save(value, connection)  # type: ignore[misc]


class GuardedCharField(GuardedMixin, models.CharField):
    default_validators = [no_secret_values]


class GuardedSlugField(GuardedMixin, models.SlugField):
    default_validators = [*models.SlugField.default_validators, no_secret_values]


class GuardedTextField(GuardedMixin, models.TextField):
    default_validators = [no_secret_values]


class GuardedURLField(GuardedMixin, models.URLField):
    default_validators = [*models.URLField.default_validators, no_secret_values]


class GuardedEmailField(GuardedMixin, models.EmailField):
    default_validators = [*models.EmailField.default_validators, no_secret_values]


class GuardedJSONField(GuardedMixin, models.JSONField):
    default_validators = [no_secret_values]


class RedactedCharField(RedactedMixin, models.CharField):
    pass


class RedactedTextField(RedactedMixin, models.TextField):
    pass


class RedactedJSONField(RedactedMixin, models.JSONField):
    pass


# Third-party models whose text people type. Their field classes are Django's, so the
# guard is added as a validator (full_clean, the admin, our forms) when the app loads;
# ``validators`` is extended in place so no migration is generated for Django's own apps.
THIRD_PARTY_GUARDED: dict[str, tuple[str, ...]] = {
    "auth.User": ("username", "first_name", "last_name", "email"),
    "auth.Group": ("name",),
}


def guard_third_party_models() -> None:
    from django.apps import apps

    for label, names in THIRD_PARTY_GUARDED.items():
        model = apps.get_model(label)
        for name in names:
            field = model._meta.get_field(name)
            if no_secret_values not in field.validators:
                field.validators.append(no_secret_values)
