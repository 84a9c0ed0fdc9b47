from __future__ import annotations

from django.contrib import admin

from checks.renewals.models import CalendarFeed, Registration
from launchready.guard.forms import GuardedModelAdmin


@admin.register(Registration)
class RegistrationAdmin(GuardedModelAdmin):
    """Where staff record a domain's expiry when RDAP cannot tell."""

    list_display = (
        "domain",
        "recorded_expires_on",
        "rdap_expires_at",
        "rdap_checked_at",
        "rdap_error",
    )
    search_fields = ("domain__hostname", "domain__client__name")
    readonly_fields = ("rdap_expires_at", "rdap_checked_at", "rdap_error")
    raw_id_fields = ("domain",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(GuardedModelAdmin):
    list_display = ("owner", "client", "label", "created_at", "revoked_at", "last_fetched_at")
    readonly_fields = ("code", "created_at", "last_fetched_at")
    exclude = ("token",)  # the address is the credential: shown only to its owner
    raw_id_fields = ("owner", "client")
