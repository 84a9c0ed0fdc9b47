"""``manage.py check`` fails when a project model has a text field the guard does not cover.

Every CharField, TextField (URL, email, slug included) and JSONField of a model in one of
Launch Ready's own apps must be a guarded, redacted or encrypted field
(``launchready.guard.fields`` / ``crypto``), have ``choices`` (the value is one of ours),
be non-editable (written by code only), or be listed in ``EXEMPT`` with the reason.
Third-party models people type into are covered by ``THIRD_PARTY_GUARDED``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

from launchready.guard.fields import THIRD_PARTY_GUARDED, no_secret_values

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)

# Fields only code writes, each with why it cannot carry a typed secret. Kept short on
# purpose: docs/secrets.md repeats this list.
EXEMPT: dict[str, str] = {
    "checks.CheckResult.check_id": "a check id from the catalogue",
    "monitoring.Monitor.claim_token": "a random token the scheduler writes to claim a probe",
    "monitoring.Rollup.histogram": "latency bucket counts written by the rollup job",
    "monitoring.SchedulerHeartbeat.name": "the scheduler's fixed name",
    "secrets.ExposedKey.fingerprint": "a keyed hash, not a value",
    "secrets.ExposedKey.rule": "a rule id from launchready.guard.rules",
    "secrets.ScanHit.rule": "a rule id from launchready.guard.rules",
    "secrets.ScanHit.preview": "already redacted by the scanner (first and last two characters)",
    "secrets.ScanHit.fingerprint": "a keyed hash, not a value",
    "secrets.ScanHit.commit": "a git commit id",
    "secrets.AllowlistEntry.fingerprint": "a keyed hash, not a value",
    "handover.IssuedHandover.sha256": "the PDF's digest",
    "handover.IssuedHandover.signer_fingerprint": "the certificate's digest",
    "handover.IssuedHandover.signer_cert_pem": "the public certificate, public by design",
}


def project_apps() -> list[Any]:
    base = str(settings.BASE_DIR)
    return [
        config
        for config in apps.get_app_configs()
        if config.path.startswith(base) and ".venv" not in config.path
    ]


def field_policy(field: models.Field) -> str:
    """How a text field is covered: guarded, redacted, encrypted, choices, code, exempt,
    or 'unguarded'."""
    label = f"{field.model._meta.label}.{field.name}"
    guard = getattr(field, "guard", None)
    if guard is not None:
        return {"refuse": "guarded", "redact": "redacted", "encrypted": "encrypted"}[guard]
    if label in EXEMPT:
        return "exempt"
    if field.choices:
        return "choices"
    if not field.editable:
        return "code"
    return "unguarded"


def text_fields(models_: list[type[models.Model]]) -> list[models.Field]:
    return [
        field
        for model in models_
        for field in model._meta.get_fields()
        if isinstance(field, TEXT_FIELDS) and not field.auto_created and field.concrete
    ]


def project_models() -> list[type[models.Model]]:
    return [model for config in project_apps() for model in config.get_models()]


def unguarded_fields(models_: list[type[models.Model]] | None = None) -> list[str]:
    fields = text_fields(models_ if models_ is not None else project_models())
    return [
        f"{field.model._meta.label}.{field.name}"
        for field in fields
        if field_policy(field) == "unguarded"
    ]


@checks.register(checks.Tags.models)
def check_text_fields_are_guarded(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    errors = [
        checks.Error(
            f"{label} is a text field without the secret-value guard.",
            hint=(
                "Use GuardedCharField/GuardedTextField/... (people type it), a Redacted* "
                "field (outside text), EncryptedTextField (a secret the app must hold), or "
                "list it in launchready.guard.checks.EXEMPT with the reason."
            ),
            id="guard.E001",
        )
        for label in unguarded_fields()
    ]
    for label, names in THIRD_PARTY_GUARDED.items():
        model = apps.get_model(label)
        for name in names:
            if no_secret_values not in model._meta.get_field(name).validators:
                errors.append(
                    checks.Error(
                        f"{label}.{name} lost its secret-value validator.", id="guard.E002"
                    )
                )
    stale = [label for label in EXEMPT if not _exists(label)]
    errors += [
        checks.Error(f"EXEMPT lists {label}, which no longer exists.", id="guard.E003")
        for label in stale
    ]
    return errors


def _exists(label: str) -> bool:
    app_model, _, name = label.rpartition(".")
    try:
        apps.get_model(app_model)._meta.get_field(name)
    except (LookupError, ValueError):
        return False
    return True
