"""Sections the secrets app adds to the clients app's screens (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.secrets import services
from checks.secrets.models import DeployEvent, ScanRun
from checks.secrets.views.inventory import keys_to_rotate
from clients.models import Client, FindingStatus, Sprint

SCAN_CHECK, ENV_CHECK = services.SCAN_SOURCE, services.ENV_SOURCE


def _summary(client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "records": client.secret_records.count(),
        "env_vars": client.env_vars.count(),
        "keys_to_rotate": keys_to_rotate(client),
        "last_scan": ScanRun.objects.filter(client=client).first(),
    }


def client_panel(*, request: HttpRequest, client: Client) -> str:
    return render_to_string(
        "secrets/_panel.html", {**_summary(client), "staff_view": True}, request=request
    )


def _sync_env_findings(sprint: Sprint) -> None:
    """Variables mapped before this sprint started have no finding yet: raise them now
    (idempotent, and only when something is missing)."""
    exposed = {var.name for var in sprint.client.env_vars.all() if services.env_exposed(var)}
    known = set(
        sprint.findings.filter(source=ENV_CHECK, status=FindingStatus.OPEN).values_list(
            "target", flat=True
        )
    )
    if sprint.is_active and exposed - known:
        services.envmap_sync_findings(client=sprint.client, names=sorted(exposed - known))


def sprint_panel(*, request: HttpRequest, sprint: Sprint, stage: Any = None) -> str:
    _sync_env_findings(sprint)
    deploys = DeployEvent.objects.filter(client=sprint.client, created_at__gte=sprint.started_at)[
        :8
    ]
    show_summary = stage is None or getattr(stage, "key", "") == services.STAGE_KEY
    context = {
        **_summary(sprint.client),
        "staff_view": True,
        "deploys": deploys,
        "show_summary": show_summary,
    }
    return render_to_string("secrets/_panel_sprint.html", context, request=request)


def portal_panel(*, request: HttpRequest, sprint: Sprint) -> str:
    deploys = DeployEvent.objects.filter(client=sprint.client)[:8]
    context = {**_summary(sprint.client), "staff_view": False, "deploys": deploys}
    return render_to_string("secrets/_panel_portal.html", context, request=request)


def item_badges(*, request: HttpRequest, sprint: Sprint, items: Any) -> dict[int, str]:
    """A badge on checklist items fed by the scan or the env-map check."""
    wanted = [item for item in items if {SCAN_CHECK, ENV_CHECK} & set(item.check_ids or [])]
    if not wanted:
        return {}
    open_by_source: dict[str, int] = {}
    for source in sprint.findings.filter(
        source__in=[SCAN_CHECK, ENV_CHECK], status=FindingStatus.OPEN
    ).values_list("source", flat=True):
        open_by_source[source] = open_by_source.get(source, 0) + 1
    last_scan = ScanRun.objects.filter(client=sprint.client).first()
    out = {}
    for item in wanted:
        context = {
            "open": sum(open_by_source.get(c, 0) for c in item.check_ids),
            "last_scan": last_scan,
            "scan": SCAN_CHECK in item.check_ids,
            "client": sprint.client,
        }
        out[item.pk] = render_to_string("secrets/_badge.html", context, request=request)
    return out
