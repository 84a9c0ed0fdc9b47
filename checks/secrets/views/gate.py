"""The deploy gate: staff create and revoke per-client tokens; the client's CI posts the
names of the variables it has and gets 200 or 422 (missing names). Names only: any
value in the body is refused, and no error message ever echoes what was sent. Every
answer is JSON, faults included (400, 401, 404, 405, 413, 429, 503)."""

from __future__ import annotations

import json
import re
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from checks.secrets import services
from checks.secrets.access import get_token_for_user
from checks.secrets.forms import DeployTokenForm
from checks.secrets.validators import ENV_NAME, ENVIRONMENT_NAME
from checks.secrets.views.inventory import inventory_context
from clients.access import get_client_for_user, staff_required
from launchready.guard.rules import detect_text
from launchready.sites import site_url

MAX_BODY = 64 * 1024
MAX_NAMES = 2000
MAX_DEPTH = 4  # {"variables": [...]} needs 2
_VERSION = re.compile(r"^[\w.\-+/:@]{1,100}$")
NAMES_ONLY = "Send variable names only, never values."


@staff_required
@require_POST
def token_new(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = DeployTokenForm(request.POST)
    if not form.is_valid():
        context = inventory_context(request, client, token_form=form, open_form="token")
        return render(request, "secrets/inventory.html", context, status=422)
    issued = services.deploy_token_create(
        client=client, by=request.user, label=form.cleaned_data["label"]
    )
    # POST/redirect/GET: a refresh of the page that shows the token never issues another.
    # The plaintext waits in the session for that one GET, which takes it out.
    request.session[_session_key(issued.token.code)] = issued.plaintext
    return redirect("secrets:secrets_token_created", token_code=issued.token.code)


def _session_key(token_code: str) -> str:
    return f"deploy-token-once:{token_code}"


@staff_required
def token_created(request: HttpRequest, token_code: str) -> HttpResponse:
    token = get_token_for_user(request, token_code)
    plaintext = request.session.pop(_session_key(token.code), None)
    gate_url = site_url(request) + reverse("secrets:secrets_deploy_gate", args=[token.client.code])
    known = services.known_environments(client=token.client)
    context = {
        "client": token.client,
        "token": token,
        "plaintext": plaintext,
        "gate_url": gate_url,
        "known_environments": known,
        # The snippet names an environment the gate knows, or it would be refused.
        "environment": "production" if "production" in known or not known else known[0],
    }
    response = render(request, "secrets/token_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def token_revoke(request: HttpRequest, token_code: str) -> HttpResponse:
    token = get_token_for_user(request, token_code)
    services.deploy_token_revoke(token=token, by=request.user)
    messages.success(request, f"Revoked the token for {token.label}.")
    return redirect("secrets:secrets_inventory", client_code=token.client.code)


# ---------------------------------------------------------------- API
# Every answer of the gate is JSON: CI scripts parse it, and an HTML error page would
# fail every client's deploy with nothing to read.


def _json(status: int, error: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error, **extra}, status=status)


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"ok": False}, status=401)  # no detail for a guesser
    response["WWW-Authenticate"] = 'Bearer realm="deploy-gate"'
    return response


class LimiterUnavailable(Exception):
    """The rate limiter's store (Redis, in production) did not answer."""


def _limit_key(client_code: str):
    def key(group: str, request: HttpRequest) -> str:
        # Proxy-aware, configured once for the app: AXES_IP_HEADERS (django-axes' setting).
        return f"{client_code}:{get_client_ip_address(request) or 'unknown'}"

    return key


def _failures_exceeded(request: HttpRequest, client_code: str, *, count: bool) -> bool:
    """Failed authentications of this client from this address in the window (django-
    ratelimit's counters in the Django cache). Only failures are counted, so a valid
    token is never refused because someone else guessed wrong from another address."""
    rate = f"{settings.SECRETS_GATE_RATE}/{settings.SECRETS_GATE_WINDOW_SECONDS}s"
    try:
        usage = get_usage(
            request,
            group="secrets-gate-auth",
            key=_limit_key(client_code),
            rate=rate,
            increment=count,
        )
    except Exception as exc:  # the cache backend's own connection errors
        raise LimiterUnavailable from exc
    if usage is None or usage["limit"] == 0:  # the store answered nothing usable
        raise LimiterUnavailable
    return usage["count"] > usage["limit"] if count else usage["count"] >= usage["limit"]


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _too_deep(body: bytes, limit: int) -> bool:
    """Nesting deeper than ``limit`` ([ and { outside strings), checked on the raw bytes
    before json.loads so a deeply nested body never reaches the recursive parser."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def parse_gate_body(body: bytes) -> tuple[dict[str, Any], str]:
    """(fields, error). Fields that validated are returned even with an error, so the
    refusal can be recorded with its environment and version. Size and nesting are
    capped before parsing."""
    if len(body) > MAX_BODY:
        return {}, "Body too large."
    if _too_deep(body, MAX_DEPTH):
        return {}, "Send a flat JSON object: environment, version, variables."
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, "Send a JSON object: environment, version, variables."
    if not isinstance(data, dict):
        return {}, "Send a JSON object: environment, version, variables."
    fields: dict[str, Any] = {}
    environment, version = data.get("environment"), data.get("version")
    if isinstance(environment, str) and ENVIRONMENT_NAME.match(environment.strip().lower()):
        fields["environment"] = environment.strip().lower()
    if isinstance(version, str) and _VERSION.match(version) and not detect_text(version):
        fields["version"] = version
    unknown = set(data) - {"environment", "version", "variables"}
    if unknown:
        return fields, f"Unknown fields. {NAMES_ONLY}"
    variables = data.get("variables")
    if not isinstance(variables, list):
        return fields, f"'variables' must be a list of names. {NAMES_ONLY}"
    if len(variables) > MAX_NAMES:
        return fields, "Too many variables."
    if not all(isinstance(name, str) and ENV_NAME.match(name) for name in variables):
        return fields, NAMES_ONLY
    if "environment" not in fields:
        return fields, "'environment' must be a short name like production or staging."
    if "version" not in fields:
        return (
            fields,
            "'version' must be a release name or commit id (letters, digits, . - _ + / : @).",
        )
    fields["variables"] = variables
    return fields, ""


def _unknown_environment(environment: str, known: list[str]) -> str:
    if not known:
        return (
            f"Deploy stopped: no environment is on this client's variable map yet, so "
            f"'{environment}' cannot be checked. Add the variables it needs first."
        )
    return (
        f"Deploy stopped: '{environment}' is not an environment on the variable map. "
        f"Known environments: {', '.join(known)}."
    )


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over MAX_BODY: the declared length is refused before
    anything is read, and an undeclared one is read no further than the cap."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


@csrf_exempt
def deploy_gate(request: HttpRequest, client_code: str) -> HttpResponse:
    try:
        return _deploy_gate(request, client_code)
    except LimiterUnavailable:
        return _json(503, "The gate's rate limiter is unavailable; try again shortly.")
    except Http404:
        return _json(404, "Not found.")
    except DatabaseError:
        return _json(503, "The gate's database is unavailable; try again shortly.")


def _deploy_gate(request: HttpRequest, client_code: str) -> HttpResponse:
    if request.method != "POST":
        if not request.user.is_authenticated:
            return _unauthorized()
        get_client_for_user(request, client_code)
        response = _json(405, "Use POST.")
        response["Allow"] = "POST"
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return _json(413, f"Body too large (at most {MAX_BODY // 1024} KiB).")
    if _failures_exceeded(request, client_code, count=False):
        response = _json(429, "Too many failed attempts from this address.")
        response["Retry-After"] = str(settings.SECRETS_GATE_WINDOW_SECONDS)
        return response
    presented = _bearer(request)
    if not presented and request.user.is_authenticated:
        # A signed-in person who cannot see this client gets the app's usual 404.
        get_client_for_user(request, client_code)
    token = (
        services.deploy_token_check(client_code=client_code, presented=presented)
        if presented
        else None
    )
    if token is None:
        _failures_exceeded(request, client_code, count=True)
        return _unauthorized()
    body = _read_body(request)
    if body is None:
        services.deploy_gate_refused(token=token)
        return _json(413, f"Body too large (at most {MAX_BODY // 1024} KiB).")
    fields, error = parse_gate_body(body)
    if error:
        services.deploy_gate_refused(
            token=token,
            environment=fields.get("environment", ""),
            version=fields.get("version", ""),
        )
        return _json(400, error)
    answer = services.deploy_gate_check(
        token=token,
        environment=fields["environment"],
        version=fields["version"],
        names=fields["variables"],
    )
    if answer.unknown_environment:
        return _json(
            422,
            _unknown_environment(fields["environment"], answer.known),
            environment=fields["environment"],
            known_environments=answer.known,
        )
    payload: dict[str, Any] = {
        "ok": answer.ok,
        "environment": fields["environment"],
        "version": fields["version"],
        "required": len(answer.required),
        "missing": answer.missing,
    }
    if answer.exposed:
        payload["warnings"] = [
            f"{name} looks secret but ships to the browser." for name in answer.exposed
        ]
    if not answer.ok:
        payload["error"] = f"Deploy stopped: {len(answer.missing)} required variable(s) missing."
    return JsonResponse(payload, status=200 if answer.ok else 422)
