from __future__ import annotations

from django.contrib import admin

from checks.statuspage.models import IncidentNotice, IncidentUpdate, StatusPage, Subscriber
from launchready.guard.forms import GuardedModelAdmin


@admin.register(StatusPage)
class StatusPageAdmin(GuardedModelAdmin):
    list_display = ("client", "slug", "enabled", "updated_at")
    raw_id_fields = ("client",)


@admin.register(IncidentUpdate)
class IncidentUpdateAdmin(GuardedModelAdmin):
    list_display = ("incident", "state", "public", "created_at", "notified_at")
    readonly_fields = ("notified_at",)
    raw_id_fields = ("incident", "created_by")


@admin.register(Subscriber)
class SubscriberAdmin(GuardedModelAdmin):
    list_display = ("email", "page", "created_at", "confirmed_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("page",)


@admin.register(IncidentNotice)
class IncidentNoticeAdmin(GuardedModelAdmin):
    list_display = ("incident", "event", "created_at", "sent", "failed", "skipped")
    readonly_fields = ("incident", "event", "created_at", "sent", "failed", "skipped")
