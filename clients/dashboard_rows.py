"""The dashboard's table rows, built in Python for a measured reason: fifty rows through
the template engine cost about 30 ms of nested tag rendering, one f-string each about
2 ms (bench/dashboard_bench.py). This is the one place the app builds HTML by hand;
every value a person typed goes through escape() (tests/clients/test_dashboard_rows.py
plants ``<script>`` in each text column)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from clients.models import BusinessType
from clients.services import STAGE_COUNT


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


class RowRenderer:
    """One dashboard row as HTML, from a ``Sprint.objects.values(*ROW_FIELDS)`` dict."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tz = timezone.get_current_timezone()
        # One reverse() per page, not per row: the code is the only varying part.
        marker = "SPRINTCODE"
        self.url_head, self.url_tail = reverse("clients:sprint_detail", args=[marker]).split(marker)

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
        unread = sprint.get("inbox__unread") or 0
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
            '<span class="small '
            f'muted">{_BUSINESS.get(sprint["client__business_type"], "")}</span></td>'
            f'<td class="nowrap">{_PROGRESS.get(stage, "")} <span '
            f'class="small">{stage}/{STAGE_COUNT}</span></td>'
            f'<td class="nowrap">{clock}<br><span class="small muted">due {due:%a} {due.day} '
            f"{due:%b, %H:%M}</span></td>"
            f"<td>{blockers}</td>"
            f'<td class="small">{escape(sprint["last_activity"] or "—")}<br>'
            f'<span class="muted">{ago(last_at, self.now) if last_at else ""}</span></td></tr>'
        )


def ago(then: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', '1 day ago': Django's timesince, one unit."""
    if (now - then).total_seconds() < 60:
        return "just now"
    return f"{timesince(then, now, depth=1)} ago"
