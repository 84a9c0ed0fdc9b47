"""The deploy gate: staff create and revoke per-client tokens; the client's CI posts the
names of the variables it has and gets 200 or 422 (missing names). Names only: any
value in the body is refused, and no error message ever echoes what was sent."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from checks.secrets import services
from checks.secrets.access import get_token_for_user
from checks.secrets.forms import DeployTokenForm
from checks.secrets.validators import ENV_NAME, ENVIRONMENT_NAME
from checks.secrets.views.inventory import inventory_context
from clients.access import get_client_for_user, staff_required
from launchready.guard.rules import detect_text

MAX_BODY = 64 * 1024
MAX_NAMES = 2000
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
    gate_url = settings.SITE_URL + reverse("secrets_deploy_gate", args=[client.code])
    response = render(
        request,
        "secrets/token_created.html",
        {"client": client, "issued": issued, "plaintext": issued.plaintext, "gate_url": gate_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def token_revoke(request: HttpRequest, token_code: str) -> HttpResponse:
    token = get_token_for_user(request, token_code)
    services.deploy_token_revoke(token=token, by=request.user)
    messages.success(request, f"Revoked the token for {token.label}.")
    return redirect("secrets_inventory", client_code=token.client.code)


# ---------------------------------------------------------------- API


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"ok": False}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="deploy-gate"'
    return response


def _rate_limited(request: HttpRequest, client_code: str) -> bool:
    """Fixed window per client and address, kept in the Django cache."""
    address = request.META.get("REMOTE_ADDR", "")
    key = f"secrets-gate:{client_code}:{address}"
    window = settings.SECRETS_GATE_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
    return count > settings.SECRETS_GATE_RATE


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def parse_gate_body(body: bytes) -> tuple[dict[str, Any], str]:
    """(fields, error). Fields that validated are returned even with an error, so the
    refusal can be recorded with its environment and version."""
    if len(body) > MAX_BODY:
        return {}, "Body too large."
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
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


@csrf_exempt
def deploy_gate(request: HttpRequest, client_code: str) -> HttpResponse:
    if request.method != "POST":
        if not request.user.is_authenticated:
            return _unauthorized()
        get_client_for_user(request, client_code)
        return HttpResponseNotAllowed(["POST"])
    if _rate_limited(request, client_code):
        response = JsonResponse({"ok": False, "error": "Too many requests."}, status=429)
        response["Retry-After"] = str(settings.SECRETS_GATE_WINDOW_SECONDS)
        return response
    presented = _bearer(request)
    if not presented:
        if request.user.is_authenticated:
            # A signed-in person who cannot see this client gets the app's usual 404.
            get_client_for_user(request, client_code)
        return _unauthorized()
    token = services.deploy_token_check(client_code=client_code, presented=presented)
    if token is None:
        return _unauthorized()
    fields, error = parse_gate_body(request.body)
    if error:
        services.deploy_gate_refused(
            token=token,
            environment=fields.get("environment", ""),
            version=fields.get("version", ""),
        )
        return JsonResponse({"ok": False, "error": error}, status=400)
    answer = services.deploy_gate_check(
        token=token,
        environment=fields["environment"],
        version=fields["version"],
        names=fields["variables"],
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
