"""``manage.py scan_secrets PATH_OR_URL [--json] [--client CODE]``: the same scan as the
app, from a shell. Prints redacted hits only; exit 0 when none, 1 when some, 2 when
the scan could not run."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from checks.secrets.scan import ScanError, SourceRefused, scan_repository
from launchready.guard.rules import rule_label


class Command(BaseCommand):
    help = "Scan a git repository's whole history for committed secrets (redacted output)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="A local path or an http(s)/ssh clone URL.")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--client", help="Apply this client's allowlist (client code).")

    def handle(self, *args: Any, **options: Any) -> None:
        allow: frozenset[str] = frozenset()
        if options["client"]:
            from clients.models import Client

            client = Client.objects.filter(code=options["client"]).first()
            if client is None:
                raise CommandError("No client with that code.")
            allow = frozenset(client.secret_allowlist.values_list("fingerprint", flat=True))
        try:
            # A shell user may scan any local path; the web app is limited to its roots.
            report = scan_repository(
                options["source"],
                local_roots=None,
                allow=allow,
                timeout=settings.SECRETS_SCAN_TIMEOUT,
                max_bytes=settings.SECRETS_SCAN_MAX_MB * 1_000_000,
            )
        except (ScanError, SourceRefused) as exc:
            self.stderr.write(f"scan failed: {exc}")
            sys.exit(2)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "source": report.source,
                        "commits": report.commits,
                        "worktree_files": report.worktree_files,
                        "allowlisted": report.allowlisted,
                        "hits": [
                            {
                                "rule": h.rule,
                                "path": h.path,
                                "line": h.line,
                                "commit": h.commit,
                                "author_date": h.author_date.isoformat() if h.author_date else None,
                                "preview": h.preview,
                                "fingerprint": h.fingerprint,
                                "occurrences": h.occurrences,
                                "in_worktree": h.in_worktree,
                            }
                            for h in report.hits
                        ],
                    },
                    indent=2,
                )
            )
        else:
            for h in report.hits:
                where = h.commit[:10] if h.commit else "worktree"
                when = f"{h.author_date:%Y-%m-%d}" if h.author_date else "-"
                self.stdout.write(
                    f"{h.rule:<18} {h.path}:{h.line}  {where} {when}  {h.preview}  "
                    f"{h.fingerprint[:16]}  ({rule_label(h.rule)})"
                )
            summary = (
                f"{len(report.hits)} hit(s) in {report.commits} commits"
                + (f", {report.worktree_files} working-tree files" if report.worktree_files else "")
                + f" ({report.seconds:.1f} s)."
            )
            self.stdout.write(summary if report.hits else f"No secrets found. {summary}")
        if report.hits:
            sys.exit(1)
