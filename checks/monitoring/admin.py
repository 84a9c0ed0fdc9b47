from __future__ import annotations

from django.contrib import admin

from checks.monitoring.models import Alert, Incident, MaintenanceWindow, Monitor, SchedulerHeartbeat
from launchready.guard.crypto import redact_url
from launchready.guard.forms import GuardedModelAdmin


@admin.register(Monitor)
class MonitorAdmin(GuardedModelAdmin):
    list_display = (
        "name",
        "client",
        "url",
        "status",
        "enabled",
        "interval_seconds",
        "last_checked_at",
    )
    list_filter = ("status", "enabled")
    search_fields = ("name", "url", "client__name")
    readonly_fields = (
        "code",
        "status",
        "consecutive_failures",
        "failing_since",
        "last_checked_at",
        "last_status_code",
        "last_latency_ms",
        "last_error",
        "cert_not_before",
        "cert_not_after",
        "next_due_at",
        "claim_token",
    )
    raw_id_fields = ("client", "sprint", "created_by")
    # The webhook URL is a credential: the admin shows it redacted and never edits it.
    exclude = ("webhook_url",)
    readonly_fields = (*readonly_fields, "webhook")

    @admin.display(description="webhook URL")
    def webhook(self, monitor: Monitor) -> str:
        return redact_url(monitor.webhook_url) or "—"


@admin.register(Incident)
class IncidentAdmin(GuardedModelAdmin):
    list_display = ("monitor", "started_at", "opened_at", "closed_at", "failures", "alerted_at")
    list_select_related = ("monitor",)
    raw_id_fields = ("monitor",)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(GuardedModelAdmin):
    list_display = ("monitor", "starts_at", "ends_at", "reason")
    raw_id_fields = ("monitor", "created_by")


@admin.register(Alert)
class AlertAdmin(GuardedModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "monitor",
        "subject",
        "emailed_to",
        "webhook_status",
        "error",
    )
    list_filter = ("kind",)
    raw_id_fields = ("monitor", "incident")


admin.site.register(SchedulerHeartbeat, GuardedModelAdmin)
