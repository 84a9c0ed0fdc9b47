"""What the checks app adds to the clients app's screens (registered in ChecksConfig.ready):
the checks panel on the sprint page, badges on checklist items the machine verified, the
redirect map and per-domain settings on the client page, and a summary on the portal."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from checks import panels_rows, services
from checks.catalogue import CHECKS, FAMILIES
from checks.forms import DomainCheckSettingsForm, RedirectRuleForm
from checks.models import CheckResult, CheckRun, DomainCheckSettings
from checks.panels_rows import ResultRow
from clients.jobs.models import JobStatus
from clients.models import Sprint
from clients.selectors import stage_items
from launchready.memo import BoundedMemo

ORDER = {"fail": 0, "error": 1, "warn": 2, "pass": 3}


def _runs(sprint: Sprint) -> tuple[CheckRun | None, CheckRun | None, CheckRun | None]:
    """(newest run, newest finished run, the finished run before it): one query when the
    newest runs finished, kept on the sprint object for the rest of the request (the
    panel and the checklist badges both ask)."""
    cached = sprint.__dict__.get("_check_runs")
    if cached is not None:
        return cached
    # Not through sprint.check_runs: building the related manager costs more than the query.
    recent = list(CheckRun.objects.filter(sprint_id=sprint.pk).order_by("-created_at", "-id")[:3])
    done = [r for r in recent if r.status == JobStatus.DONE][:2]
    if len(recent) == 3 and len(done) < 2:
        # Older finished runs sit behind failed or running ones.
        done = list(
            sprint.check_runs.filter(status=JobStatus.DONE).order_by("-created_at", "-id")[:2]
        )
    cached = (
        recent[0] if recent else None,
        done[0] if done else None,
        done[1] if len(done) > 1 else None,
    )
    sprint.__dict__["_check_runs"] = cached
    return cached


def _latest(sprint: Sprint, *, done: bool = False) -> CheckRun | None:
    latest, last_done, _ = _runs(sprint)
    return last_done if done else latest


_ROW_FIELDS = ("run_id", "check_id", "target", "status", "summary", "evidence")

# What a finished run shows never changes: the worker stores its results in the same
# transaction that marks it done and nothing edits them afterwards (a failed run tried
# again finishes later, with a new finished_at). So the rows of the newest two finished
# runs, and the results part of the panel built from them, are kept per process, keyed
# by the runs' codes and finish times, and a new run is a new key at once. Loading and
# drawing a few hundred results was about a fifth of the busy sprint page's time
# (bench/dashboard_bench.py).
_FINISHED_ROWS = BoundedMemo(256)
_FINISHED_HTML = BoundedMemo(256)


def _finished_key(sprint: Sprint) -> tuple:
    _, last, previous = _runs(sprint)
    return tuple((run.code, run.finished_at) if run else None for run in (last, previous))


def _rows(sprint: Sprint, check_ids: frozenset[str]) -> tuple[list[ResultRow], list[ResultRow]]:
    """The newest finished run's rows for these checks, and the previous finished run's,
    in one query whatever the number of results (as plain rows: a few hundred model
    instances were a measurable part of the sprint page), or none when this process
    has read them before."""
    cache = sprint.__dict__.setdefault("_check_rows", {})
    if check_ids not in cache:
        _, last, previous = _runs(sprint)
        key = (check_ids, *_finished_key(sprint))
        rows = _FINISHED_ROWS.get(key)
        if rows is None:
            now: list[ResultRow] = []
            before: list[ResultRow] = []
            if last is not None and check_ids:
                runs = [last.pk] + ([previous.pk] if previous else [])
                found = CheckResult.objects.filter(run_id__in=runs, check_id__in=check_ids)
                for values in found.order_by("id").values_list(*_ROW_FIELDS):
                    r = ResultRow(*values)
                    (now if r.run_id == last.pk else before).append(r)
            rows = (now, before)
            _FINISHED_ROWS.remember(key, rows)
        cache[check_ids] = rows
    return cache[check_ids]


def _results_html(sprint: Sprint, stage: Any, check_ids: frozenset[str]) -> SafeString:
    """The panel's results for the newest finished run (counts, areas, what needs
    attention, changes, every result): built from finished runs only, so kept."""
    key = (check_ids, stage is not None, get_language(), *_finished_key(sprint))
    html = _FINISHED_HTML.get(key)
    if html is None:
        _, _, previous = _runs(sprint)
        context: dict[str, Any] = {"stage": stage, "check_count": len(check_ids)}
        if check_ids:
            now, before = _rows(sprint, check_ids)
            context.update(_results_context(now, before if previous else None))
            context["problem_rows"] = panels_rows.problem_rows(context["problems"])
            context["result_rows"] = panels_rows.result_rows(context["results"])
            context["change_rows"] = panels_rows.change_rows(context["changes"] or [])
            for group in context["unknown"]:
                group["rows"] = panels_rows.unknown_rows(group["results"])
        html = SafeString(render_to_string("checks/_panel_results.html", context))
        _FINISHED_HTML.remember(key, html)
    return html


def stage_check_ids(stage: Any) -> frozenset[str]:
    """The automated checks that verify this stage's checklist items (the playbook links
    items to check ids); the sprint page has read the items, so this costs no query."""
    if stage is None:
        return frozenset(CHECKS)
    return frozenset(cid for item in stage_items(stage) for cid in item.check_ids if cid in CHECKS)


def _cause(r: CheckResult | ResultRow) -> str:
    reason = (r.evidence or {}).get("reason") if isinstance(r.evidence, dict) else None
    return str(reason or r.summary.removeprefix("Could not tell: ") or "no reason recorded")


def _results_context(results: list[Any], before: list[Any] | None) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    families: dict[str, dict[str, int]] = {}
    causes: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        counts[r.status] += 1
        family = families.setdefault(r.check_id.split(".")[0], defaultdict(int))
        family[r.status] += 1
        info = CHECKS.get(r.check_id)
        r.title = info.title if info else r.check_id
        r.plain = info.plain if info else "Another automated check"
        r.advice = info.advice if info else ""
        if r.status == "error":
            causes[_cause(r)].append(r)
    problems = sorted(
        (r for r in results if r.status in ("fail", "warn")),
        key=lambda r: (ORDER[r.status], r.check_id, r.target),
    )
    # Many checks that could not tell for one reason (a domain that does not resolve)
    # are one line with the cause, the list behind a disclosure.
    unknown = sorted(
        ({"cause": cause, "results": rows} for cause, rows in causes.items()),
        key=lambda g: (-len(g["results"]), g["cause"]),
    )
    return {
        "results": sorted(results, key=lambda r: (ORDER[r.status], r.check_id, r.target)),
        "problems": problems,
        "unknown": unknown,
        "counts": dict(counts),
        "families": [(FAMILIES.get(k, k), dict(v)) for k, v in families.items()],
        "changes": None if before is None else services.changes_between(before, results),
    }


def _body_context(
    sprint: Sprint, stage: Any, run: CheckRun | None, error: str | None
) -> dict[str, Any]:
    latest, last_done, _ = _runs(sprint)
    run = run or latest
    check_ids = stage_check_ids(stage)
    context: dict[str, Any] = {"sprint": sprint, "stage": stage, "run": run, "error": error}
    if run is not None and run.status == JobStatus.DONE:
        context["results_html"] = _results_html(sprint, stage, check_ids)
    if run is not None and run.can_retry:
        context["last_done"] = last_done
    return context


def sprint_panel_body(
    *,
    request: HttpRequest,
    sprint: Sprint,
    stage: Any = None,
    run: CheckRun | None = None,
    error: str | None = None,
) -> str:
    """The panel's inside, which htmx swaps after a run is started or polled."""
    context = _body_context(sprint, stage, run, error)
    return render_to_string("checks/_panel_body.html", context, request=request)


def sprint_panel(*, request: HttpRequest, sprint: Sprint, stage: Any) -> str:
    # Each stage shows the checks that verify its items; a stage none verify shows none.
    if not request.user.is_staff or not stage_check_ids(stage):
        return ""
    # The frame includes the body: one template render with the request, not two.
    context = _body_context(sprint, stage, None, None)
    return render_to_string("checks/_panel.html", context, request=request)


def item_badges(*, request: HttpRequest, sprint: Sprint, items: list) -> dict[int, str]:
    """Per checklist item: what the latest finished run says about its check ids."""
    wanted = frozenset(cid for item in items for cid in item.check_ids if cid in CHECKS)
    if not wanted or _latest(sprint, done=True) is None:
        return {}
    by_check: dict[str, list] = defaultdict(list)
    for r in _rows(sprint, wanted)[0]:
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
                '<span class="pill pill-verified" title="{} checks passed">✓ verified by '
                "checks</span>",
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
    """Founders read the latest finished run in plain words: each check's goal, never its
    id or the consultant's short title."""
    run = _latest(sprint, done=True)
    if run is None:
        return ""
    context = {"run": run, **_results_context(list(run.results.all()), None)}
    return render_to_string("checks/_portal_panel.html", context, request=request)


def founder_labels(*, findings: list[Any]) -> dict[int, str]:
    """Findings a check filed, named for founders by the check's goal and the address."""
    out = {}
    for f in findings:
        info = CHECKS.get(f.source)
        if info is not None:
            out[f.pk] = f"{info.plain} ({f.target})" if f.target else info.plain
    return out
