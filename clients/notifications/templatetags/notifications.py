from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from clients.notifications.forms import ReplyForm
from clients.notifications.services import unread_count

register = template.Library()


_BLANK_REPLY_FIELD: dict[str, SafeString] = {}


def _reply_field(form: ReplyForm) -> SafeString:
    """The reply box. Blank, it is the same on every sprint page (per language), so it is
    rendered once per process rather than through the field templates each time."""
    if form.is_bound:
        return SafeString(render_to_string("_field.html", {"field": form["text"]}))
    language = get_language()
    if language not in _BLANK_REPLY_FIELD:
        _BLANK_REPLY_FIELD[language] = SafeString(
            render_to_string("_field.html", {"field": form["text"]})
        )
    return _BLANK_REPLY_FIELD[language]


@register.inclusion_tag("notifications/_sprint_messages.html", takes_context=True)
def sprint_messages(context: template.Context, sprint) -> dict:
    """Unread founder messages (marked read once the activity is on screen) and the
    consultant's reply form, for the sprint page's activity card."""
    form = context.get("reply_form") or ReplyForm()
    return {
        "sprint": sprint,
        "unread": unread_count(sprint),
        "reply_form": form,
        "reply_field": _reply_field(form),
        "csrf_token": context.get("csrf_token"),
    }
