"""Encryption at rest for the few secrets Launch Ready itself must hold (a monitor's
chat webhook URL today; any integration token tomorrow).

Keys come from ``FIELD_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first, so
an old key can still decrypt while ``manage.py reencrypt_fields`` moves every value to
the newest). On a laptop with no keys configured, one is generated into ``var/`` the
first time it is needed, like the handover signing key.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

log = logging.getLogger(__name__)

PREFIX = "fernet:"  # marks a stored value as ciphertext (legacy plaintext has no prefix)


def _generated_key() -> bytes:
    path = settings.VAR_DIR / "field-encryption.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


@lru_cache(maxsize=1)
def fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]
    raw = [k.encode() for k in keys] if keys else [_generated_key()]
    try:
        return MultiFernet([Fernet(k) for k in raw])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS: each key must be a url-safe base64 Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption; the next save encrypts it
    return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()


def rotate(stored: str) -> str:
    """The same plaintext, encrypted under the newest key."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored as Fernet ciphertext. Never filter on it: every encryption differs."""

    guard = "encrypted"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            # A missing or wrong key: say so once per value without printing anything of it.
            log.error("%s: a stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS", self)
            return ""


def encrypted_fields() -> list[models.Field]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def redact_url(url: str) -> str:
    """``https://hooks.slack.com/services/T0/B1/xyz`` -> ``hooks.slack.com/…/yz``."""
    if not url:
        return ""
    parts = urlsplit(url)
    tail = url.rstrip("/")[-2:] if len(url) > 20 else ""
    return f"{parts.hostname or '?'}/…/{tail}"
