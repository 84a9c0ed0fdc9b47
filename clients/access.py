"""Who may see what. Every view loads its objects through these helpers: staff see every
client; a founder sees only the clients they are a member of; everyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from clients.models import ChecklistItem, Client, Domain, Finding, ServiceAccount, Sprint


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in non-staff get 404, so staff
    screens do not even admit they exist."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def clients_for_user(user: Any) -> QuerySet[Client]:
    if not user.is_authenticated:
        return Client.objects.none()
    if user.is_staff:
        return Client.objects.all()
    return Client.objects.filter(memberships__user=user)


def sprints_for_user(user: Any) -> QuerySet[Sprint]:
    return Sprint.objects.filter(client__in=clients_for_user(user))


def get_client_for_user(request: HttpRequest, client_code: str) -> Client:
    return get_object_or_404(clients_for_user(request.user), code=client_code)


def get_sprint_for_user(request: HttpRequest, sprint_code: str) -> Sprint:
    return get_object_or_404(
        sprints_for_user(request.user).select_related("client"), code=sprint_code
    )


def get_domain_for_user(request: HttpRequest, domain_code: str) -> Domain:
    return get_object_or_404(
        Domain.objects.filter(client__in=clients_for_user(request.user)).select_related("client"),
        code=domain_code,
    )


def get_account_for_user(request: HttpRequest, account_code: str) -> ServiceAccount:
    return get_object_or_404(
        ServiceAccount.objects.filter(client__in=clients_for_user(request.user)).select_related(
            "client"
        ),
        code=account_code,
    )


def get_item_for_user(request: HttpRequest, sprint: Sprint, item_code: str) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.filter(stage__sprint=sprint).select_related("stage"), code=item_code
    )


def get_finding_for_user(request: HttpRequest, sprint: Sprint, finding_code: str) -> Finding:
    return get_object_or_404(sprint.findings.select_related("stage"), code=finding_code)
