from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from clients.views.sprint_rows import activity_rows as build_rows

register = template.Library()


@register.simple_tag
def activity_rows(entries: Any, staff_view: Any = False) -> SafeString:
    """The lines of the activity list, built in Python (clients/views/sprint_rows.py)."""
    return build_rows(entries or (), staff_view=bool(staff_view))
