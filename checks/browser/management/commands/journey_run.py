"""python manage.py journey_run MONITOR_CODE [--json]: run one journey monitor's steps now,
in the guarded browser, and print what happened. Nothing is recorded: the schedule, the
incidents and the alerts stay the scheduler's. Exit 0 when it passed, 1 when it failed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from checks.browser.journey import StepSpec, run_journey
from checks.monitoring.models import Monitor


class Command(BaseCommand):
    help = "Run a journey monitor's steps once and print the outcome."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("monitor_code")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--screenshot-dir", help="keep a failure screenshot here")

    def handle(self, *args, **options) -> None:
        monitor = Monitor.objects.filter(code=options["monitor_code"], kind="journey").first()
        if monitor is None:
            raise CommandError(f"No journey monitor with the code {options['monitor_code']}.")
        steps = [StepSpec(s.action, s.target, s.value) for s in monitor.journey_steps.all()]
        if not steps:
            raise CommandError("This journey has no steps yet.")
        with tempfile.TemporaryDirectory(prefix="journey-") as tmp:
            folder = Path(options["screenshot_dir"] or tmp)
            facts = run_journey(steps, artefact_dir=folder, step_timeout_s=monitor.timeout_seconds)
            shot = str(facts.screenshot) if facts.screenshot and options["screenshot_dir"] else None
        if options["json"]:
            self.stdout.write(json.dumps({
                "monitor": monitor.code, "ok": facts.ok, "error": facts.error,
                "failed_step": facts.failed_step, "elapsed_ms": facts.elapsed_ms,
                "steps": list(facts.steps), "console_errors": list(facts.console_errors),
                "failed_requests": list(facts.failed_requests), "refused": list(facts.refused),
                "screenshot": shot,
            }, indent=2))  # fmt: skip
        else:
            self.stdout.write(
                f"{'PASSED' if facts.ok else 'FAILED'} {monitor.name} in {facts.elapsed_ms} ms"
            )
            for s in facts.steps:
                verdict = "ok" if s["ok"] else "FAILED"
                self.stdout.write(f"  {s['position']}. {s['action']}: {verdict} ({s['ms']} ms)")
            if not facts.ok:
                self.stdout.write(facts.error)
                for line in (*facts.console_errors, *facts.failed_requests, *facts.refused):
                    self.stdout.write(f"  - {line}")
        if not facts.ok:
            raise SystemExit(1)
