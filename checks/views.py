"""Screens of the checks app: run checks from the sprint page (progress is polled through
the jobs view), and keep the per-client redirect map and per-domain check settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from checks import panels, services
from checks.forms import DomainCheckSettingsForm, RedirectRuleForm
from clients.access import (
    get_client_for_user,
    get_domain_for_user,
    get_sprint_for_user,
    staff_required,
)
from clients.jobs.services import QueueUnavailable
from clients.jobs.views import render_unavailable
from clients.services import ServiceError


@staff_required
@require_POST
def run_start(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    error, status = None, 200
    try:
        services.check_run_request(sprint=sprint, by=request.user)
    except ServiceError as exc:
        error, status = str(exc), 422
    except QueueUnavailable as exc:
        # The run is recorded as failed with this sentence; the panel shows it.
        if not request.htmx:
            return render_unavailable(request, exc, sprint.check_runs.first())
        status = 503
    if request.htmx:
        number = request.POST.get("stage", "")
        stage = sprint.stages.filter(number=int(number)).first() if number.isdigit() else None
        html = panels.sprint_panel_body(request=request, sprint=sprint, stage=stage, error=error)
        return HttpResponse(html, status=status)
    if error:
        messages.error(request, error)
    return redirect("clients:sprint_detail", sprint_code=sprint.code)


@staff_required
@require_POST
def redirect_rule_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = RedirectRuleForm(request.POST)
    if form.is_valid():
        try:
            services.redirect_rule_add(client=client, by=request.user, rule=form.save(commit=False))
        except ServiceError as exc:
            form.add_error("source_url", str(exc))
        else:
            messages.success(request, "Redirect added to the map.")
            return redirect("clients:client_detail", client_code=client.code)
    html = panels.client_panel(request=request, client=client, rule_form=form)
    return render(
        request, "checks/client_settings_page.html", {"client": client, "panel": html}, status=422
    )


@staff_required
@require_POST
def redirect_rule_delete(request: HttpRequest, client_code: str, rule_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    rule = get_object_or_404(client.redirect_rules, code=rule_code)
    services.redirect_rule_delete(rule=rule, by=request.user)
    messages.success(request, "Redirect removed from the map.")
    return redirect("clients:client_detail", client_code=client.code)


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
    services.domain_check_settings_save(domain=domain, by=request.user, **form.cleaned_data)
    messages.success(request, f"Check settings saved for {domain.hostname}.")
    return redirect("clients:client_detail", client_code=domain.client.code)
