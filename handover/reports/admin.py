from __future__ import annotations

from django.contrib import admin

from handover.reports.models import ReportDelivery, ReportSubscription
from launchready.guard.forms import GuardedModelAdmin


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(GuardedModelAdmin):
    list_display = ("user", "client", "created_at")
    raw_id_fields = ("user", "client")


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(GuardedModelAdmin):
    list_display = ("client", "week", "email", "claimed_at", "sent_at", "error")
    list_filter = ("week",)
    readonly_fields = ("claimed_at", "sent_at", "error")
    raw_id_fields = ("client",)
