from __future__ import annotations

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince

from clients.access import staff_required
from clients.models import Activity, Finding, FindingStatus, Impact, Sprint
from clients.panels import render_panels

PAGE_SIZE = 50


def dashboard_sprints(now: datetime) -> QuerySet[Sprint]:
    """Active sprints, most urgent first, sorted by the database: overdue, then those
    with open launch blockers, then the least time left."""
    open_blockers = Count(
        "findings", filter=Q(findings__status=FindingStatus.OPEN, findings__impact=Impact.BLOCKER)
    )
    return (
        Sprint.objects.filter(finished_at__isnull=True)
        .annotate(open_blockers=open_blockers)
        .annotate(
            overdue_rank=Case(When(deadline__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()),
            blocker_rank=Case(When(open_blockers__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("overdue_rank", "blocker_rank", "deadline", "pk")
    )


def dashboard_totals(now: datetime) -> dict[str, int]:
    totals = Sprint.objects.filter(finished_at__isnull=True).aggregate(
        running=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=now))
    )
    totals["blockers"] = Finding.objects.filter(
        sprint__finished_at__isnull=True, status=FindingStatus.OPEN, impact=Impact.BLOCKER
    ).count()
    return totals


def _row(sprint: Sprint, now: datetime) -> dict:
    # Display strings are prepared here: the table can be long and template filters
    # per cell are the slowest part of rendering it.
    hours = sprint.hours_left(now)
    overdue = hours < 0
    last = sprint.last_activity_at
    return {
        "sprint": sprint,
        "overdue": overdue,
        "soon": 0 <= hours < 8,
        "clock": f"overdue {abs(hours):.0f} h" if overdue else f"{hours:.0f} h left",
        "due": f"due {timezone.localtime(sprint.deadline):%a %-d %b, %H:%M}",
        "last_message": _truncate(sprint.last_message or "—", 90),
        "last_ago": f"{timesince(last, now)} ago" if last else "",
        "segments": [
            (12 * (n - 1), "done" if n < sprint.current_stage else "current" if n == sprint.current_stage else "todo")
            for n in range(1, 8)
        ],
    }


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    totals = dashboard_totals(now)
    last_activity = Activity.objects.filter(sprint=OuterRef("pk")).order_by("-created_at", "-id")
    sprints = dashboard_sprints(now).select_related("client").annotate(
        last_message=Subquery(last_activity.values("message")[:1])
    )
    # The paginator's count would be a second COUNT(*); the totals already know it.
    paginator = Paginator(sprints, PAGE_SIZE)
    paginator.count = totals["running"]
    page = paginator.get_page(request.GET.get("page"))
    rows = [_row(s, now) for s in page.object_list]
    context = {
        "rows": rows,
        "page": page,
        "now": now,
        "totals": totals,
        "panels": render_panels("dashboard", request=request),
    }
    return render(request, "clients/dashboard.html", context)
