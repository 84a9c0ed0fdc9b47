"""The sprint page's repeated rows (checklist items, findings, open findings of other
stages, the activity log, the stepper), built in Python for a
measured reason: through ``{% include %}`` each row cost about 1 ms of nested tag
rendering and the page shows dozens (bench/dashboard_bench.py). The markup is the one
the templates had; every value a person typed goes through escape() (the test in
tests/clients/test_sprint_rows.py plants ``<script>`` in each text column). The htmx
responses that swap one row use the same renderer, so a row looks the same either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from html import escape
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr, slugify
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from clients.models import MANUAL_SOURCE, Decision, FindingStatus, Impact, ItemState, Sprint
from clients.selectors import ItemRow

_ITEM_STATES = dict(ItemState.choices)
_IMPACTS = dict(Impact.choices)
_DECISIONS = dict(Decision.choices)
_FINDING_STATUSES = dict(FindingStatus.choices)
_MARKER = "ROWCODE"


def _url(name: str, sprint_code: str) -> tuple[str, str]:
    """One reverse() per page, not per row: the row's code is the only varying part."""
    head, tail = reverse(name, args=[sprint_code, _MARKER]).split(_MARKER)
    return head, tail


def _when(value: datetime | None) -> str:
    """As the template's ``|date:"D j M H:i"`` in the current time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


@lru_cache(maxsize=256)
def _kind_class(kind: str) -> str:
    return escape(slugify(kind))


def activity_rows(entries: Iterable[Any], *, staff_view: bool) -> SafeString:
    """The activity list's lines (clients/_activity.html, shared by the sprint page and
    the founder portal): the markup the template's loop had, with ``|date:'c'`` and
    ``|date:"D H:i"`` in the current time zone. A 40-line log cost about 2 ms through the
    template; ``entries`` may be model instances or :class:`ActivityRow`."""
    out = []
    # The time zone and the day names (lazy translations) are looked up once, not per line.
    tz = timezone.get_current_timezone()
    days = [str(WEEKDAYS_ABBR[n]) for n in range(7)]
    for a in entries:
        local = timezone.localtime(a.created_at, tz)
        when = f"{days[local.weekday()]} {local.hour:02}:{local.minute:02}"
        private = not a.visible_to_founder
        pill = (
            ' <span class="pill" title="Founders do not see this entry">staff</span>'
            if staff_view and private
            else ""
        )
        out.append(
            f'\n  <li class="act act-{_kind_class(a.kind)}{" act-private" if private else ""}">\n'
            f'    <time datetime="{local.isoformat()}">{when}</time>\n'
            f"    <span>{escape(str(a.message))}</span>{pill}\n  </li>\n  "
        )
    return mark_safe("".join(out) or '<li class="muted">Nothing yet.</li>')  # noqa: S308 - escaped


def stepper_steps(sprint_url: str, stages: Iterable[Any], viewed: Any) -> SafeString:
    """The stepper's seven steps (clients/_stepper.html, also swapped out of band after
    each change), from the stage summaries (``items_total``, ``items_open``,
    ``blockers_open``): the markup the template's loop had, about 0.4 ms cheaper."""
    out = []
    url = escape(sprint_url)
    for s in stages:
        number = s.number
        viewed_here = viewed is not None and number == viewed.number
        override = s.override_reason
        status = escape(str(s.status))
        if override:
            num = "!"
        elif s.status == "done":
            num = "✓"
        else:
            num = str(number)
        meta = f"{s.items_total} items"
        if s.items_open:
            meta += f" · {s.items_open} open"
        if override:
            meta += ' · <span class="text-warn">overridden</span>'
        if s.blockers_open:
            plural = "" if s.blockers_open == 1 else "s"
            meta += f' · <span class="text-bad">{s.blockers_open} blocker{plural}</span>'
        classes = f"step step-{status}"
        link = f'href="{url}?stage={number}"'
        if override:
            classes += " step-override"
        if viewed_here:
            classes += " step-viewed"
            link += ' aria-current="step"'
        if override:
            link += f' title="Closed by override: {escape(override)}"'
        out.append(
            f'\n  <li class="{classes}">\n    <a {link}>\n'
            f'      <span class="step-num">{num}</span>\n'
            f'      <span class="step-title">{escape(s.title)}</span>\n'
            f'      <span class="step-meta">{meta}</span>\n    </a>\n  </li>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 - typed values escaped, the rest is ours


class SprintRows:
    """Rows of one sprint page: URLs reversed and the CSRF field built once."""

    def __init__(self, request: HttpRequest, sprint: Sprint) -> None:
        self.sprint = sprint
        code = escape(sprint.code)
        self.item_url = _url("clients:item_state", code)
        self.edit_url = _url("clients:finding_edit", code)
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        )

    def item(self, item: ItemRow) -> SafeString:
        """One checklist item (its ``badges``, if set, are HTML the checks app built)."""
        code = escape(item.code)
        url = f"{self.item_url[0]}{code}{self.item_url[1]}"
        box = {"done": "✓", "na": "–"}.get(item.state, "")
        badges = "".join(getattr(item, "badges", None) or ())
        help_ = (
            f'<details class="item-help"><summary>why</summary>{escape(item.help)}</details>'
            if item.help
            else ""
        )
        state = ""
        if item.state != ItemState.OPEN:
            who = item.state_by_name
            note = f" — {escape(item.note)}" if item.note else ""
            state = (
                f'<span class="small muted">{_ITEM_STATES.get(item.state, item.state)} by '
                f"{escape(who or 'Launch Ready')}, {_when(item.state_at)}{note}</span>"
            )
        actions = ""
        if self.sprint.is_active:
            if item.state == ItemState.OPEN:
                buttons = (
                    '<button type="submit" name="state" value="done" class="btn small">Done'
                    '</button>\n<button type="submit" name="state" value="na" '
                    'class="btn small ghost">N/A</button>'
                )
            else:
                buttons = (
                    '<button type="submit" name="state" value="open" class="btn small ghost">'
                    "Reopen</button>"
                )
            actions = f'\n<div class="item-actions">\n{buttons}\n</div>'
        return mark_safe(  # noqa: S308 - typed values escaped above, the rest is ours
            f'<li class="item item-{escape(item.state)}" id="item-{code}">\n'
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#item-{code}" '
            f'hx-swap="outerHTML" class="item-form">\n{self.csrf}\n'
            f'<div class="item-main">\n<span class="item-box" aria-hidden="true">{box}</span>\n'
            f'<div>\n<span class="item-text">{escape(item.text)}</span>\n{badges}\n{help_}\n'
            f"{state}\n</div>\n</div>{actions}\n</form>\n</li>\n"
        )

    def finding(self, finding) -> SafeString:
        code = escape(finding.code)
        url = f"{self.edit_url[0]}{code}{self.edit_url[1]}"
        source = (
            '<span class="pill pill-auto" title="Found by an automated check">'
            f"{escape(finding.source)}</span>"
            if finding.source != MANUAL_SOURCE
            else ""
        )
        edit = (
            f'<a class="link small" href="{url}" hx-get="{url}" hx-target="#finding-{code}" '
            'hx-swap="outerHTML">Edit</a>'
            if self.sprint.is_active
            else ""
        )
        evidence = (
            f'<p class="evidence">{linebreaksbr(finding.evidence, autoescape=True)}</p>'
            if finding.evidence
            else ""
        )
        reason = f": {escape(finding.decision_reason)}" if finding.decision_reason else ""
        target = f' · <span class="mono">{escape(finding.target)}</span>' if finding.target else ""
        note = (
            f'<p class="small note">Staff note: {escape(finding.staff_note)}</p>'
            if finding.staff_note
            else ""
        )
        return mark_safe(  # noqa: S308 - typed values escaped above, the rest is ours
            f'<li class="finding finding-{escape(finding.status)}" id="finding-{code}">\n'
            f'<div class="finding-head">\n'
            f'<span class="impact impact-{escape(finding.impact)}">'
            f"{_IMPACTS.get(finding.impact, escape(finding.impact))}</span>\n"
            f'<strong class="finding-title">{escape(finding.title)}</strong>\n'
            f'<span class="pill pill-{escape(finding.status)}">'
            f"{_FINDING_STATUSES.get(finding.status, escape(finding.status))}</span>\n"
            f"{source}\n{edit}\n</div>\n{evidence}\n"
            f'<p class="small"><strong>{_DECISIONS.get(finding.decision, escape(finding.decision))}'
            f"</strong>{reason}{target}</p>\n{note}\n</li>\n"
        )

    def other_open(self, finding) -> SafeString:
        """A line of the "open in other stages" list (``finding.stage`` is loaded)."""
        number = finding.stage.number
        return mark_safe(  # noqa: S308 - typed values escaped, the rest is ours
            f'<li><span class="impact impact-{escape(finding.impact)}">'
            f"{_IMPACTS.get(finding.impact, escape(finding.impact))}</span> "
            f'<a href="?stage={number}">{escape(finding.title)}</a> '
            f'<span class="muted">stage {number}</span></li>'
        )
