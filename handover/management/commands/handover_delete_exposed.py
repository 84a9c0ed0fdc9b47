"""Delete a signed handover version that contains a secret value (and only such a one)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clients.services import ServiceError
from handover.models import IssuedHandover
from handover.services import handover_delete_exposed


class Command(BaseCommand):
    help = "Delete a signed handover version whose text holds a secret value; logged."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the handover's code (scan_stored_text lists them)")
        parser.add_argument("--by", required=True, help="the staff username doing this")

    def handle(self, *args, code: str, by: str, **opts):
        handover = IssuedHandover.objects.filter(code=code).select_related("sprint").first()
        if handover is None:
            raise CommandError(f"No issued handover with code {code}.")
        user = get_user_model().objects.filter(username=by, is_staff=True).first()
        if user is None:
            raise CommandError(f"No staff user named {by}.")
        try:
            version = handover_delete_exposed(handover=handover, by=user)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Deleted version {version}; the deletion is in the activity log.")
