"""python manage.py lighthouse URL [--desktop] [--json]: one audit from a shell, through the
same guarded browser as the Huey task. Exit 0 at or above the target, 1 below it or when
Lighthouse could not run."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from checks.browser import lighthouse
from checks.evaluation import Status
from checks.evaluation.perf import DEFAULT_TARGET, lighthouse_verdict


class Command(BaseCommand):
    help = "Run one Lighthouse audit (mobile unless --desktop) and judge perf.lighthouse."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--desktop", action="store_true")
        parser.add_argument("--target", type=int, default=DEFAULT_TARGET)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        url = options["url"]
        if not url.startswith(("http://", "https://")):
            url = f"https://{url}"
        facts = lighthouse.audit(url, desktop=options["desktop"])
        result = lighthouse_verdict(facts, target=options["target"])
        if options["json"]:
            self.stdout.write(json.dumps({
                **result.as_json(),
                "scores": facts.scores, "lcp_ms": facts.lcp_ms, "cls": facts.cls,
                "tbt_ms": facts.tbt_ms, "refused": list(facts.refused),
                "opportunities": [o.plain for o in facts.opportunities],
                "elapsed_s": round(facts.elapsed_s, 1),
            }, indent=2))  # fmt: skip
        else:
            self.stdout.write(f"{result.status.upper()} {url} ({facts.form_factor})")
            self.stdout.write(result.summary)
            for key, label in (("performance", "Performance"), ("accessibility", "Accessibility"),
                               ("best-practices", "Best practices"), ("seo", "SEO")):  # fmt: skip
                self.stdout.write(f"  {label}: {facts.scores.get(key, '—')}")
            for o in facts.opportunities[:5]:
                self.stdout.write(f"  - {o.plain}")
        if result.status != Status.PASS:
            raise SystemExit(1)
