"""Sections the secrets app adds to the clients app's screens (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.secrets import services
from checks.secrets.forms import SecretRecordForm
from checks.secrets.models import DeployEvent, EnvVar, ScanRun
from checks.secrets.views.inventory import keys_to_rotate
from clients.models import Client, FindingStatus, Sprint
from clients.selectors import sprint_findings

SCAN_CHECK, ENV_CHECK = services.SCAN_SOURCE, services.ENV_SOURCE


def _last_scan(client: Client) -> ScanRun | None:
    # The stage badge and the summary both ask: look once per request.
    if "_last_scan" not in client.__dict__:
        client.__dict__["_last_scan"] = ScanRun.objects.filter(client=client).first()
    return client.__dict__["_last_scan"]


def _summary(client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "records": client.secret_records.count(),
        "env_vars": client.env_vars.count(),
        "keys_to_rotate": keys_to_rotate(client),
        "last_scan": _last_scan(client),
    }


def client_panel(*, request: HttpRequest, client: Client) -> str:
    return render_to_string(
        "secrets/_panel.html", {**_summary(client), "staff_view": True}, request=request
    )


def _open_findings(sprint: Sprint, sources: set[str]) -> list[Any]:
    # Read from the finding rows the sprint page already loaded, not a query.
    return [
        f for f in sprint_findings(sprint) if f.source in sources and f.status == FindingStatus.OPEN
    ]


def _sync_env_findings(sprint: Sprint, env_vars: list[Any]) -> None:
    """Variables mapped before this sprint started have no finding yet: raise them now
    (idempotent, and only when something is missing)."""
    exposed = {var.name for var in env_vars if services.env_exposed(var)}
    known = {f.target for f in _open_findings(sprint, {ENV_CHECK})}
    if sprint.is_active and exposed - known:
        services.envmap_sync_findings(client=sprint.client, names=sorted(exposed - known))


def sprint_panel(*, request: HttpRequest, sprint: Sprint, stage: Any = None) -> str:
    """Stage 5 (secrets) shows the inventory with a form to record a secret; stage 4
    (production deployment) shows the deploys the gate answered."""
    key = getattr(stage, "key", services.STAGE_KEY)
    client = sprint.client
    env_vars = list(EnvVar.objects.filter(client_id=client.pk))  # no related manager to build
    _sync_env_findings(sprint, env_vars)
    if key == "deploy":
        deploys = DeployEvent.objects.filter(client=client, created_at__gte=sprint.started_at)[:8]
        return render_to_string(
            "secrets/_panel_sprint.html", {"client": client, "deploys": deploys}, request=request
        )
    if key != services.STAGE_KEY:
        return ""
    records = list(client.secret_records.all())
    context: dict[str, Any] = {
        "client": client,
        "records": len(records),
        "record_rows": records,
        "env_vars": len(env_vars),
        "keys_to_rotate": keys_to_rotate(client),
        "last_scan": _last_scan(client),
        "staff_view": True,
        "show_summary": True,
    }
    if request.user.is_staff and sprint.is_active:
        context["record_form"] = SecretRecordForm(client=client)
        context["next"] = f"{request.path}?stage={getattr(stage, 'number', 5)}"
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
    for finding in _open_findings(sprint, {SCAN_CHECK, ENV_CHECK}):
        open_by_source[finding.source] = open_by_source.get(finding.source, 0) + 1
    last_scan = _last_scan(sprint.client)
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
