"""Check a PDF from a shell: exit 0 if it is a genuine, unaltered issued handover."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from handover.verification import verify_pdf


class Command(BaseCommand):
    help = (
        "Verify a handover PDF: exit status 0 if genuine, unaltered and current; 2 if genuine but "
        "replaced by a newer version; 1 otherwise (altered, signed by someone else, unsigned, "
        "not a "
        "PDF)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **opts):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        verdict = verify_pdf(data)
        out = self.stdout if verdict.current else self.stderr
        label = {"genuine": "VALID", "superseded": "SUPERSEDED"}.get(verdict.outcome, "NOT VALID")
        out.write(f"{label} ({verdict.outcome}): {verdict.headline}")
        for reason in verdict.reasons:
            out.write(f"  - {reason}")
        out.write(f"  SHA-256: {verdict.sha256}")
        if verdict.issued is not None:
            out.write(f"  Sprint: {verdict.issued.sprint.code}  version {verdict.issued.version}")
        if verdict.timestamp is not None:
            out.write(
                f"  Timestamp: {verdict.timestamp.at:%Y-%m-%d %H:%M:%S} UTC from "
                f"{verdict.timestamp.authority or 'an unnamed authority'}"
                " "
                f"({'valid' if verdict.timestamp.valid else 'INVALID'}"
                f"{', trusted' if verdict.timestamp.trusted else ''})"
            )
        else:
            out.write("  Timestamp: none (the signing time is the signer's own claim)")
        if verdict.outcome == "superseded":
            sys.exit(2)
        if not verdict.current:
            sys.exit(1)
