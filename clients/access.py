"""Who may see what. Every view loads its objects through these helpers: staff see every
client; a founder sees only the clients they are a member of; everyone else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from clients.models import ChecklistItem, Client, Domain, Finding, ServiceAccount, Sprint
from clients.softdelete import SoftDeleteModel


class AuthedRequest(HttpRequest):
    """The request a view behind ``staff_required`` or ``login_required`` receives, for
    type checkers: a signed-in user and django-htmx's ``request.htmx``."""

    user: User
    htmx: HtmxDetails


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


def safe_next(request: HttpRequest) -> str | None:
    """The page a form asked to return to (``next`` in the POST), when it is a path on
    this site; None otherwise, so a crafted link cannot send anyone elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def clients_for_user(user: Any) -> QuerySet[Client]:
    if not user.is_authenticated:
        return Client.objects.none()
    if user.is_staff:
        return Client.objects.all()
    return Client.objects.filter(memberships__user=user)


def sprints_for_user(user: Any) -> QuerySet[Sprint]:
    if user.is_authenticated and user.is_staff:
        # Every sprint belongs to a client (non-null, cascading), so staff see them all
        # without the "client in every client" subquery (half the sprint page's lookup).
        return Sprint.objects.all()
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


def get_removed_for_user(request: HttpRequest, model: type[SoftDeleteModel], code: str) -> Any:
    """A removed (soft-deleted) row of a client the user may see, for the undo views."""
    return get_object_or_404(
        model.all_objects.removed()
        .filter(client__in=clients_for_user(request.user))
        .select_related("client"),
        code=code,
    )


def get_item_for_user(request: HttpRequest, sprint: Sprint, item_code: str) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.filter(stage__sprint=sprint).select_related("stage"), code=item_code
    )


def get_finding_for_user(request: HttpRequest, sprint: Sprint, finding_code: str) -> Finding:
    return get_object_or_404(sprint.findings.select_related("stage"), code=finding_code)
