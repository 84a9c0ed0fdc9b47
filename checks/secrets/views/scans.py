"""Secret scans: start one, watch its progress (the jobs polling view), read the redacted hits,
allowlist a false positive. Staff only: founders see "a key needs rotating" elsewhere."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from checks.secrets import services
from checks.secrets.access import get_allow_for_user, get_scan_for_user
from checks.secrets.forms import AllowForm, ScanStartForm
from checks.secrets.models import AllowlistEntry, ScanRun
from checks.secrets.views.inventory import inventory_context
from clients.access import get_client_for_user, get_removed_for_user, staff_required
from clients.jobs.services import QueueUnavailable
from clients.jobs.views import render_unavailable
from clients.views.removal import confirm_then_remove, restore_and_return
from launchready.guard.rules import rule_label


@staff_required
@require_POST
@sensitive_post_parameters()
def scan_start(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = ScanStartForm(request.POST)
    if not form.is_valid():
        context = inventory_context(request, client, scan_form=form, open_form="scan")
        return render(request, "secrets/inventory.html", context, status=422)
    try:
        run = services.scan_request(
            client=client, by=request.user, source=form.cleaned_data["source"]
        )
    except QueueUnavailable as exc:
        return render_unavailable(request, exc, client.scan_runs.first())
    return redirect("secrets:secrets_scan_detail", scan_code=run.code)


def _status_context(run: ScanRun) -> dict:
    hits = list(run.hits.select_related("key")) if run.is_finished else []
    for hit in hits:
        hit.label = rule_label(hit.rule)
    distinct = len({hit.fingerprint for hit in hits})
    return {"run": run, "hits": hits, "distinct": distinct, "allow_form": AllowForm()}


@staff_required
def scan_detail(request: HttpRequest, scan_code: str) -> HttpResponse:
    run = get_scan_for_user(request, scan_code)
    return render(
        request, "secrets/scan_detail.html", {"client": run.client, **_status_context(run)}
    )


@staff_required
@require_POST
def scan_allow(request: HttpRequest, scan_code: str) -> HttpResponse:
    run = get_scan_for_user(request, scan_code)
    form = AllowForm(request.POST)
    if not form.is_valid():
        context = {"client": run.client, **_status_context(run), "allow_form": form}
        return render(request, "secrets/scan_detail.html", context, status=422)
    hit = get_object_or_404(run.hits, code=form.cleaned_data["hit"])
    services.allowlist_add(
        client=run.client,
        by=request.user,
        fingerprint=hit.fingerprint,
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, "Allowlisted: the next scan skips this value.")
    return redirect("secrets:secrets_scan_detail", scan_code=run.code)


@staff_required
@require_http_methods(["GET", "POST"])
def allow_delete(request: HttpRequest, allow_code: str) -> HttpResponse:
    entry = get_allow_for_user(request, allow_code)
    return confirm_then_remove(
        request,
        thing="the allowlist entry",
        name=f"“{entry.reason}”",
        consequence="The next scan reports this value again and files a finding for it.",
        remove=lambda: services.allowlist_entry_delete(entry=entry, by=request.user),
        back_url=reverse("secrets:secrets_inventory", args=[entry.client.code]) + "#scans",
        restore_url=reverse("secrets:secrets_allow_restore", args=[entry.code]),
    )


@staff_required
@require_POST
def allow_restore(request: HttpRequest, allow_code: str) -> HttpResponse:
    entry = get_removed_for_user(request, AllowlistEntry, allow_code)
    return restore_and_return(
        request,
        thing="the allowlist entry",
        name=f"“{entry.reason}”",
        restore=lambda: services.allowlist_entry_restore(entry=entry, by=request.user),
        back_url=reverse("secrets:secrets_inventory", args=[entry.client.code]) + "#scans",
    )
