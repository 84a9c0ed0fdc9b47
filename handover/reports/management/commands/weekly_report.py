"""python manage.py weekly_report CLIENT_CODE [--week 2026-W47] [--send | --html FILE]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clients.models import Client
from handover.reports import services
from handover.reports.build import parse_week, previous_week, report_build


class Command(BaseCommand):
    help = (
        "Render one client's weekly report (text on stdout), write its HTML to a file, or "
        "send it to the subscribers who have not had it yet."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("client_code")
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: last week)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--send", action="store_true", help="email it (once per recipient)")
        group.add_argument("--html", metavar="FILE", help="write the HTML part, images inlined")

    def handle(
        self, *args, client_code: str, week: str | None, send: bool, html: str | None, **opts
    ) -> None:
        client = Client.objects.filter(code=client_code).first()
        if client is None:
            raise CommandError(f"No client with code {client_code}.")
        try:
            monday = parse_week(week) if week else previous_week(timezone.localdate())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if send:
            sent = services.report_send(client=client, monday=monday)
            self.stdout.write(f"{sent} email{'s' if sent != 1 else ''} sent.")
            return
        rendered = services.report_render(report_build(client=client, monday=monday))
        if html:
            Path(html).write_text(services.html_with_data_uris(rendered), encoding="utf-8")
            self.stdout.write(f"Wrote {html}.")
            return
        self.stdout.write(rendered.subject)
        self.stdout.write("")
        self.stdout.write(rendered.text)
