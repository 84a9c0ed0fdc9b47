"""Sections the handover app adds to screens the clients app owns."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from clients.models import Sprint, SprintStage
from handover.access import handovers_for_user
from handover.models import IssuedHandover
from launchready.prepared import PreparedRows

_LATEST_FIELDS = ("version", "issued_at", "acknowledged_at")
_LATEST = PreparedRows(
    lambda sprint_id: (
        IssuedHandover.objects.filter(sprint_id=sprint_id)
        .order_by("-version")
        .values_list(*_LATEST_FIELDS)[:1]
    )
)


def sprint_panel(*, request: HttpRequest, sprint: Sprint, stage: SprintStage, **_: object) -> str:
    """Staff sprint page: where the handover stands and a link to it."""
    if not request.user.is_staff:
        return ""
    # The three fields the panel shows, not the row with its certificate and signature,
    # through a query compiled once; the template has no form, so it is drawn without
    # the request's context processors (each template drawn with them cost the sprint
    # page about 0.1 ms).
    rows = _LATEST(sprint.pk)
    latest = dict(zip(_LATEST_FIELDS, rows[0], strict=True)) if rows else None
    return render_to_string("handover/_sprint_panel.html", {"sprint": sprint, "latest": latest})


def portal_panel(*, request: HttpRequest, sprint: Sprint, **_: object) -> str:
    """Founder portal: the signed handover to download and acknowledge."""
    current = handovers_for_user(request.user).filter(sprint=sprint).order_by("-version").first()
    return render_to_string(
        "handover/_portal_panel.html", {"sprint": sprint, "current": current}, request=request
    )
