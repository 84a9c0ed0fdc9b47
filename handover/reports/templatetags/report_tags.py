from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_words(value: timedelta) -> str:
    """12 min, 1 h 05 min, 2 d 3 h."""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} d {hours % 24} h"
