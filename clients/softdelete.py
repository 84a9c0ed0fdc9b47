"""Soft delete for what staff remove from a client (domains, service accounts, secret
records, allowlist entries): the row is marked, hidden from every default query, can be
put back for ``UNDO_WINDOW``, and is purged for good after that (a Huey periodic task;
restores past the window are refused even before the purge ran).

The default manager (``objects``) hides removed rows, so reverse relations
(``client.domains``), the admin, forms' uniqueness checks and the handover see only live
ones. ``all_objects`` sees everything; only the undo and the purge use it. Django's base
manager stays unfiltered, so ``save()`` and ``refresh_from_db()`` still reach a removed
row, and deleting a client cascades to its removed rows too."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def undo_window() -> timedelta:
    return timedelta(seconds=settings.UNDO_WINDOW_SECONDS)


class SoftDeleteQuerySet(models.QuerySet):
    def removed(self) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__isnull=False)

    def undoable(self, now: datetime | None = None) -> SoftDeleteQuerySet:
        """Removed recently enough to be put back."""
        return self.filter(deleted_at__gt=(now or timezone.now()) - undo_window())

    def expired(self, now: datetime | None = None) -> SoftDeleteQuerySet:
        return self.filter(deleted_at__lte=(now or timezone.now()) - undo_window())


class LiveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):  # type: ignore[misc]
    """The default manager: removed rows do not exist for the rest of the app."""

    def get_queryset(self) -> SoftDeleteQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllObjectsManager(models.Manager.from_queryset(SoftDeleteQuerySet)):  # type: ignore[misc]
    pass


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects = LiveManager()
    all_objects = AllObjectsManager()

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None

    def undo_until(self) -> datetime | None:
        return self.deleted_at + undo_window() if self.deleted_at else None


def soft_delete_models() -> list[type[SoftDeleteModel]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, SoftDeleteModel)]
