from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from clients.views import sprint_rows

register = template.Library()


@register.simple_tag
def activity_rows(entries: Any, staff_view: Any = False) -> SafeString:
    """The lines of the activity list, built in Python (clients/views/sprint_rows.py)."""
    return sprint_rows.activity_rows(entries or (), staff_view=bool(staff_view))


@register.simple_tag
def stepper_steps(sprint_url: str, stages: Any, stage: Any) -> SafeString:
    """The stepper's steps, built in Python (clients/views/sprint_rows.py)."""
    return sprint_rows.stepper_steps(sprint_url, stages or (), stage or None)
