"""python manage.py audit DOMAIN [--subdomain NAME ...] [--dkim-selector S ...] [--json]

Runs every check for one domain without touching the database. Exit 0 when nothing
failed, 1 when something failed or errored, 2 on bad usage."""

from __future__ import annotations

import json
import re
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from checks.audit import DomainSpec, audit_domain
from checks.evaluation import Status
from clients.validators import normalise_hostname

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_SELECTOR = re.compile(r"^[A-Za-z0-9_.-]{1,63}$")
_SYMBOL = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "error": "ERR "}


class Command(BaseCommand):
    help = "Audit a domain: DNS, redirects, TLS, HTTP headers and email authentication."
    requires_system_checks: list[str] = []  # touches no database; seconds count when DNS is down

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain")
        parser.add_argument(
            "--subdomain",
            action="append",
            default=[],
            metavar="NAME",
            help="a declared subdomain: 'app' or 'app.example.com' (repeatable)",
        )
        parser.add_argument(
            "--dkim-selector",
            action="append",
            default=[],
            metavar="S",
            help="a DKIM selector to check (repeatable; selectors are never guessed)",
        )
        parser.add_argument("--json", action="store_true", help="print only a JSON document")

    def handle(self, *args, **options) -> None:
        domain = _ascii(options["domain"].strip().lower().rstrip("."))
        if not _HOST.match(domain):
            raise CommandError(f"{options['domain']!r} is not a domain name", returncode=2)
        subs = []
        for sub in options["subdomain"]:
            sub = sub.strip().lower().rstrip(".")
            full = _ascii(sub if sub.endswith("." + domain) else f"{sub}.{domain}")
            if not _HOST.match(full):
                raise CommandError(f"{sub!r} is not a subdomain name", returncode=2)
            subs.append(full)
        for selector in options["dkim_selector"]:
            if not _SELECTOR.match(selector):
                raise CommandError(f"{selector!r} is not a DKIM selector", returncode=2)
        spec = DomainSpec(
            apex=domain, subdomains=tuple(subs), dkim_selectors=tuple(options["dkim_selector"])
        )
        as_json = options["json"]

        def progress(done: int, total: int, label: str) -> None:
            if not as_json:
                self.stderr.write(f"\r[{done}/{total}] {label[:60]:<60}", ending="")
                self.stderr.flush()

        start = time.monotonic()
        results = audit_domain(spec, on_progress=progress)
        duration_ms = round((time.monotonic() - start) * 1000)
        if as_json:
            doc = {
                "domain": domain,
                "checks": [r.as_json() for r in results],
                "duration_ms": duration_ms,
            }
            self.stdout.write(json.dumps(doc, indent=2, default=str))
        else:
            self.stderr.write("\r" + " " * 72 + "\r", ending="")
            width = max(len(r.check_id) for r in results)
            for r in results:
                self.stdout.write(
                    f"{_SYMBOL[r.status]}  {r.check_id:<{width}}  {r.target}\n      {r.summary}"
                )
            counts = {s: sum(1 for r in results if r.status == s) for s in Status}
            self.stdout.write(
                f"\n{counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
                f"{counts[Status.FAIL]} failed, "
                f"{counts[Status.ERROR]} could not tell, in {duration_ms} ms."
            )
        if any(r.status in {Status.FAIL, Status.ERROR} for r in results):
            sys.exit(1)


def _ascii(name: str) -> str:
    """IDNA 2008 / UTS #46, as for domains typed into the app; invalid labels are usage errors."""
    if "_" in name:  # not a hostname (IDNA forbids it) but still a DNS name worth auditing
        return name
    try:
        return normalise_hostname(name)
    except ValidationError as exc:
        raise CommandError(f"{name!r}: {exc.messages[0]}", returncode=2) from None
