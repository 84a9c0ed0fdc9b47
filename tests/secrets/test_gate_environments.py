"""The deploy gate only vouches for environments the variable map names: an unknown one
(a typo such as "prod", or a map nobody filled in) is a 422 listing the known ones."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from checks.secrets import services
from checks.secrets.models import DeployEvent, DeployResult, EnvVar


@pytest.fixture
def token_a(client_a, consultant):
    return services.deploy_token_create(client=client_a, by=consultant, label="CI")


def _post(client, client_code, environment, token, variables=()):
    body = {"environment": environment, "version": "v1", "variables": list(variables)}
    return client.post(
        reverse("secrets:secrets_deploy_gate", args=[client_code]),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_unknown_environment_is_refused_with_the_known_ones(client, client_a, token_a):
    EnvVar.objects.create(client=client_a, name="DATABASE_URL", environments=["production"])
    EnvVar.objects.create(client=client_a, name="SENTRY_DSN", environments=["staging"])
    response = _post(client, client_a.code, "prod", token_a.plaintext)
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    assert body["environment"] == "prod"
    assert body["known_environments"] == ["production", "staging"]
    assert "production, staging" in body["error"]
    event = DeployEvent.objects.get()
    assert (event.environment, event.result) == ("prod", DeployResult.REFUSED)


def test_known_environment_with_nothing_missing_is_still_allowed(client, client_a, token_a):
    EnvVar.objects.create(client=client_a, name="DATABASE_URL", environments=["production"])
    response = _post(client, client_a.code, "production", token_a.plaintext, ["DATABASE_URL"])
    assert response.status_code == 200 and response.json()["ok"] is True


def test_an_empty_map_knows_no_environment_and_says_so(client, client_a, token_a):
    response = _post(client, client_a.code, "production", token_a.plaintext)
    assert response.status_code == 422
    body = response.json()
    assert body["known_environments"] == [] and "variable map" in body["error"]
    assert DeployEvent.objects.get().result == DeployResult.REFUSED


def test_refused_environment_shows_as_refused_not_allowed_on_the_secrets_page(
    client, staff_client, client_a, token_a
):
    EnvVar.objects.create(client=client_a, name="DATABASE_URL", environments=["production"])
    _post(client, client_a.code, "prod", token_a.plaintext)
    page = staff_client.get(
        reverse("secrets:secrets_inventory", args=[client_a.code])
    ).content.decode()
    assert "Refused" in page
    assert "Allowed" not in page


def test_token_page_snippet_uses_a_known_environment(staff_client, client_a):
    EnvVar.objects.create(client=client_a, name="DATABASE_URL", environments=["live", "staging"])
    response = staff_client.post(
        reverse("secrets:secrets_token_new", args=[client_a.code]), {"label": "CI"}, follow=True
    )
    page = response.content.decode()
    assert '\\"environment\\":\\"live\\"' in page
    assert '\\"environment\\":\\"production\\"' not in page
    assert "live, staging" in page
