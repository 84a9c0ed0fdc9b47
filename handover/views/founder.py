"""Downloading an issued handover and acknowledging receipt."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clients.access import AuthedRequest
from clients.services import ServiceError
from handover import services
from handover.access import get_handover_for_user


@login_required
def handover_download(request: AuthedRequest, handover_code: str) -> FileResponse:
    handover = get_handover_for_user(request, handover_code)
    response = FileResponse(
        handover.file.open("rb"),
        as_attachment=True,
        filename=handover.filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def handover_acknowledge(request: AuthedRequest, handover_code: str) -> HttpResponse:
    handover = get_handover_for_user(request, handover_code)
    try:
        services.handover_acknowledge(handover=handover, by=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Thank you: your consultant can see you received the handover.")
    return redirect("clients:portal_sprint", sprint_code=handover.sprint.code)
