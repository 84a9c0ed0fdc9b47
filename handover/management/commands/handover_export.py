"""Write a sprint's signed handover to a file, issuing one if none exists yet."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clients.models import Sprint
from clients.services import ServiceError
from handover.services import HandoverNotReady, handover_issue, handover_latest_or_issue


class Command(BaseCommand):
    help = "Export the latest issued handover PDF of a sprint (issuing one first if needed)."

    def add_arguments(self, parser):
        parser.add_argument("sprint_code")
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help="Where to write the PDF."
        )
        parser.add_argument("--new", action="store_true", help="Always issue a new version.")
        parser.add_argument(
            "--override",
            metavar="REASON",
            default="",
            help="Issue despite readiness gaps (or before stage 7); logged and printed on page "
            "one.",
        )

    def handle(self, *args, sprint_code: str, output: Path, new: bool, override: str, **opts):
        # A shell user is trusted like staff; the code still has to name a real sprint.
        sprint = Sprint.objects.select_related("client").filter(code=sprint_code).first()
        if sprint is None:
            raise CommandError(f"No sprint with code {sprint_code!r}.")
        try:
            if new:
                issued, created = (
                    handover_issue(sprint=sprint, by=None, override_reason=override),
                    True,
                )
            else:
                issued, created = handover_latest_or_issue(
                    sprint=sprint, by=None, override_reason=override
                )
        except HandoverNotReady as exc:
            lines = "\n".join(f"  - {gap}" for gap in exc.gaps)
            raise CommandError(
                f"Refused: the handover is not ready to issue.\n{lines}\n"
                "Fix these, or pass --override REASON (logged, and page one of the PDF lists them)."
            ) from exc
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        with issued.file.open("rb") as handle:
            output.write_bytes(handle.read())
        verb = "Issued" if created else "Re-used"
        self.stdout.write(
            f"{verb} version {issued.version} for {sprint.client.name} -> {output} "
            f"({issued.size:,} bytes, SHA-256 {issued.sha256})"
        )
