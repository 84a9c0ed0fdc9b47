"""Sections the browser app adds to other screens: Lighthouse on the client page, sprint
page (stage three, where page speed is worked on) and founder portal; a journey
monitor's steps and last failure on the monitor page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.browser.models import JourneyRun, LighthouseRun
from checks.browser.services import latest_audits
from checks.monitoring.models import Monitor
from clients.models import Client, Sprint


def _lighthouse_context(client: Client) -> dict:
    return {
        "client": client,
        "audits": latest_audits(client),
        "job": LighthouseRun.objects.filter(sprint__client=client).order_by("-created_at").first(),
    }


def client_lighthouse(*, request: HttpRequest, client: Client) -> str:
    return render_to_string(
        "browser/_lighthouse_panel.html",
        {**_lighthouse_context(client), "staff": True},
        request=request,
    )


def sprint_lighthouse(*, request: HttpRequest, sprint: Sprint, stage=None) -> str:
    if stage is not None and getattr(stage, "key", None) != "edge":
        return ""
    return client_lighthouse(request=request, client=sprint.client)


def portal_lighthouse(*, request: HttpRequest, sprint: Sprint) -> str:
    context = _lighthouse_context(sprint.client)
    if not context["audits"]:
        return ""
    return render_to_string(
        "browser/_lighthouse_panel.html", {**context, "staff": False}, request=request
    )


def journey_panel(*, request: HttpRequest, monitor: Monitor) -> str:
    runs = list(JourneyRun.objects.filter(monitor=monitor).order_by("-checked_at", "-id")[:10])
    failure = next((r for r in runs if not r.ok), None)
    return render_to_string(
        "browser/_journey_panel.html",
        {
            "monitor": monitor,
            "steps": list(monitor.journey_steps.all()),
            "runs": runs,
            "failure": failure,
            "marker_header": f"{settings.JOURNEY_MARKER_HEADER}: {settings.JOURNEY_MARKER_VALUE}",
        },
        request=request,
    )
