"""The client's secrets page (staff edit it, founders read it) and the inventory and
env-map forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from checks.secrets import services
from checks.secrets.access import get_envvar_for_user, get_record_for_user
from checks.secrets.forms import DeployTokenForm, EnvVarForm, ScanStartForm, SecretRecordForm
from checks.secrets.models import AllowlistEntry, DeployEvent, ExposedKey, ScanRun, SecretRecord
from clients.access import get_client_for_user, get_removed_for_user, safe_next, staff_required
from clients.models import Client
from clients.views.removal import confirm_then_remove, recently_removed, restore_and_return
from launchready.guard.rules import rule_label


def keys_to_rotate(client: Client) -> list[dict[str, str]]:
    """What founders may know about scan results: which kinds of key need rotating."""
    keys = ExposedKey.objects.filter(client=client, still_present=True).order_by("first_seen")
    return [{"label": rule_label(key.rule), "code": key.code} for key in keys]


def inventory_context(request: HttpRequest, client: Client, **extra: Any) -> dict[str, Any]:
    env_vars = list(client.env_vars.all())
    environments = sorted({env for var in env_vars for env in var.environments})
    context: dict[str, Any] = {
        "client": client,
        "records": client.secret_records.all(),
        "env_vars": env_vars,
        "exposed_names": {var.name for var in env_vars if services.env_exposed(var)},
        "environments": environments,
        "keys_to_rotate": keys_to_rotate(client),
        "deploys": DeployEvent.objects.filter(client=client)[:10],
        "staff_view": request.user.is_staff,
    }
    if request.user.is_staff:
        context.update(
            scans=ScanRun.objects.filter(client=client)[:10],
            tokens=client.deploy_tokens.all(),
            allowlist=client.secret_allowlist.all(),
            removed_records=recently_removed(
                SecretRecord.all_objects.filter(client=client),
                label=lambda r: r.name,
                restore_url="secrets:secrets_record_restore",
            ),
            removed_allowlist=recently_removed(
                AllowlistEntry.all_objects.filter(client=client),
                label=lambda a: f"Allowlist entry: {a.reason}",
                restore_url="secrets:secrets_allow_restore",
            ),
            scan_form=ScanStartForm(),
            token_form=DeployTokenForm(),
        )
    context.update(extra)
    return context


@login_required
def inventory(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    return render(request, "secrets/inventory.html", inventory_context(request, client))


def _form_flow(
    request: HttpRequest,
    *,
    client: Client,
    form: Any,
    title: str,
    save: Callable[[Any], str],
    delete_url: str = "",
    delete_confirms: bool = False,
) -> HttpResponse:
    """GET shows the form; a valid POST saves (``save`` returns the success message) and
    goes back to the inventory; an invalid POST re-renders with 422."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            messages.success(request, save(form))
            return redirect(
                safe_next(request) or reverse("secrets:secrets_inventory", args=[client.code])
            )
        status = 422
    context = {
        "client": client,
        "form": form,
        "title": title,
        "delete_url": delete_url,
        "next": safe_next(request),
        "delete_confirms": delete_confirms,  # a confirmation page, then undo
    }
    return render(request, "secrets/form.html", context, status=status)


@staff_required
@sensitive_post_parameters()
def record_new(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)

    def save(form: SecretRecordForm) -> str:
        record = form.save(commit=False)
        record.client = client
        services.secret_record_save(record=record, by=request.user)
        return f"Recorded {record.name}."

    form = SecretRecordForm(request.POST or None, client=client)
    return _form_flow(request, client=client, form=form, title="Record a secret", save=save)


@staff_required
@sensitive_post_parameters()
def record_edit(request: HttpRequest, record_code: str) -> HttpResponse:
    record = get_record_for_user(request, record_code)

    def save(form: SecretRecordForm) -> str:
        services.secret_record_save(record=form.save(commit=False), by=request.user)
        return "Saved."

    form = SecretRecordForm(request.POST or None, instance=record, client=record.client)
    return _form_flow(
        request,
        client=record.client,
        form=form,
        title=f"Edit {record.name}",
        save=save,
        delete_url=reverse("secrets:secrets_record_delete", args=[record.code]),
        delete_confirms=True,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, record_code: str) -> HttpResponse:
    record = get_record_for_user(request, record_code)
    return confirm_then_remove(
        request,
        thing="the secret record",
        name=record.name,
        consequence=(
            "It leaves the inventory and the handover. The key itself is untouched: if it "
            "needs rotating, removing the record does not do that."
        ),
        remove=lambda: services.secret_record_delete(record=record, by=request.user),
        back_url=reverse("secrets:secrets_inventory", args=[record.client.code]),
        restore_url=reverse("secrets:secrets_record_restore", args=[record.code]),
    )


@staff_required
@require_POST
def record_restore(request: HttpRequest, record_code: str) -> HttpResponse:
    record = get_removed_for_user(request, SecretRecord, record_code)
    return restore_and_return(
        request,
        thing="the secret record",
        name=record.name,
        restore=lambda: services.secret_record_restore(record=record, by=request.user),
        back_url=reverse("secrets:secrets_inventory", args=[record.client.code]),
    )


@staff_required
@sensitive_post_parameters()
def envvar_new(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)

    def save(form: EnvVarForm) -> str:
        var = form.save(commit=False)
        var.client = client
        services.envvar_save(var=var, by=request.user)
        return f"Added {var.name} to the map."

    form = EnvVarForm(request.POST or None, client=client)
    return _form_flow(
        request, client=client, form=form, title="Add an environment variable", save=save
    )


@staff_required
@sensitive_post_parameters()
def envvar_edit(request: HttpRequest, envvar_code: str) -> HttpResponse:
    var = get_envvar_for_user(request, envvar_code)
    old_name = var.name

    def save(form: EnvVarForm) -> str:
        services.envvar_save(var=form.save(commit=False), by=request.user, old_name=old_name)
        return "Saved."

    form = EnvVarForm(request.POST or None, instance=var, client=var.client)
    return _form_flow(
        request,
        client=var.client,
        form=form,
        title=f"Edit {old_name}",
        save=save,
        delete_url=reverse("secrets:secrets_envvar_delete", args=[var.code]),
    )


@staff_required
@require_POST
def envvar_delete(request: HttpRequest, envvar_code: str) -> HttpResponse:
    var = get_envvar_for_user(request, envvar_code)
    client = var.client
    services.envvar_delete(var=var, by=request.user)
    messages.success(request, "Removed from the map.")
    return redirect("secrets:secrets_inventory", client_code=client.code)
