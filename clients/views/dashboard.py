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
  f-string, escaping what people typed. Fifty rows through the template engine
  cost about 30 ms of nested tag rendering; this costs about 2 ms. The page
  around them is an ordinary template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from clients.access import staff_required
from clients.models import BusinessType, Finding, FindingStatus, Impact, Sprint
from clients.panels import render_panels
from clients.services import STAGE_COUNT

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
        f"CASE WHEN {sprint_pk} IN (SELECT {q(finding.get_field('sprint').column)} FROM {q(finding.db_table)} "  # noqa: S608
        f"WHERE {q(finding.get_field('status').column)} = %s AND {q(finding.get_field('impact').column)} = %s) "
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
    renderer = _RowRenderer(now)
    rows = [renderer.render(s, blockers.get(s["pk"], 0)) for s in page.object_list]
    return DashboardPage(page=page, rows=rows, totals=totals)


def _progress_svg(current: int) -> SafeString:
    segments = "".join(
        f'<rect x="{12 * (n - 1)}" width="10" height="10" rx="2" '
        f'class="seg-{"done" if n < current else "current" if n == current else "todo"}"/>'
        for n in range(1, STAGE_COUNT + 1)
    )
    return mark_safe(  # noqa: S308 - built from integers and fixed words only
        f'<svg class="progress7" viewBox="0 0 84 10" width="84" height="10" role="img" '
        f'aria-label="Stage {current} of {STAGE_COUNT}">{segments}</svg>'
    )


_PROGRESS = {n: _progress_svg(n) for n in range(1, STAGE_COUNT + 1)}
_BUSINESS = dict(BusinessType.choices)


class _RowRenderer:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tz = timezone.get_current_timezone()
        # One reverse() per page, not per row: the code is the only varying part.
        marker = "SPRINTCODE"
        self.url_head, self.url_tail = reverse("sprint_detail", args=[marker]).split(marker)

    def render(self, sprint: dict, blocker_count: int) -> SafeString:
        hours = (sprint["deadline"] - self.now).total_seconds() / 3600
        if hours < 0:
            row_class, clock = (
                "row-overdue",
                f'<span class="pill pill-bad">overdue {-hours:.0f} h</span>',
            )
        else:
            row_class = "row-blocked" if blocker_count else ""
            clock = (
                f'<span class="clock{" clock-soon" if hours < 8 else ""}">{hours:.0f} h left</span>'
            )
        due = sprint["deadline"].astimezone(self.tz)
        stage = sprint["current_stage"]
        blockers = (
            f'<span class="pill pill-bad">{blocker_count}</span>'
            if blocker_count
            else '<span class="muted">0</span>'
        )
        unread = sprint["inbox__unread"] or 0
        badge = (
            f' <span class="pill pill-unread" title="Unread messages from the founder">'
            f"{unread} new message{'s' if unread != 1 else ''}</span>"
            if unread
            else ""
        )
        last_at = sprint["last_activity_at"]
        # Everything typed by a person goes through escape(); the rest is our own markup.
        return mark_safe(  # noqa: S308
            f'<tr class="{row_class}">'
            f'<td><a class="strong" href="{self.url_head}{escape(sprint["code"])}{self.url_tail}">'
            f"{escape(sprint['client__name'])}</a>{badge}<br>"
            f'<span class="small muted">{_BUSINESS.get(sprint["client__business_type"], "")}</span></td>'
            f'<td class="nowrap">{_PROGRESS.get(stage, "")} <span class="small">{stage}/{STAGE_COUNT}</span></td>'
            f'<td class="nowrap">{clock}<br><span class="small muted">due {due:%a} {due.day} {due:%b, %H:%M}</span></td>'
            f"<td>{blockers}</td>"
            f'<td class="small">{escape(sprint["last_activity"] or "—")}<br>'
            f'<span class="muted">{ago(last_at, self.now) if last_at else ""}</span></td></tr>'
        )


def ago(then: datetime, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago': short enough for a table cell."""
    seconds = max(0, (now - then).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400 * 2:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


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
