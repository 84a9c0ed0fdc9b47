"""The consultant dashboard: every running sprint, most urgent first.

It has to stay quick with hundreds of sprints (bench/dashboard_bench.py measures it
with 500), so:

- a constant number of queries: open launch blockers grouped per sprint (only
  sprints that have some), the totals, and one page of sprints ordered by the
  database;
- no per-row subquery: "has open blockers" is one uncorrelated IN (...) the
  database evaluates once, and services.activity_log() copies the newest log line,
  already cut to length, onto the sprint; the ranking is hand-written SQL (see
  dashboard_sprints);
- rows are read as plain values (no model instances) and each is built by one
  f-string in clients/dashboard_rows.py, escaping what people typed. Fifty rows
  through the template engine cost about 30 ms of nested tag rendering; this costs
  about 2 ms. The page around them is an ordinary template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString

from clients.access import staff_required
from clients.dashboard_rows import RowRenderer
from clients.models import Finding, FindingStatus, Impact, Sprint
from clients.panels import render_panels

PAGE_SIZE = 50
ROW_FIELDS = (
    "pk",
    "code",
    "deadline",
    "current_stage",
    "last_activity",
    "last_activity_at",
    "client__name",
    "client__business_type",
    # Unread founder messages: a counter beside the sprint, read by the same query (a
    # LEFT JOIN on a one-to-one), so the badge adds no query per row or per page.
    "inbox__unread",
)


def open_blockers() -> QuerySet[Finding]:
    return Finding.objects.filter(
        sprint__finished_at__isnull=True, status=FindingStatus.OPEN, impact=Impact.BLOCKER
    ).order_by()


def dashboard_sprints(now: datetime) -> QuerySet[Sprint]:
    """Active sprints, most urgent first: overdue, then those with open launch
    blockers, then the least time left.

    The two ranks are written as SQL because building them from Case/When and a
    subquery costs the ORM about 3 ms per request, more than running the query;
    this is the dashboard's hot path. Names come from the models, values are
    parameters."""
    q = connection.ops.quote_name
    sprint, finding = Sprint._meta, Finding._meta
    deadline = f"{q(sprint.db_table)}.{q(sprint.get_field('deadline').column)}"
    sprint_pk = f"{q(sprint.db_table)}.{q(sprint.pk.column)}"
    overdue_rank = RawSQL(  # noqa: S611 - identifiers from _meta, values as parameters
        f"CASE WHEN {deadline} < %s THEN 0 ELSE 1 END",
        (connection.ops.adapt_datetimefield_value(now),),
    )
    blocker_rank = RawSQL(  # noqa: S611
        f"CASE WHEN {sprint_pk} IN "  # noqa: S608 - quoted names of our own tables only
        f"(SELECT {q(finding.get_field('sprint').column)} FROM {q(finding.db_table)} "
        f"WHERE {q(finding.get_field('status').column)} = %s AND "
        f"{q(finding.get_field('impact').column)} = %s) "
        "THEN 0 ELSE 1 END",
        (FindingStatus.OPEN.value, Impact.BLOCKER.value),
    )
    return Sprint.objects.filter(finished_at__isnull=True).order_by(
        overdue_rank, blocker_rank, "deadline", "pk"
    )


def dashboard_totals(now: datetime, blockers: dict[int, int]) -> dict[str, int]:
    totals = Sprint.objects.filter(finished_at__isnull=True).aggregate(
        running=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=now))
    )
    totals["blockers"] = sum(blockers.values())
    return totals


@dataclass(frozen=True)
class DashboardPage:
    page: Page
    rows: list[SafeString]
    totals: dict[str, int]


def dashboard_page(now: datetime, page_number: str | int | None) -> DashboardPage:
    # Only sprints with open blockers appear here: a few rows even with hundreds running.
    blockers = dict(open_blockers().values_list("sprint_id").annotate(n=Count("pk")))
    totals = dashboard_totals(now, blockers)
    # The paginator's own COUNT(*) would repeat what the totals already know.
    paginator = Paginator(dashboard_sprints(now).values(*ROW_FIELDS), PAGE_SIZE)
    paginator.count = totals["running"]
    page = paginator.get_page(page_number)
    renderer = RowRenderer(now)
    rows = [renderer.render(s, blockers.get(s["pk"], 0)) for s in page.object_list]
    return DashboardPage(page=page, rows=rows, totals=totals)


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    data = dashboard_page(now, request.GET.get("page"))
    context = {
        "rows": data.rows,
        "page": data.page,
        "totals": data.totals,
        "panels": render_panels("dashboard", request=request),
    }
    return render(request, "clients/dashboard.html", context)
