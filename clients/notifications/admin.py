from __future__ import annotations

from django.contrib import admin

from clients.notifications.models import Inbox, Notification, PortalVisit, Preference
from launchready.guard.crypto import redact_url
from launchready.guard.forms import GuardedModelAdmin


@admin.register(Notification)
class NotificationAdmin(GuardedModelAdmin):
    """What was sent to whom, when, and what failed: a record, not something to edit."""

    list_display = ("created_at", "kind", "recipient", "channel", "title", "sent_at", "error")
    list_filter = ("kind", "channel")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__email")
    raw_id_fields = ("sprint", "recipient")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(GuardedModelAdmin):
    list_display = ("user", "email", "chat", "webhook")
    raw_id_fields = ("user",)
    # The webhook URL is a credential: the admin shows it redacted and never edits it.
    exclude = ("chat_webhook_url",)
    readonly_fields = ("webhook",)

    @admin.display(description="chat webhook URL")
    def webhook(self, pref: Preference) -> str:
        return redact_url(pref.chat_webhook_url) or "—"


@admin.register(Inbox)
class InboxAdmin(GuardedModelAdmin):
    list_display = ("sprint", "unread", "last_message_at", "read_at", "read_by")
    raw_id_fields = ("sprint", "read_by")


admin.site.register(PortalVisit, GuardedModelAdmin)
