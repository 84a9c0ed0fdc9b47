"""Screens of the checks app: run checks from the sprint page, poll progress, and keep the
per-client redirect map and per-domain check settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from checks import panels, services
from checks.forms import DomainCheckSettingsForm, RedirectRuleForm
from checks.models import CheckRun, DomainCheckSettings
from clients.access import (
    get_client_for_user,
    get_domain_for_user,
    get_sprint_for_user,
    staff_required,
)
from clients.services import ServiceError


def _get_run_for_user(request: HttpRequest, sprint, run_code: str) -> CheckRun:
    return get_object_or_404(sprint.check_runs, code=run_code)


@staff_required
@require_POST
def run_start(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    error = None
    try:
        services.check_run_request(sprint=sprint, by=request.user)
    except ServiceError as exc:
        error = str(exc)
    if request.headers.get("HX-Request") == "true":
        html = panels.sprint_panel_body(request=request, sprint=sprint, error=error)
        return HttpResponse(html, status=422 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("sprint_detail", sprint_code=sprint.code)


@staff_required
def run_progress(request: HttpRequest, sprint_code: str, run_code: str) -> HttpResponse:
    """The panel body; htmx polls it every second while the run is queued or running."""
    sprint = get_sprint_for_user(request, sprint_code)
    run = _get_run_for_user(request, sprint, run_code)
    services.check_run_expire_if_stale(run)
    response = HttpResponse(panels.sprint_panel_body(request=request, sprint=sprint, run=run))
    if not run.is_active:
        # The page's checklist listens for this and reloads its badges in place.
        response["HX-Trigger"] = "checks-finished"
    return response


@staff_required
@require_POST
def redirect_rule_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = RedirectRuleForm(request.POST)
    if form.is_valid():
        if client.redirect_rules.filter(source_url=form.cleaned_data["source_url"]).exists():
            form.add_error("source_url", "This URL is already in the redirect map.")
        else:
            rule = form.save(commit=False)
            rule.client = client
            rule.save()
            messages.success(request, "Redirect added to the map.")
            return redirect("client_detail", client_code=client.code)
    html = panels.client_panel(request=request, client=client, rule_form=form)
    return render(
        request, "checks/client_settings_page.html", {"client": client, "panel": html}, status=422
    )


@staff_required
@require_POST
def redirect_rule_delete(request: HttpRequest, client_code: str, rule_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    rule = get_object_or_404(client.redirect_rules, code=rule_code)
    rule.delete()
    messages.success(request, "Redirect removed from the map.")
    return redirect("client_detail", client_code=client.code)


@staff_required
@require_POST
def domain_settings(request: HttpRequest, domain_code: str) -> HttpResponse:
    domain = get_domain_for_user(request, domain_code)
    form = DomainCheckSettingsForm(request.POST, prefix=f"d{domain.pk}")
    if not form.is_valid():
        html = panels.client_panel(
            request=request, client=domain.client, settings_forms={domain.pk: form}
        )
        return render(
            request,
            "checks/client_settings_page.html",
            {"client": domain.client, "panel": html},
            status=422,
        )
    DomainCheckSettings.objects.update_or_create(domain=domain, defaults=form.cleaned_data)
    messages.success(request, f"Check settings saved for {domain.hostname}.")
    return redirect("client_detail", client_code=domain.client.code)
