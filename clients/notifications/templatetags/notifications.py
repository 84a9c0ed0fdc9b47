from __future__ import annotations

from django import template

from clients.notifications.forms import ReplyForm
from clients.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_sprint_messages.html", takes_context=True)
def sprint_messages(context: template.Context, sprint) -> dict:
    """Unread founder messages (marked read once the activity is on screen) and the
    consultant's reply form, for the sprint page's activity card."""
    return {
        "sprint": sprint,
        "unread": unread_count(sprint),
        "reply_form": context.get("reply_form") or ReplyForm(),
        "csrf_token": context.get("csrf_token"),
    }
