"""Who may see which handover. Staff see every version and every draft; a founder sees
only the latest issued version of their own client's sprints; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from clients.access import sprints_for_user
from handover.models import IssuedHandover


def handovers_for_user(user: Any) -> QuerySet[IssuedHandover]:
    visible = IssuedHandover.objects.filter(sprint__in=sprints_for_user(user))
    if user.is_authenticated and user.is_staff:
        return visible
    # Older versions stay downloadable for staff only; founders get the current one.
    latest = (
        IssuedHandover.objects.filter(sprint=OuterRef("sprint"))
        .values("sprint")
        .annotate(top=Max("version"))
        .values("top")
    )
    return visible.filter(version=Subquery(latest))


def get_handover_for_user(request: HttpRequest, handover_code: str) -> IssuedHandover:
    return get_object_or_404(
        handovers_for_user(request.user).select_related("sprint__client"), code=handover_code
    )
