"""Admin: drafts are editable; issued handovers and jobs are read-only records."""

from __future__ import annotations

from django.contrib import admin

from handover.models import HandoverDraft, IssuedHandover, IssueJob
from launchready.guard.forms import GuardedModelAdmin


@admin.register(HandoverDraft)
class HandoverDraftAdmin(GuardedModelAdmin):
    list_display = ["sprint", "updated_at", "updated_by"]
    raw_id_fields = ["sprint", "updated_by"]


class ReadOnlyAdmin(GuardedModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssuedHandover)
class IssuedHandoverAdmin(ReadOnlyAdmin):
    list_display = [
        "sprint",
        "version",
        "issued_at",
        "signer_name",
        "signer_self_signed",
        "acknowledged_at",
    ]
    list_filter = ["signer_self_signed"]
    search_fields = ["sha256", "sprint__client__name", "code"]


@admin.register(IssueJob)
class IssueJobAdmin(ReadOnlyAdmin):
    list_display = ["code", "sprint", "status", "created_at", "finished_at"]
    list_filter = ["status"]
