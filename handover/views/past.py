"""Past sprints: every finished sprint with its outcome and the handover it ended with.
It lives in the handover app because it reads the issued handovers (handover may import
clients, never the reverse)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clients.access import staff_required
from clients.models import Decision, FindingStatus, Sprint

PAGE_SIZE = 25


def past_sprints_matching(query: str) -> QuerySet[Sprint]:
    """Finished sprints, newest first, whose client's name contains the query or whose
    client code is the query; each with its latest handover version and the number of
    risks it launched with."""
    sprints = Sprint.objects.filter(finished_at__isnull=False)
    if query:
        sprints = sprints.filter(Q(client__name__icontains=query) | Q(client__code__iexact=query))
    return (
        sprints.select_related("client")
        .annotate(
            handover_version=Max("handovers__version"),
            accepted=Count(
                "findings",
                filter=Q(findings__status=FindingStatus.OPEN, findings__decision=Decision.ACCEPTED),
                distinct=True,
            ),
        )
        .order_by("-finished_at", "-id")
    )


@staff_required
def past_sprints(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(past_sprints_matching(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "handover/past_sprints.html", {"page": page, "query": query})
