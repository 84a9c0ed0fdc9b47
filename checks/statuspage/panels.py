"""The status page's section on the staff client page (registered in apps.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from checks.statuspage.models import StatusPage
from clients.models import Client


def client_status_page(*, request: HttpRequest, client: Client) -> str:
    if not request.user.is_staff:
        return ""
    page = StatusPage.objects.filter(client=client).first()
    return render_to_string(
        "statuspage/_client_panel.html", {"client": client, "page": page}, request=request
    )
