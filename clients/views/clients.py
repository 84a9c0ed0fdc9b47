from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import services
from clients.access import (
    get_account_for_user,
    get_client_for_user,
    get_domain_for_user,
    staff_required,
)
from clients.forms import (
    ClientForm,
    DomainForm,
    DomainInlineForm,
    FounderForm,
    FounderInlineForm,
    ServiceAccountForm,
)
from clients.models import Client
from clients.panels import render_panels
from launchready.sites import site_url


@staff_required
def client_list(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.prefetch_related("domains").order_by("name")
    return render(request, "clients/client_list.html", {"clients": clients})


@staff_required
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, prefix="client")
    domain_form = DomainInlineForm(request.POST or None, prefix="domain")
    founder_form = FounderInlineForm(request.POST or None, prefix="founder")
    if request.method == "POST":
        if form.is_valid() and domain_form.is_valid() and founder_form.is_valid():
            with transaction.atomic():
                client = form.save()
                if domain_form.cleaned_data.get("hostname"):
                    domain = domain_form.save(commit=False)
                    domain.client = client
                    domain.save()
                if founder_form.cleaned_data.get("email"):
                    services.founder_add(
                        client=client,
                        by=request.user,
                        email=founder_form.cleaned_data["email"],
                        full_name=founder_form.cleaned_data["full_name"],
                        title=founder_form.cleaned_data["title"] or "Founder",
                        password=founder_form.cleaned_data["password"] or None,
                        site_url=site_url(request),
                    )
            messages.success(request, f"{client.name} is set up.")
            return redirect("client_detail", client_code=client.code)
        status = 422
    else:
        status = 200
    context = {"form": form, "domain_form": domain_form, "founder_form": founder_form}
    return render(request, "clients/client_form.html", context, status=status)


def _client_context(request: HttpRequest, client: Client) -> dict:
    return {
        "client": client,
        "domains": client.domains.all(),
        "memberships": client.memberships.select_related("user"),
        "accounts": client.accounts.all(),
        "sprints": client.sprints.order_by("-started_at"),
        "active_sprint": client.sprints.filter(finished_at__isnull=True).first(),
        "domain_form": DomainForm(client=client),
        "founder_form": FounderForm(),
        "account_form": ServiceAccountForm(),
        "panels": render_panels("client", request=request, client=client),
    }


@staff_required
def client_detail(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    return render(request, "clients/client_detail.html", _client_context(request, client))


def _client_detail_with_error(request: HttpRequest, client: Client, **forms) -> HttpResponse:
    """Re-render the client page with the failed form (and what was typed) in place."""
    context = _client_context(request, client)
    context.update(forms)
    context["open_form"] = next(iter(forms))
    return render(request, "clients/client_detail.html", context, status=422)


@staff_required
def client_edit(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = ClientForm(request.POST or None, instance=client, prefix="client")
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Saved.")
            return redirect("client_detail", client_code=client.code)
        return render(
            request, "clients/client_edit.html", {"form": form, "client": client}, status=422
        )
    return render(request, "clients/client_edit.html", {"form": form, "client": client})


@staff_required
@require_POST
def domain_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = DomainForm(request.POST, client=client)
    if not form.is_valid():
        return _client_detail_with_error(request, client, domain_form=form)
    domain = form.save(commit=False)
    domain.client = client
    domain.save()
    messages.success(request, f"Added {domain.hostname}.")
    return redirect("client_detail", client_code=client.code)


@staff_required
@require_POST
def domain_delete(request: HttpRequest, domain_code: str) -> HttpResponse:
    domain = get_domain_for_user(request, domain_code)
    domain.delete()
    messages.success(request, f"Removed {domain.hostname}.")
    return redirect("client_detail", client_code=domain.client.code)


@staff_required
@require_POST
def founder_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = FounderForm(request.POST)
    if not form.is_valid():
        return _client_detail_with_error(request, client, founder_form=form)
    try:
        services.founder_add(
            client=client,
            by=request.user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            title=form.cleaned_data["title"] or "Founder",
            password=form.cleaned_data["password"] or None,
            site_url=site_url(request),
        )
    except services.ServiceError as exc:
        form.add_error("email", str(exc))
        return _client_detail_with_error(request, client, founder_form=form)
    messages.success(request, f"{form.cleaned_data['email']} can now sign in to see {client.name}.")
    return redirect("client_detail", client_code=client.code)


@staff_required
@require_POST
def account_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = ServiceAccountForm(request.POST)
    if not form.is_valid():
        return _client_detail_with_error(request, client, account_form=form)
    account = form.save(commit=False)
    account.client = client
    account.save()
    messages.success(request, f"Added {account}.")
    return redirect("client_detail", client_code=client.code)


@staff_required
@require_POST
def account_delete(request: HttpRequest, account_code: str) -> HttpResponse:
    account = get_account_for_user(request, account_code)
    account.delete()
    messages.success(request, f"Removed {account}.")
    return redirect("client_detail", client_code=account.client.code)


@staff_required
@require_POST
def sprint_start(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    try:
        sprint = services.sprint_start(client=client, by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("client_detail", client_code=client.code)
    return redirect("sprint_detail", sprint_code=sprint.code)
