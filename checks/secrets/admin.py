"""Admin for the secrets app. Editable models use the same forms as the app, so a
pasted secret value is refused here too; scan output and deploy events are read-only,
and deploy tokens are created only in the app (where the token is shown once)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from checks.secrets import services
from checks.secrets.forms import AllowlistAdminForm, EnvVarAdminForm, SecretRecordAdminForm
from checks.secrets.models import (
    AllowlistEntry,
    DeployEvent,
    DeployToken,
    EnvVar,
    ExposedKey,
    ScanHit,
    ScanRun,
    SecretRecord,
)
from clients.admin import SoftRemoveAdmin
from launchready.guard.forms import GuardedModelAdmin, GuardedTabularInline


@admin.register(SecretRecord)
class SecretRecordAdmin(SoftRemoveAdmin):
    form = SecretRecordAdminForm
    list_display = ["name", "client", "kind", "storage", "owner", "rotation_due", "exposure"]
    list_filter = ["kind", "exposure", "storage"]
    search_fields = ["name", "client__name", "owner"]

    def save_model(self, request: HttpRequest, obj: SecretRecord, form, change: bool) -> None:
        # Marking a record suspected exposed here files its finding too.
        services.secret_record_save(record=obj, by=request.user)

    def remove(self, obj: SecretRecord, by) -> None:
        services.secret_record_delete(record=obj, by=by)


@admin.register(EnvVar)
class EnvVarAdmin(GuardedModelAdmin):
    form = EnvVarAdminForm
    list_display = ["name", "client", "phase", "sensitive", "owner"]
    list_filter = ["phase", "sensitive"]
    search_fields = ["name", "client__name"]


@admin.register(AllowlistEntry)
class AllowlistEntryAdmin(SoftRemoveAdmin):
    form = AllowlistAdminForm
    list_display = ["fingerprint", "client", "reason", "created_at"]

    def remove(self, obj: AllowlistEntry, by) -> None:
        services.allowlist_entry_delete(entry=obj, by=by)


class ReadOnlyAdmin(GuardedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ScanHitInline(GuardedTabularInline):
    model = ScanHit
    extra = 0
    can_delete = False
    fields = ["rule", "path", "line", "commit", "author_date", "preview", "fingerprint"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = ["client", "source", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    inlines = [ScanHitInline]


@admin.register(ExposedKey)
class ExposedKeyAdmin(ReadOnlyAdmin):
    list_display = ["code", "client", "rule", "source", "still_present", "first_seen"]


@admin.register(DeployToken)
class DeployTokenAdmin(ReadOnlyAdmin):
    list_display = ["label", "client", "hint", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(DeployEvent)
class DeployEventAdmin(ReadOnlyAdmin):
    list_display = ["client", "environment", "version", "result", "created_at"]
    list_filter = ["result"]
