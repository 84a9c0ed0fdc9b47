"""What the checks app adds to the clients app's screens (registered in ChecksConfig.ready):
the checks panel on the sprint page, badges on checklist items the machine verified, the
redirect map and per-domain settings on the client page, and a summary on the portal."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html

from checks import services
from checks.catalogue import CHECKS, FAMILIES
from checks.forms import DomainCheckSettingsForm, RedirectRuleForm
from checks.models import CheckRun, DomainCheckSettings
from clients.jobs.models import JobStatus
from clients.models import Sprint

ORDER = {"fail": 0, "error": 1, "warn": 2, "pass": 3}


def _latest(sprint: Sprint, *, done: bool = False) -> CheckRun | None:
    runs = sprint.check_runs.all()
    if done:
        runs = runs.filter(status=JobStatus.DONE)
    return runs.order_by("-created_at", "-id").first()


def _results_context(run: CheckRun | None) -> dict[str, Any]:
    if run is None or run.status != JobStatus.DONE:
        return {}
    results = list(run.results.all())
    counts = defaultdict(int)
    families: dict[str, dict[str, int]] = {}
    for r in results:
        counts[r.status] += 1
        family = families.setdefault(r.check_id.split(".")[0], defaultdict(int))
        family[r.status] += 1
        info = CHECKS.get(r.check_id)
        r.title = info.title if info else r.check_id
        r.advice = info.advice if info else ""
    problems = sorted(
        (r for r in results if r.status != "pass"),
        key=lambda r: (ORDER[r.status], r.check_id, r.target),
    )
    return {
        "results": results,
        "problems": problems,
        "counts": dict(counts),
        "families": [(FAMILIES.get(k, k), dict(v)) for k, v in families.items()],
        "changes": services.run_changes(run),
    }


def sprint_panel_body(
    *, request: HttpRequest, sprint: Sprint, run: CheckRun | None = None, error: str | None = None
) -> str:
    run = run or _latest(sprint)
    context = {"sprint": sprint, "run": run, "error": error, **_results_context(run)}
    if run is not None and run.can_retry:
        context["last_done"] = _latest(sprint, done=True)
    return render_to_string("checks/_panel_body.html", context, request=request)


def sprint_panel(*, request: HttpRequest, sprint: Sprint, stage: Any) -> str:
    if not request.user.is_staff:
        return ""
    body = sprint_panel_body(request=request, sprint=sprint)
    return render_to_string("checks/_panel.html", {"body": body}, request=request)


def item_badges(*, request: HttpRequest, sprint: Sprint, items: list) -> dict[int, str]:
    """Per checklist item: what the latest finished run says about its check ids."""
    wanted = {cid for item in items for cid in item.check_ids if cid in CHECKS}
    run = _latest(sprint, done=True)
    if not wanted or run is None:
        return {}
    by_check: dict[str, list] = defaultdict(list)
    for r in run.results.filter(check_id__in=wanted).only(
        "check_id", "status", "target", "summary"
    ):
        by_check[r.check_id].append(r)
    out = {}
    for item in items:
        rows = [r for cid in item.check_ids for r in by_check.get(cid, [])]
        if not rows:
            continue
        statuses = {r.status for r in rows}
        failing = [r for r in rows if r.status == "fail"]
        tip = "; ".join(f"{r.check_id} {r.target}: {r.status}" for r in rows if r.status != "pass")[
            :400
        ]
        if failing:
            out[item.pk] = format_html(
                '<span class="pill pill-bad" title="{}">✗ checks: {} failing</span>',
                tip,
                len(failing),
            )
        elif "error" in statuses:
            out[item.pk] = format_html(
                '<span class="pill pill-open" title="{}">? checks could not tell</span>', tip
            )
        elif "warn" in statuses:
            out[item.pk] = format_html(
                '<span class="pill pill-open" title="{}">! checks: warnings</span>', tip
            )
        else:
            out[item.pk] = format_html(
                '<span class="pill pill-verified" title="{} checks passed">✓ verified by checks</span>',
                len(rows),
            )
    return out


def client_panel(
    *,
    request: HttpRequest,
    client: Any,
    rule_form: RedirectRuleForm | None = None,
    settings_forms: dict | None = None,
) -> str:
    if not request.user.is_staff:
        return ""
    existing = {s.domain_id: s for s in DomainCheckSettings.objects.filter(domain__client=client)}
    domains = []
    for domain in client.domains.all():
        s = existing.get(domain.pk)
        form = (settings_forms or {}).get(domain.pk) or DomainCheckSettingsForm(
            initial={
                "dkim_selectors": ", ".join(s.dkim_selectors) if s else "",
                "health_path": s.health_path if s else "",
                "key_routes": ", ".join(s.key_routes) if s else "",
            },
            prefix=f"d{domain.pk}",
        )
        domains.append((domain, form))
    return render_to_string(
        "checks/_client_panel.html",
        {
            "client": client,
            "rules": client.redirect_rules.all(),
            "rule_form": rule_form or RedirectRuleForm(),
            "domains": domains,
        },
        request=request,
    )


def portal_panel(*, request: HttpRequest, sprint: Sprint) -> str:
    run = _latest(sprint, done=True)
    if run is None:
        return ""
    return render_to_string(
        "checks/_portal_panel.html", {"run": run, **_results_context(run)}, request=request
    )
