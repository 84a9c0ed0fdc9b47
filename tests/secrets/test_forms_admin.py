"""Forms and the admin refuse a pasted secret value in every text field, with a clear
message, and do not send the value back to the browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checks.secrets.forms import EnvVarForm, SecretRecordForm
from checks.secrets.models import EnvVar, SecretRecord
from launchready.guard.fields import no_secret_values
from launchready.guard.rules import detect_text

PASTED = [
    "sk_live_" + "9fQ2xLmN4pR7sT1vW3yZ5bC8",  # Stripe
    "AKIA" + "Z7Q2XK9PL3MN4BVC",  # AWS
    "q8Zt3LmN0pR7vX2yB5cD9fG1hJ4kW6",  # generic random token, unquoted
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "postgres://app:" + "Xk29fLmP3qz" + "@db.acme.test:5432/app",
]
RECORD_TEXT_FIELDS = ["name", "unlocks", "storage_detail", "owner", "access", "notes"]
ENV_TEXT_FIELDS = ["name", "owner", "notes"]
GOOD_RECORD = {
    "name": "STRIPE_SECRET_KEY",
    "kind": "api_key",
    "unlocks": "Charging customers, refunds",
    "storage": "platform",
    "storage_detail": "Vercel project 'web'",
    "environments": "production, staging",
    "owner": "Ann Acme",
    "access": "Ann, Sam (consultant)",
    "exposure": "fine",
    "notes": "Rotate via Stripe dashboard > Developers > API keys",
}
GOOD_VAR = {
    "name": "NEXT_PUBLIC_SITE_URL",
    "environments": "production",
    "phase": "build",
    "owner": "Ann",
    "notes": "",
}


@pytest.mark.parametrize("value", PASTED)
def test_every_pasted_value_is_seen_by_the_scanner_rules(value):
    assert detect_text(f"note: {value}")


@pytest.mark.parametrize(
    "text",
    [
        "Stored in Vercel project settings, owned by Ann",
        "https://dashboard.stripe.com/apikeys",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        "Rotated in commit 3f9a2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c",
        "ann@acme.test, sam@consultancy.test",
        "AWS_S3_BUCKET_ACCESS_KEY_ID2024",
    ],
)
def test_ordinary_text_is_accepted(text):
    no_secret_values(text)


@pytest.mark.parametrize("field", RECORD_TEXT_FIELDS)
@pytest.mark.parametrize("value", PASTED)
def test_secret_record_form_refuses_pasted_secret(client_a, field, value):
    data = {**GOOD_RECORD, field: f"{GOOD_RECORD[field]} {value}" if field != "name" else value}
    form = SecretRecordForm(data, client=client_a)
    assert not form.is_valid()
    assert field in form.errors
    assert "Launch Ready never stores secret values" in " ".join(form.errors[field])
    # The refused field is emptied; the others keep what was typed.
    html = form.as_div()
    assert value not in html
    if field != "owner":
        assert "Ann Acme" in html


@pytest.mark.parametrize("field", ENV_TEXT_FIELDS)
def test_env_var_form_refuses_pasted_secret(client_a, field):
    value = PASTED[0]
    form = EnvVarForm({**GOOD_VAR, field: value}, client=client_a)
    assert not form.is_valid()
    assert field in form.errors


def test_good_record_is_saved(client_a):
    form = SecretRecordForm(GOOD_RECORD, client=client_a)
    assert form.is_valid(), form.errors
    record = form.save(commit=False)
    record.client = client_a
    record.save()
    assert record.environments == ["production", "staging"]


def test_model_validation_refuses_too(client_a):
    from django.core.exceptions import ValidationError

    record = SecretRecord(client=client_a, name="X", kind="api_key", notes=PASTED[0])
    with pytest.raises(ValidationError) as info:
        record.full_clean()
    assert "notes" in info.value.message_dict


@pytest.fixture
def admin_client(client, consultant):
    consultant.is_superuser = True
    consultant.save()
    client.force_login(consultant)
    return client


@pytest.mark.parametrize("field", RECORD_TEXT_FIELDS)
def test_admin_refuses_pasted_secret_in_secret_record(admin_client, client_a, field):
    value = PASTED[2]
    data = {
        **GOOD_RECORD,
        "client": client_a.pk,
        field: value,
        "last_rotated": "",
        "rotation_due": "",
    }
    response = admin_client.post(reverse("admin:secrets_secretrecord_add"), data)
    assert response.status_code == 200
    assert b"Launch Ready never stores secret values" in response.content
    assert value.encode() not in response.content
    assert not SecretRecord.objects.exists()


@pytest.mark.parametrize("field", ENV_TEXT_FIELDS)
def test_admin_refuses_pasted_secret_in_env_var(admin_client, client_a, field):
    value = PASTED[1]
    data = {**GOOD_VAR, "client": client_a.pk, field: value}
    response = admin_client.post(reverse("admin:secrets_envvar_add"), data)
    assert response.status_code == 200
    assert b"Launch Ready never stores secret values" in response.content
    assert not EnvVar.objects.exists()


def test_admin_accepts_a_clean_record(admin_client, client_a):
    data = {**GOOD_RECORD, "client": client_a.pk, "last_rotated": "", "rotation_due": ""}
    response = admin_client.post(reverse("admin:secrets_secretrecord_add"), data)
    assert response.status_code == 302
    assert SecretRecord.objects.get().environments == ["production", "staging"]


def test_admin_refuses_secret_in_allowlist_reason(admin_client, client_a):
    data = {"client": client_a.pk, "fingerprint": "a" * 40, "reason": PASTED[0]}
    response = admin_client.post(reverse("admin:secrets_allowlistentry_add"), data)
    assert response.status_code == 200
    assert b"Launch Ready never stores secret values" in response.content
