from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from clients import services
from clients.models import (
    Activity,
    ChecklistItem,
    Client,
    Domain,
    Finding,
    GlossaryTerm,
    MaturityTarget,
    Membership,
    PlaybookItem,
    PlaybookStage,
    ServiceAccount,
    Sprint,
    SprintStage,
)
from launchready.guard.forms import GuardedModelAdmin, GuardedTabularInline


class PlaybookItemInline(GuardedTabularInline):
    model = PlaybookItem
    extra = 0
    fields = ["position", "key", "text", "business_types", "maturities", "check_ids", "active"]


@admin.register(PlaybookStage)
class PlaybookStageAdmin(GuardedModelAdmin):
    list_display = ["number", "title", "key"]
    inlines = [PlaybookItemInline]


@admin.register(PlaybookItem)
class PlaybookItemAdmin(GuardedModelAdmin):
    list_display = ["key", "text", "stage", "active"]
    list_filter = ["stage", "active"]
    search_fields = ["key", "text"]


@admin.register(MaturityTarget)
class MaturityTargetAdmin(GuardedModelAdmin):
    list_display = [
        "maturity",
        "p95_latency_ms",
        "error_rate_pct",
        "alert_delay_minutes",
        "lighthouse_min",
        "uptime_pct",
    ]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(GuardedModelAdmin):
    list_display = ["term", "plain"]


class SoftRemoveAdmin(GuardedModelAdmin):
    """Admin deletes of what staff can remove in the app (clients/softdelete.py) go
    through the same service: soft, logged, and undoable from the client's page for the
    undo window. Subclasses say which service removes one row."""

    def remove(self, obj, by) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj) -> None:
        self.remove(obj, request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet | Iterable) -> None:
        for obj in queryset:
            self.remove(obj, request.user)


class DomainInline(GuardedTabularInline):
    model = Domain
    extra = 0
    can_delete = False  # removed on its own page (soft, logged), not by a cascade here
    fields = ["hostname", "role", "purpose", "redirect_to"]


class MembershipInline(GuardedTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(GuardedModelAdmin):
    list_display = ["name", "business_type", "maturity", "contact_email"]
    list_filter = ["business_type", "maturity"]
    search_fields = ["name", "contact_email", "domains__hostname"]
    inlines = [DomainInline, MembershipInline]


@admin.register(Domain)
class DomainAdmin(SoftRemoveAdmin):
    list_display = ["hostname", "role", "client"]
    list_filter = ["role"]
    search_fields = ["hostname"]

    def remove(self, obj: Domain, by) -> None:
        services.domain_delete(domain=obj, by=by)


@admin.register(ServiceAccount)
class ServiceAccountAdmin(SoftRemoveAdmin):
    list_display = ["vendor", "kind", "client", "owner_name", "renewal_date"]
    list_filter = ["kind"]

    def remove(self, obj: ServiceAccount, by) -> None:
        services.service_account_delete(account=obj, by=by)


class SprintStageInline(GuardedTabularInline):
    model = SprintStage
    extra = 0
    fields = ["number", "title", "status", "started_at", "completed_at", "override_reason"]
    readonly_fields = ["number", "title"]


@admin.register(Sprint)
class SprintAdmin(GuardedModelAdmin):
    list_display = ["client", "code", "current_stage", "started_at", "deadline", "outcome"]
    list_filter = ["outcome"]
    readonly_fields = ["code"]
    inlines = [SprintStageInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(GuardedModelAdmin):
    list_display = ["text", "stage", "state", "state_by", "state_at"]
    list_filter = ["state"]


@admin.register(Finding)
class FindingAdmin(GuardedModelAdmin):
    list_display = ["title", "sprint", "impact", "decision", "status", "source"]
    list_filter = ["impact", "status", "decision"]
    search_fields = ["title", "source", "target"]


@admin.register(Activity)
class ActivityAdmin(GuardedModelAdmin):
    """Read-only: the log is append-only, even for superusers."""

    list_display = ["created_at", "sprint", "actor", "kind", "message"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
