from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clients import services
from clients.access import (
    get_account_for_user,
    get_client_for_user,
    get_domain_for_user,
    get_removed_for_user,
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
from clients.models import Client, Domain, ServiceAccount
from clients.panels import render_panels
from clients.views.removal import confirm_then_remove, recently_removed, restore_and_return
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
            founder = founder_form.cleaned_data
            client = services.client_create(
                client=form.save(commit=False),
                by=request.user,
                domain=domain_form.save(commit=False)
                if domain_form.cleaned_data.get("hostname")
                else None,
                founder_email=founder.get("email") or "",
                founder_name=founder.get("full_name") or "",
                founder_title=founder.get("title") or "Founder",
                founder_password=founder.get("password") or None,
                site_url=site_url(request),
            )
            messages.success(request, f"{client.name} is set up.")
            return redirect("clients:client_detail", client_code=client.code)
        status = 422
    else:
        status = 200
    context = {"form": form, "domain_form": domain_form, "founder_form": founder_form}
    return render(request, "clients/client_form.html", context, status=status)


def _client_context(request: HttpRequest, client: Client) -> dict:
    return {
        "client": client,
        "domains": client.domains.all(),
        "removed_domains": recently_removed(
            Domain.all_objects.filter(client=client),
            label=lambda d: d.hostname,
            restore_url="clients:domain_restore",
        ),
        "removed_accounts": recently_removed(
            ServiceAccount.all_objects.filter(client=client),
            label=str,
            restore_url="clients:account_restore",
        ),
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
            services.client_update(client=form.save(commit=False), by=request.user)
            messages.success(request, "Saved.")
            return redirect("clients:client_detail", client_code=client.code)
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
    domain = services.domain_add(client=client, by=request.user, domain=form.save(commit=False))
    messages.success(request, f"Added {domain.hostname}.")
    return redirect("clients:client_detail", client_code=client.code)


@staff_required
@require_http_methods(["GET", "POST"])
def domain_delete(request: HttpRequest, domain_code: str) -> HttpResponse:
    domain = get_domain_for_user(request, domain_code)
    return confirm_then_remove(
        request,
        thing="the domain",
        name=domain.hostname,
        consequence="Checks stop looking at it, and it leaves the client page and the handover.",
        remove=lambda: services.domain_delete(domain=domain, by=request.user),
        back_url=reverse("clients:client_detail", args=[domain.client.code]),
        restore_url=reverse("clients:domain_restore", args=[domain.code]),
    )


@staff_required
@require_POST
def domain_restore(request: HttpRequest, domain_code: str) -> HttpResponse:
    domain = get_removed_for_user(request, Domain, domain_code)
    return restore_and_return(
        request,
        thing="the domain",
        name=domain.hostname,
        restore=lambda: services.domain_restore(domain=domain, by=request.user),
        back_url=reverse("clients:client_detail", args=[domain.client.code]),
    )


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
    return redirect("clients:client_detail", client_code=client.code)


@staff_required
@require_POST
def account_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    form = ServiceAccountForm(request.POST)
    if not form.is_valid():
        return _client_detail_with_error(request, client, account_form=form)
    account = services.account_add(client=client, by=request.user, account=form.save(commit=False))
    messages.success(request, f"Added {account}.")
    return redirect("clients:client_detail", client_code=client.code)


@staff_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest, account_code: str) -> HttpResponse:
    account = get_account_for_user(request, account_code)
    return confirm_then_remove(
        request,
        thing="the account",
        name=str(account),
        consequence="It leaves the client page and the handover's list of who owns what.",
        remove=lambda: services.service_account_delete(account=account, by=request.user),
        back_url=reverse("clients:client_detail", args=[account.client.code]),
        restore_url=reverse("clients:account_restore", args=[account.code]),
    )


@staff_required
@require_POST
def account_restore(request: HttpRequest, account_code: str) -> HttpResponse:
    account = get_removed_for_user(request, ServiceAccount, account_code)
    return restore_and_return(
        request,
        thing="the account",
        name=str(account),
        restore=lambda: services.service_account_restore(account=account, by=request.user),
        back_url=reverse("clients:client_detail", args=[account.client.code]),
    )


@staff_required
@require_POST
def sprint_start(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    try:
        sprint = services.sprint_start(client=client, by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("clients:client_detail", client_code=client.code)
    return redirect("clients:sprint_detail", sprint_code=sprint.code)
