"""Sections the browser app adds to other screens: Lighthouse on the client page, sprint
page (stage three, where page speed is worked on) and founder portal; a journey
monitor's steps and last failure on the monitor page."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.browser.models import JourneyRun, LighthouseAudit, LighthouseRun
from checks.monitoring.models import Monitor
from clients.models import Client, Sprint

_RUN_FIELDS = [f.attname for f in LighthouseRun._meta.concrete_fields]
_AUDIT_FIELDS = [f.attname for f in LighthouseAudit._meta.concrete_fields]
_ROWS = 300  # runs, each with its audits; a run audits a handful of routes


def _lighthouse_context(client: Client) -> dict:
    """The client's newest run (its progress) and the newest audit of each route, in one
    query: the client's runs, newest first, left-joined to their audits (a run still
    going has none yet). The sprint page stays within its query budget (issue 13)."""
    rows = (
        LighthouseRun.objects.filter(sprint__client=client)
        .order_by("-created_at", "-id")
        .values_list(*_RUN_FIELDS, *(f"audits__{name}" for name in _AUDIT_FIELDS))[:_ROWS]
    )
    job = None
    audits = []
    split = len(_RUN_FIELDS)
    for row in rows:
        if job is None:
            job = LighthouseRun.from_db(connection.alias, _RUN_FIELDS, row[:split])
        if row[split] is not None:
            audits.append(LighthouseAudit.from_db(connection.alias, _AUDIT_FIELDS, row[split:]))
    # As latest_audits(): the newest audit of each route, "/" first.
    latest: dict[str, LighthouseAudit] = {}
    for audit in sorted(audits, key=lambda a: (a.audited_at, a.pk), reverse=True):
        latest.setdefault(audit.route, audit)
    return {
        "client": client,
        "audits": sorted(latest.values(), key=lambda a: (a.route != "/", a.route)),
        "job": job,
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
