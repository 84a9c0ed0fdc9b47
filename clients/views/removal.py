"""Remove with confirmation, then undo: the shared steps of every "remove" and "undo"
view (domains, service accounts, secret records, allowlist entries). Each view loads its
object through its own scoped helper and calls its own service; this module only draws
the confirmation page, the flash message and the "recently removed" list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clients.services import ServiceError
from clients.softdelete import SoftDeleteModel, undo_window

# A flash message whose extra_tags start with this carries the URL its Undo button posts
# to (templates/_messages.html); Django's message storage keeps extra_tags as they are.
UNDO_TAG = "undo:"


def _minutes() -> int:
    return max(1, int(undo_window().total_seconds() // 60))


def confirm_then_remove(
    request: HttpRequest,
    *,
    thing: str,
    name: str,
    consequence: str,
    remove: Callable[[], object],
    back_url: str,
    restore_url: str,
) -> HttpResponse:
    """GET: a page asking to confirm (a plain form, no script needed). POST: remove
    through the service and go back, saying how long it can be undone; the flash message
    carries an Undo button that posts to ``restore_url``."""
    if request.method == "POST":
        remove()
        messages.success(
            request,
            f"Removed {thing} {name}. Changed your mind? You can undo it for {_minutes()} minutes.",
            extra_tags=UNDO_TAG + restore_url,
        )
        return redirect(back_url)
    context = {
        "thing": thing,
        "name": name,
        "consequence": consequence,
        "back_url": back_url,
        "minutes": _minutes(),
    }
    return render(request, "confirm_remove.html", context)


def restore_and_return(
    request: HttpRequest,
    *,
    thing: str,
    name: str,
    restore: Callable[[], object],
    back_url: str,
) -> HttpResponse:
    try:
        restore()
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Put back {thing} {name}.")
    return redirect(back_url)


@dataclass(frozen=True)
class Removed:
    """One row of the "recently removed" list: what it was and where to undo it."""

    label: str
    restore_url: str
    until: datetime


def recently_removed(
    queryset: QuerySet, *, label: Callable[[SoftDeleteModel], str], restore_url: str
) -> list[Removed]:
    """The rows of ``queryset`` (an ``all_objects`` query already scoped to one client)
    that can still be put back, newest first."""
    rows = queryset.removed().undoable().order_by("-deleted_at")
    return [
        Removed(label(row), reverse(restore_url, args=[row.code]), row.undo_until()) for row in rows
    ]
