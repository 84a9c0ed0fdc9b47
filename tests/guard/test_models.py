"""The guard at the model layer, swept over every text field of every model: the planted
values are refused by full_clean() and by every ORM write, or stored only redacted; and
`manage.py check` fails the day someone adds an unguarded text field."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import checks as django_checks
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection, models, transaction

from clients.models import Client, Finding
from launchready.guard import checks as guard_checks
from launchready.guard.fields import (
    THIRD_PARTY_GUARDED,
    GuardedCharField,
    SecretValueRefused,
)
from tests.guard.planted import PLANTED, leaked

ALL_TEXT_FIELDS = guard_checks.text_fields(guard_checks.project_models())
GUARDED = [f for f in ALL_TEXT_FIELDS if guard_checks.field_policy(f) == "guarded"]
REDACTED = [f for f in ALL_TEXT_FIELDS if guard_checks.field_policy(f) == "redacted"]


def _label(field: models.Field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def _shaped(field: models.Field, value: str):
    """The planted value in the shape the field holds (JSON fields hold lists or dicts)."""
    if isinstance(field, models.JSONField):
        return {"note": ["fine", value]}
    return value


def test_the_sweep_sees_every_kind_of_field():
    labels = {_label(f) for f in GUARDED}
    assert {
        "clients.Client.name",
        "clients.Finding.evidence",
        "clients.ChecklistItem.note",
        "clients.SprintStage.override_reason",
        "monitoring.Monitor.alert_emails",
        "monitoring.MaintenanceWindow.reason",
        "handover.HandoverDraft.edits",
        "secrets.SecretRecord.notes",
        "clients.Domain.redirect_to",
        "clients.ServiceAccount.owner_email",
    } <= labels
    assert {"checks.CheckResult.evidence", "clients.Activity.message"} <= {
        _label(f) for f in REDACTED
    }
    assert len(GUARDED) > 60


def test_no_project_text_field_is_unguarded():
    assert guard_checks.unguarded_fields() == []


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize("field", GUARDED, ids=_label)
def test_every_guarded_field_refuses_every_planted_value_in_full_clean(field, kind):
    instance = field.model()
    setattr(instance, field.attname, _shaped(field, f"see {PLANTED[kind]}"))
    others = [f.name for f in field.model._meta.fields if f.name != field.name]
    with pytest.raises(ValidationError) as caught:
        instance.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    errors = caught.value.error_dict[field.name]
    assert any(e.code == "secret_value" for e in errors)
    assert not leaked(" ".join(caught.value.messages))


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize("field", GUARDED, ids=_label)
def test_every_guarded_field_refuses_every_planted_value_at_the_orm_write(field, kind):
    # get_db_prep_save is what save(), create(), bulk_create() and update() all call.
    with pytest.raises(SecretValueRefused):
        field.get_db_prep_save(_shaped(field, PLANTED[kind]), connection)


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize("field", REDACTED, ids=_label)
def test_every_redacted_field_stores_only_the_redacted_form(field, kind):
    stored = field.get_db_prep_save(_shaped(field, f"error: {PLANTED[kind]}"), connection)
    assert not leaked(str(stored))
    assert "error:" in str(stored)  # the text around the value is kept


@pytest.mark.parametrize("kind", sorted(PLANTED))
@pytest.mark.parametrize(
    "label,name", [(label, name) for label, names in THIRD_PARTY_GUARDED.items() for name in names]
)
def test_third_party_text_fields_refuse_in_full_clean(label, name, kind):
    field = apps.get_model(label)._meta.get_field(name)
    with pytest.raises(ValidationError):
        field.clean(PLANTED[kind], None)


@pytest.mark.django_db
def test_services_and_querysets_cannot_write_a_secret(client_a, sprint_a, consultant):
    with pytest.raises(SecretValueRefused), transaction.atomic():
        Client.objects.create(name=PLANTED["stripe"])
    with pytest.raises(SecretValueRefused), transaction.atomic():
        Client.objects.filter(pk=client_a.pk).update(staff_notes=PLANTED["github"])
    with pytest.raises(SecretValueRefused), transaction.atomic():
        Finding.objects.bulk_create(
            [Finding(sprint=sprint_a, stage=sprint_a.stages.first(), title=PLANTED["openai"])]
        )
    client_a.refresh_from_db()
    assert not leaked(client_a.staff_notes)


@pytest.mark.django_db
def test_activity_and_last_activity_keep_only_the_redacted_value(sprint_a):
    from clients.services import activity_log

    entry = activity_log(
        sprint=sprint_a, actor=None, kind="test", message=f"pasted {PLANTED['stripe']}"
    )
    entry.refresh_from_db()
    sprint_a.refresh_from_db()
    assert not leaked(entry.message) and not leaked(sprint_a.last_activity)
    assert entry.message.startswith("pasted sk")


def _throwaway_model(field: models.Field):
    attrs = {"__module__": "clients.models", "Meta": type("Meta", (), {"app_label": "clients"})}
    attrs["notes"] = field
    return type("GuardThrowaway", (models.Model,), attrs)


@pytest.fixture
def throwaway():
    created = []

    def make(field):
        model = _throwaway_model(field)
        created.append(model)
        return model

    yield make
    for model in created:
        apps.all_models["clients"].pop(model._meta.model_name, None)
    apps.clear_cache()


def test_system_check_fails_for_a_new_unguarded_text_field(throwaway):
    throwaway(models.TextField(blank=True))
    errors = guard_checks.check_text_fields_are_guarded()
    assert [e.id for e in errors] == ["guard.E001"]
    assert "clients.GuardThrowaway.notes" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_system_check_accepts_the_same_field_guarded(throwaway):
    throwaway(GuardedCharField(max_length=20, blank=True))
    assert guard_checks.check_text_fields_are_guarded() == []


def test_system_check_is_registered_with_django():
    registered = django_checks.registry.registry.get_checks()
    assert guard_checks.check_text_fields_are_guarded in registered


def test_exempt_list_names_only_existing_fields():
    assert all(guard_checks._exists(label) for label in guard_checks.EXEMPT)
