"""The deploy gate under abuse: every answer is JSON, bodies are capped (size and nesting)
before parsing, and only failed authentications count towards the rate limit, keyed on
the client and the proxy-aware address, so the real token keeps working from another
address while someone floods the gate."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from checks.secrets import services
from checks.secrets.models import DeployEvent
from checks.secrets.views.gate import MAX_BODY

BODY = {"environment": "production", "version": "v1", "variables": ["DATABASE_URL"]}


@pytest.fixture
def token_a(client_a, consultant):
    # The gate answers only for an environment on the variable map.
    client_a.env_vars.create(name="DATABASE_URL", environments=["production"])
    return services.deploy_token_create(client=client_a, by=consultant, label="CI")


def _post(client_code, data: bytes | str, *, token: str | None, address: str, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(REMOTE_ADDR=address).post(
        reverse("secrets:secrets_deploy_gate", args=[client_code]),
        data=data,
        content_type="application/json",
        **headers,
        **extra,
    )


def _is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"] == "application/json"
        and response.json()["ok"] is False
        and (status == 401 or isinstance(response.json()["error"], str))
    )


def test_deeply_nested_bodies_are_refused_as_json_400_before_parsing(client_a, token_a):
    for depth in (5, 50, 100_000):
        nested = (
            '{"environment": "production", "version": "v1", "variables": '
            + "[" * depth
            + "]" * depth
            + "}"
        )
        response = _post(client_a.code, nested, token=token_a.plaintext, address="10.0.0.1")
        if len(nested) > MAX_BODY:
            assert _is_json_error(response, 413)
        else:
            assert _is_json_error(response, 400)


def test_unparseable_bodies_are_json_400(client_a, token_a):
    for body in ("", "{", "[1, 2", "\xff\xfe", "null", '"text"', "{'a': 1}"):
        response = _post(client_a.code, body, token=token_a.plaintext, address="10.0.0.1")
        assert _is_json_error(response, 400), body


def test_oversized_bodies_are_json_413(client_a, token_a):
    big = json.dumps({**BODY, "variables": ["A" * 100] * (MAX_BODY // 100)})
    assert len(big) > MAX_BODY
    response = _post(client_a.code, big, token=token_a.plaintext, address="10.0.0.1")
    assert _is_json_error(response, 413)
    # Refused on the declared length alone, even without a token.
    response = _post(client_a.code, big, token=None, address="10.0.0.1")
    assert _is_json_error(response, 413)


def test_floods_get_json_errors_and_the_real_token_works_from_another_address(
    client_a, token_a, settings
):
    settings.SECRETS_GATE_RATE = 5
    guesser, nester, stuffer, ci = "203.0.113.9", "203.0.113.10", "203.0.113.11", "198.51.100.7"
    nested = '{"variables": ' + "[" * 5000 + "]" * 5000 + "}"
    oversized = "[" + "1," * MAX_BODY + "1]"
    guesses, real_answers = [], []
    for i in range(40):
        wrong = _post(client_a.code, json.dumps(BODY), token=f"lrd_guess{i}", address=guesser)
        assert _is_json_error(wrong, wrong.status_code)
        guesses.append(wrong.status_code)
        assert _is_json_error(
            _post(client_a.code, nested, token=token_a.plaintext, address=nester), 400
        )
        assert _is_json_error(_post(client_a.code, oversized, token=None, address=stuffer), 413)
        if i % 10 == 9:
            real_answers.append(
                _post(client_a.code, json.dumps(BODY), token=token_a.plaintext, address=ci)
            )
    assert guesses == [401] * 5 + [429] * 35
    assert [r.status_code for r in real_answers] == [200] * 4
    assert all(r.json()["ok"] is True for r in real_answers)
    assert DeployEvent.objects.filter(result="ok").count() == 4
    assert DeployEvent.objects.filter(result="refused").count() == 40  # the nested bodies


def test_the_limit_follows_the_proxy_header_django_axes_uses(client_a, token_a, settings):
    settings.SECRETS_GATE_RATE = 2
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    proxy = "10.0.0.2"  # every request arrives through the same load balancer
    for i in range(4):
        _post(
            client_a.code,
            json.dumps(BODY),
            token=f"lrd_guess{i}",
            address=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    blocked = _post(
        client_a.code,
        json.dumps(BODY),
        token="lrd_guess",
        address=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert _is_json_error(blocked, 429)
    real = _post(
        client_a.code,
        json.dumps(BODY),
        token=token_a.plaintext,
        address=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert real.status_code in {200, 422}


def test_unknown_client_and_wrong_method_are_json(client, staff_client, client_a):
    response = staff_client.get(reverse("secrets:secrets_deploy_gate", args=["nope"]))
    assert _is_json_error(response, 404)
    response = staff_client.get(reverse("secrets:secrets_deploy_gate", args=[client_a.code]))
    assert _is_json_error(response, 405)
