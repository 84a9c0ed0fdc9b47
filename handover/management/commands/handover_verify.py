"""Check a PDF from a shell: exit 0 if it is a genuine, unaltered issued handover."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from handover.verification import verify_pdf


class Command(BaseCommand):
    help = "Verify a handover PDF: exit status 0 if genuine and unaltered, 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **opts):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        verdict = verify_pdf(data)
        out = self.stdout if verdict.valid else self.stderr
        out.write(("VALID: " if verdict.valid else "NOT VALID: ") + verdict.headline)
        for reason in verdict.reasons:
            out.write(f"  - {reason}")
        out.write(f"  SHA-256: {verdict.sha256}")
        if verdict.issued is not None:
            out.write(f"  Sprint: {verdict.issued.sprint.code}  version {verdict.issued.version}")
        if not verdict.valid:
            sys.exit(1)
