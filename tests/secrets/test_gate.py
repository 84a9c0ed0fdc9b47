"""The deploy gate: names only, 200 or 422 with missing names, 401 with no detail for a
wrong token, client isolation, rate limit, and every call recorded."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from checks.secrets import services
from checks.secrets.models import DeployEvent, DeployToken, EnvVar


@pytest.fixture
def env_map(client_a):
    for name, envs in [
        ("DATABASE_URL", ["production", "staging"]),
        ("STRIPE_SECRET_KEY", ["production"]),
        ("SENTRY_DSN", ["staging"]),
    ]:
        EnvVar.objects.create(client=client_a, name=name, environments=envs, sensitive=True)


@pytest.fixture
def token_a(client_a, consultant):
    return services.deploy_token_create(client=client_a, by=consultant, label="GitHub Actions")


@pytest.fixture
def token_b(client_b, consultant):
    return services.deploy_token_create(client=client_b, by=consultant, label="GitHub Actions")


def _post(client, client_code, body, token=None, raw=False):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if raw else json.dumps(body)
    return client.post(
        reverse("secrets:secrets_deploy_gate", args=[client_code]),
        data=data,
        content_type="application/json",
        **headers,
    )


def test_all_names_present_is_ok_and_recorded(client, client_a, env_map, token_a, sprint_a):
    body = {
        "environment": "production",
        "version": "v1.4.2",
        "variables": ["DATABASE_URL", "STRIPE_SECRET_KEY", "PATH", "GITHUB_SHA"],
    }
    response = _post(client, client_a.code, body, token_a.plaintext)
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "environment": "production",
        "version": "v1.4.2",
        "required": 2,
        "missing": [],
    }
    event = DeployEvent.objects.get()
    assert (event.environment, event.version, event.result, event.names_received) == (
        "production",
        "v1.4.2",
        "ok",
        4,
    )
    assert DeployToken.objects.get().last_used_at is not None


def test_missing_names_are_listed_with_422(client, client_a, env_map, token_a):
    body = {"environment": "production", "version": "abc1234", "variables": ["DATABASE_URL"]}
    response = _post(client, client_a.code, body, token_a.plaintext)
    assert response.status_code == 422
    assert response.json()["ok"] is False
    assert response.json()["missing"] == ["STRIPE_SECRET_KEY"]
    assert DeployEvent.objects.get().missing == ["STRIPE_SECRET_KEY"]


@pytest.mark.parametrize(
    "variables",
    [
        {"DATABASE_URL": "postgres://u:p@h/db"},
        ["DATABASE_URL=postgres://u:p@h/db"],
        ["STRIPE_SECRET_KEY", "sk_live_" + "9fQ2xLmN4pR7sT1vW3yZ5bC8 "],
        [{"name": "DATABASE_URL", "value": "x"}],
        "DATABASE_URL STRIPE_SECRET_KEY",
    ],
)
def test_values_are_refused_and_never_echoed(client, client_a, env_map, token_a, variables):
    body = {"environment": "production", "version": "v1", "variables": variables}
    response = _post(client, client_a.code, body, token_a.plaintext)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert b"postgres" not in response.content and b"sk_live" not in response.content
    event = DeployEvent.objects.get()
    assert event.result == "refused" and event.missing == []


def test_extra_fields_such_as_values_are_refused(client, client_a, token_a):
    body = {"environment": "production", "version": "v1", "variables": [], "values": {"A": "b"}}
    assert _post(client, client_a.code, body, token_a.plaintext).status_code == 400


def test_malformed_json_is_refused(client, client_a, token_a):
    assert _post(client, client_a.code, "{not json", token_a.plaintext, raw=True).status_code == 400


@pytest.mark.parametrize("token", ["", "lrd_wrong", "not-even-a-prefix"])
def test_bad_token_gets_401_with_no_detail(client, client_a, token_a, token):
    response = _post(
        client,
        client_a.code,
        {"environment": "production", "version": "v1", "variables": []},
        token,
    )
    assert response.status_code == 401
    assert response.json() == {"ok": False}
    assert not DeployEvent.objects.exists()


def test_revoked_token_gets_401(client, client_a, token_a, consultant):
    services.deploy_token_revoke(token=token_a.token, by=consultant)
    response = _post(
        client,
        client_a.code,
        {"environment": "production", "version": "v1", "variables": []},
        token_a.plaintext,
    )
    assert response.status_code == 401


def test_other_clients_token_cannot_post_to_this_client(
    client, client_a, client_b, env_map, token_b
):
    response = _post(
        client,
        client_a.code,
        {"environment": "production", "version": "v1", "variables": []},
        token_b.plaintext,
    )
    assert response.status_code == 401
    assert not DeployEvent.objects.exists()


def test_valid_calls_are_never_rate_limited(client, client_a, env_map, token_a, settings):
    settings.SECRETS_GATE_RATE = 3
    body = {"environment": "staging", "version": "v1", "variables": ["DATABASE_URL", "SENTRY_DSN"]}
    statuses = [_post(client, client_a.code, body, token_a.plaintext).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert DeployEvent.objects.count() == 5


def test_wrong_tokens_count_towards_the_rate_limit(client, client_a, settings):
    settings.SECRETS_GATE_RATE = 2
    body = {"environment": "production", "version": "v1", "variables": []}
    statuses = [_post(client, client_a.code, body, f"lrd_guess{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 429, 429]


def test_get_is_not_allowed(client, staff_client, client_a):
    url = reverse("secrets:secrets_deploy_gate", args=[client_a.code])
    response = staff_client.get(url)
    assert response.status_code == 405 and response.json()["ok"] is False
    staff_client.logout()
    assert client.get(url).status_code == 401


def test_token_is_stored_hashed_and_shown_once(staff_client, client_a):
    response = staff_client.post(
        reverse("secrets:secrets_token_new", args=[client_a.code]),
        {"label": "GitHub Actions"},
        follow=True,
    )
    assert response.status_code == 200
    token = DeployToken.objects.get()
    shown = response.context["plaintext"]
    assert shown.encode() in response.content and response["Cache-Control"] == "no-store"
    assert token.token_hash != shown and shown not in str(token.__dict__)
    page = staff_client.get(reverse("secrets:secrets_inventory", args=[client_a.code]))
    assert shown.encode() not in page.content and token.hint.encode() in page.content


def test_deploys_show_on_sprint_page_and_portal(
    client, staff_client, founder, client_a, sprint_a, env_map, token_a
):
    from django.test import Client

    _post(
        Client(),
        client_a.code,
        {"environment": "production", "version": "v9.9.9", "variables": []},
        token_a.plaintext,
    )
    # Deploys belong to stage 4, production deployment.
    sprint_page = staff_client.get(
        reverse("clients:sprint_detail", args=[sprint_a.code]) + "?stage=4"
    )
    assert b"Recent deploys" in sprint_page.content and b"v9.9.9" in sprint_page.content
    founder_client = Client()
    founder_client.force_login(founder)
    portal = founder_client.get(reverse("clients:portal_sprint", args=[sprint_a.code]))
    assert b"Recent deploys" in portal.content and b"v9.9.9" in portal.content
