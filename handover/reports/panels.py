"""The weekly report's section on the client page and the founder portal."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from clients.access import clients_for_user
from clients.models import Client, Sprint
from handover.reports.models import ReportSubscription


def _panel(request: HttpRequest, client: Client, *, staff: bool) -> str:
    on = ReportSubscription.objects.filter(user=request.user.pk, client=client).exists()
    return render_to_string(
        "reports/_panel.html",
        {"client": client, "on": on, "staff": staff, "count": client.report_subscriptions.count()},
        request=request,
    )


def client_report_panel(*, request: HttpRequest, client: Client) -> str:
    return _panel(request, client, staff=True) if request.user.is_staff else ""


def portal_report_panel(*, request: HttpRequest, sprint: Sprint) -> str:
    if not clients_for_user(request.user).filter(pk=sprint.client_id).exists():
        return ""
    return _panel(request, sprint.client, staff=False)
