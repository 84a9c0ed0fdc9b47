"""Sweep every stored text column, and every issued handover PDF, for secret values.

Exit status 1 when anything is found. ``--redact`` replaces each flagged value in the
database by its redacted form and logs it on the sprint it belongs to; a PDF cannot be
edited (it is signed), so PDFs are listed for re-issue and deletion instead.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import models

from clients.models import Client, Sprint
from clients.services import ServiceError, activity_log
from handover.models import IssuedHandover
from handover.services import handover_pdf_secrets
from launchready.guard.rules import rule_label
from launchready.guard.sweep import StoredHit, redact_hit, sweep

log = logging.getLogger(__name__)


def _sprint_of(obj: models.Model, depth: int = 0) -> Sprint | None:
    """The sprint a stored row belongs to, found by following its foreign keys."""
    if isinstance(obj, Sprint):
        return obj
    if isinstance(obj, Client):
        return obj.sprints.order_by("-started_at").first()
    if depth > 2:
        return None
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            related = getattr(obj, field.name, None)
            if related is not None and not hasattr(related, "get_username"):
                found = _sprint_of(related, depth + 1)
                if found is not None:
                    return found
    return None


class Command(BaseCommand):
    help = "Find (and with --redact, remove) secret values already stored. Exit 1 on any hit."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the hits as JSON")
        parser.add_argument(
            "--redact", action="store_true", help="replace each hit by its redacted form"
        )

    def handle(self, *args: Any, json: bool = False, redact: bool = False, **opts: Any) -> None:
        hits = list(sweep())
        pdfs, pdf_error = self._pdf_hits()
        redacted = self._redact(hits) if redact else 0
        if json:
            self._print_json(hits, pdfs, pdf_error, redacted)
        else:
            self._print_text(hits, pdfs, pdf_error, redacted)
        if hits or pdfs:
            sys.exit(1)

    def _pdf_hits(self) -> tuple[list[dict[str, Any]], str]:
        found: list[dict[str, Any]] = []
        for issued in IssuedHandover.objects.select_related("sprint").order_by("pk"):
            try:
                hits = handover_pdf_secrets(handover=issued)
            except ServiceError as exc:
                return found, str(exc)
            if hits:
                found.append(
                    {
                        "handover": issued.code,
                        "sprint": issued.sprint.code,
                        "version": issued.version,
                        "rules": sorted({rule for rule, _ in hits}),
                        "previews": [preview for _, preview in hits],
                    }
                )
        return found, ""

    def _redact(self, hits: list[StoredHit]) -> int:
        cells: dict[tuple[str, Any], list[StoredHit]] = {}
        for hit in hits:
            cells.setdefault((hit.label, hit.pk), []).append(hit)
        for (label, _pk), cell_hits in cells.items():
            obj = redact_hit(cell_hits[0])
            kinds = ", ".join(sorted({rule_label(h.rule) for h in cell_hits}))
            message = (
                f"A stored value ({label}, row {cell_hits[0].row}) looked like a secret "
                f"({kinds}) and was replaced by its redacted form. Rotate it if it was real."
            )
            sprint = _sprint_of(obj)
            if sprint is not None:
                activity_log(
                    sprint=sprint,
                    actor=None,
                    kind="guard.redacted",
                    message=message,
                    visible_to_founder=False,
                )
            else:
                log.warning("%s (no sprint to log it on)", message)
        return len(cells)

    def _print_json(self, hits, pdfs, pdf_error, redacted) -> None:
        payload = {
            "hits": [hit.as_dict() for hit in hits],
            "handover_pdfs": pdfs,
            "pdf_error": pdf_error,
            "redacted_cells": redacted,
        }
        self.stdout.write(json.dumps(payload, indent=2))

    def _print_text(self, hits, pdfs, pdf_error, redacted) -> None:
        for hit in hits:
            self.stdout.write(f"{hit.table}.{hit.column}  row {hit.row}  {hit.rule}  {hit.preview}")
        for pdf in pdfs:
            self.stdout.write(
                f"handover PDF {pdf['handover']} (sprint {pdf['sprint']}, version "
                f"{pdf['version']})  {', '.join(pdf['rules'])}: issue a new version, then "
                f"`manage.py handover_delete_exposed {pdf['handover']} --by USER`"
            )
        if pdf_error:
            self.stderr.write(f"Handover PDFs were not read: {pdf_error}")
        if redacted:
            self.stdout.write(f"Redacted {redacted} stored value(s); each is in the activity log.")
        if not hits and not pdfs:
            self.stdout.write("No stored secret values found.")
