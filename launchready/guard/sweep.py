"""Find secret values already stored: every text column of every model, read raw.

Used by ``manage.py scan_stored_text`` for data written before the guard existed, or
around it (raw SQL, a restored backup). Pure of any app: callers decide what to log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from launchready.guard.checks import EXEMPT, TEXT_FIELDS
from launchready.guard.fields import _strings, scrub_value
from launchready.guard.rules import detect_text, redact

# Columns the sweep does not read, and why. Exempt fields hold hashes, ids, public
# certificates or already-redacted previews (see ``EXEMPT``); these hold opaque encodings
# that look random by design.
SKIPPED: dict[str, str] = {
    "auth.User.password": "a password hash (argon2), never the password",
    "sessions.Session.session_key": "a random session id",
    "sessions.Session.session_data": "signed, encoded session data; sessions expire",
    "axes.AccessLog.session_hash": "a hash of the session id",
}


@dataclass(frozen=True)
class StoredHit:
    table: str
    column: str
    label: str  # app_label.Model.field
    pk: Any
    row: str  # the row's code when it has one, else its primary key
    rule: str
    preview: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "field": self.label,
            "row": self.row,
            "rule": self.rule,
            "preview": self.preview,
        }


def swept_fields() -> list[models.Field]:
    out = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if not isinstance(field, TEXT_FIELDS) or label in EXEMPT or label in SKIPPED:
                continue
            if getattr(field, "guard", None) == "encrypted":
                continue  # ciphertext of a secret the app holds on purpose
            out.append(field)
    return out


def sweep(fields: list[models.Field] | None = None) -> Iterator[StoredHit]:
    for field in fields if fields is not None else swept_fields():
        model = field.model
        has_code = any(f.name == "code" for f in model._meta.concrete_fields)
        names = ["pk", field.attname, *(["code"] if has_code else [])]
        rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True})
        for values in rows.values_list(*names).iterator(chunk_size=2000):
            pk, value = values[0], values[1]
            for text in _strings(value):
                for match in detect_text(text) if text.strip() else []:
                    yield StoredHit(
                        table=model._meta.db_table,
                        column=field.column,
                        label=f"{model._meta.label}.{field.name}",
                        pk=pk,
                        row=str(values[2]) if has_code else str(pk),
                        rule=match.rule,
                        preview=redact(match.value),
                    )


def redact_hit(hit: StoredHit) -> Any:
    """Replace the flagged values in one stored cell by their redacted form."""
    app_model, _, name = hit.label.rpartition(".")
    model = apps.get_model(app_model)
    field = model._meta.get_field(name)
    value = model._base_manager.filter(pk=hit.pk).values_list(field.attname, flat=True).first()
    scrubbed = scrub_value(value)
    if scrubbed != value:
        model._base_manager.filter(pk=hit.pk).update(**{field.attname: scrubbed})
    return model._base_manager.get(pk=hit.pk)


def text_hits(text: str) -> list[tuple[str, str]]:
    """(rule, redacted preview) for every secret in a block of text."""
    return [(m.rule, redact(m.value)) for m in detect_text(text)]
