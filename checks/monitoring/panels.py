"""Sections monitoring adds to the clients app's screens (registered in apps.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.monitoring import services
from checks.monitoring.forms import MonitorForm, monitor_form_initial
from checks.monitoring.models import Monitor, MonitorStatus
from clients.access import clients_for_user
from clients.models import Client, Sprint


def dashboard_down(*, request: HttpRequest) -> str:
    if not services.request_scheduler_health(request)["any_down"]:
        return ""
    down = list(
        Monitor.objects.filter(enabled=True, status=MonitorStatus.DOWN)
        .select_related("client")
        .order_by("failing_since")
    )
    return render_to_string("monitoring/_dashboard_down.html", {"down": down}, request=request)


def client_monitors(*, request: HttpRequest, client: Client) -> str:
    monitors = list(client.monitors.all())
    return render_to_string(
        "monitoring/_client_panel.html", {"client": client, "monitors": monitors}, request=request
    )


def sprint_monitors(*, request: HttpRequest, sprint: Sprint, stage=None) -> str:
    # Stage six is where monitoring is set up; elsewhere the panel would be noise.
    if stage is not None and getattr(stage, "number", None) != 6:
        return ""
    monitors = list(sprint.client.monitors.all())
    context = {"client": sprint.client, "monitors": monitors, "in_sprint": True}
    if request.user.is_staff and sprint.is_active:
        # Add a monitor without leaving the stage; the form comes back here when saved.
        context["monitor_form"] = MonitorForm(
            initial=monitor_form_initial(user=request.user, client=sprint.client)
        )
        context["next"] = f"{request.path}?stage={stage.number if stage else 6}"
    return render_to_string("monitoring/_client_panel.html", context, request=request)


def portal_monitors(*, request: HttpRequest, sprint: Sprint) -> str:
    if not clients_for_user(request.user).filter(pk=sprint.client_id).exists():
        return ""
    monitors = list(sprint.client.monitors.all())
    if not monitors:
        return ""
    return render_to_string(
        "monitoring/_portal_panel.html",
        {"client": sprint.client, "monitors": monitors},
        request=request,
    )
