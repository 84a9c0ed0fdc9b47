"""Writes for the checks app: request a run, execute it (called by the Huey task), and
turn results into findings. Status, progress and reaping are the jobs service's."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from checks.audit import DEFAULT_P95_MS, DomainSpec, audit_domain, job_count
from checks.catalogue import CHECKS
from checks.evaluation import Result, Status
from checks.models import CheckResult, CheckRun, DomainCheckSettings, RedirectRule
from clients.jobs.models import ACTIVE, JobStatus
from clients.jobs.services import job_claim, job_done, job_enqueue, job_fail, job_progress
from clients.models import Client, Domain, DomainRole, Impact, MaturityTarget, Sprint
from clients.services import ServiceError, activity_log, client_log, finding_sync_automated


def _apex(hostname: str) -> str:
    hostname = hostname.lower().rstrip(".")
    return hostname[4:] if hostname.startswith("www.") else hostname


def specs_for_sprint(sprint: Sprint) -> list[DomainSpec]:
    """One DomainSpec per site the client runs: the canonical (and any other non-redirect)
    apex, its declared subdomains, and the redirects staff declared."""
    client = sprint.client
    domains = list(client.domains.all())
    settings_by_domain = {
        s.domain_id: s for s in DomainCheckSettings.objects.filter(domain__client=client)
    }
    site_roles = {DomainRole.CANONICAL, DomainRole.WWW}
    apexes = sorted({_apex(d.hostname) for d in domains if d.role in site_roles}) or sorted(
        {_apex(d.hostname) for d in domains if not d.redirects}
    )
    target = MaturityTarget.objects.filter(maturity=client.maturity).first()
    p95 = target.p95_latency_ms if target else DEFAULT_P95_MS
    redirects: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for domain in domains:
        if domain.redirects and domain.redirect_to:
            apex = next(
                (a for a in apexes if domain.hostname.endswith(a)), apexes[0] if apexes else ""
            )
            redirects[apex].append((f"https://{domain.hostname}/", domain.redirect_to))
    for rule in RedirectRule.objects.filter(client=client):
        host = urlsplit(rule.source_url).hostname or ""
        apex = next(
            (a for a in apexes if host == a or host.endswith("." + a)), apexes[0] if apexes else ""
        )
        redirects[apex].append((rule.source_url, rule.target_url))
    specs = []
    for apex in apexes:
        group = [d for d in domains if _apex(d.hostname) == apex or d.hostname.endswith("." + apex)]
        subs = sorted(
            {
                d.hostname
                for d in group
                if d.hostname not in {apex, f"www.{apex}"} and not d.redirects
            }
        )
        canonical = next((d.hostname for d in group if d.role == DomainRole.CANONICAL), None)
        selectors, routes, health = [], [], None
        for d in group:
            s = settings_by_domain.get(d.pk)
            if s:
                selectors += [x for x in s.dkim_selectors if x not in selectors]
                routes += [x for x in s.key_routes if x not in routes]
                health = health or s.health_path or None
        specs.append(
            DomainSpec(
                apex=apex,
                subdomains=tuple(subs),
                canonical_host=canonical,
                dkim_selectors=tuple(selectors),
                redirects=tuple(redirects.get(apex, ())),
                health_path=health,
                key_routes=tuple(routes),
                p95_target_ms=p95,
            )
        )
    return specs


def check_run_request(*, sprint: Sprint, by: User) -> CheckRun:
    """Queue a run of every check for the sprint's client; the worker starts after commit.
    Raises QueueUnavailable (the run recorded as failed) when the queue cannot be reached."""
    with transaction.atomic():
        if not sprint.client.domains.exists():
            raise ServiceError("Add the client's domains first: there is nothing to check.")
        if sprint.check_runs.filter(status__in=ACTIVE).exists():
            raise ServiceError("Checks are already running for this sprint.")
        run = CheckRun.objects.create(sprint=sprint, requested_by=by)
        activity_log(
            sprint=sprint,
            actor=by,
            kind="checks.requested",
            message="Automated checks were started.",
            visible_to_founder=False,
        )
        job_enqueue(job=run)
    return run


def check_run_execute(*, run_id: int) -> CheckRun | None:
    """Probe every domain, store one row per result, sync findings. Returns None when the
    run is gone or not queued (a task delivered twice runs once)."""
    run = job_claim(CheckRun, pk=run_id)
    if run is None:
        return None
    run = CheckRun.objects.select_related("sprint__client").get(pk=run.pk)
    specs = specs_for_sprint(run.sprint)
    total = sum(job_count(s) for s in specs)
    job_progress(job=run, done=0, total=total)
    results: list[Result] = []
    offset = 0
    try:
        for spec in specs:

            def progress(
                done: int, _total: int, label: str, base: int = offset, apex: str = spec.apex
            ) -> None:
                job_progress(job=run, done=base + done, phase=f"{apex}: {label}")

            results += audit_domain(spec, on_progress=progress)
            offset += job_count(spec)
        with transaction.atomic():
            CheckResult.objects.bulk_create(
                CheckResult(
                    run=run,
                    check_id=r.check_id,
                    target=r.target[:300],
                    status=str(r.status),
                    summary=r.summary,
                    evidence=_jsonable(r.evidence),
                )
                for r in _unique(results)
            )
            _sync_findings(run.sprint, results)
            run.progress_phase = ""
            job_done(job=run)
            counts = _counts(results)
            activity_log(
                sprint=run.sprint,
                actor=None,
                kind="checks.done",
                message=f"Automated checks finished: {counts['pass']} passed, {counts['warn']} "
                "warnings, "
                f"{counts['fail']} failed, {counts['error']} could not tell.",
            )
    except Exception as exc:
        job_fail(
            job=run,
            error=f"The checks stopped on an unexpected {exc.__class__.__name__}; try again.",
        )
        raise
    return run


def _unique(results: list[Result]) -> list[Result]:
    seen, out = set(), []
    for r in results:
        key = (r.check_id, r.target[:300])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _jsonable(evidence: dict) -> dict:
    return json.loads(json.dumps(evidence, default=str))


def _counts(results) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for r in results:
        counts[str(r.status)] += 1
    return counts


def _evidence_text(result: Result) -> str:
    lines = [result.summary]
    for key, value in result.evidence.items():
        if value in (None, [], {}, ""):
            continue
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value[:12])
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _sync_findings(sprint: Sprint, results: list[Result]) -> None:
    """A failure opens (or re-opens) the finding for its check and target; a pass marks it
    verified fixed. Warnings show on the page but do not file findings, and errors leave
    findings as they were: "could not tell" is not evidence either way."""
    for r in _unique(results):
        info = CHECKS.get(r.check_id)
        if info is None or r.status not in {Status.FAIL, Status.PASS}:
            continue
        finding_sync_automated(
            sprint=sprint,
            source=r.check_id,
            target=r.target[:300],
            failing=r.status == Status.FAIL,
            title=f"{info.title}: {r.target}"[:200],
            evidence=_evidence_text(r),
            founder_explanation=info.advice,
            impact=info.impact,
            stage_key=info.stage_key,
            plain_title=info.plain,
        )


@dataclass(frozen=True)
class Change:
    check_id: str
    target: str
    before: str | None
    after: str | None
    summary: str


def run_changes(run: CheckRun) -> list[Change] | None:
    """What changed since the previous finished run of the same sprint (None: first run)."""
    previous = (
        CheckRun.objects.filter(
            sprint=run.sprint, status=JobStatus.DONE, created_at__lt=run.created_at
        )
        .exclude(pk=run.pk)
        .order_by("-created_at")
        .first()
    )
    if previous is None:
        return None
    return changes_between(previous.results.all(), run.results.all())


def changes_between(before_rows, after_rows) -> list[Change]:
    """The differences between two runs' result rows (pure: the caller loads them)."""
    before = {(r.check_id, r.target): r.status for r in before_rows}
    after = {(r.check_id, r.target): r for r in after_rows}
    changes = [
        Change(key[0], key[1], before.get(key), r.status, r.summary)
        for key, r in after.items()
        if before.get(key) != r.status
    ]
    changes += [
        Change(k[0], k[1], s, None, "No longer checked.")
        for k, s in before.items()
        if k not in after
    ]
    return sorted(changes, key=lambda c: (c.after != "fail", c.check_id, c.target))


IMPACT_ORDER = [Impact.BLOCKER, Impact.TRUST, Impact.CLEANUP]


# ---------------------------------------------------------------- redirect map and settings


def redirect_rule_add(*, client: Client, by: User, rule: RedirectRule) -> RedirectRule:
    """Add an old or campaign URL to the client's redirect map (``rule`` is unsaved)."""
    rule.client = client
    try:
        with transaction.atomic():
            rule.save()
            client_log(
                client=client,
                actor=by,
                kind="redirect.added",
                message=f"Redirect added to the map: {rule}.",
            )
    except IntegrityError:
        raise ServiceError("This URL is already in the redirect map.") from None
    return rule


@transaction.atomic
def redirect_rule_delete(*, rule: RedirectRule, by: User) -> None:
    client, text = rule.client, str(rule)
    rule.delete()
    client_log(
        client=client, actor=by, kind="redirect.deleted", message=f"Redirect removed: {text}."
    )


@transaction.atomic
def domain_check_settings_save(
    *,
    domain: Domain,
    by: User,
    dkim_selectors: list[str],
    health_path: str,
    key_routes: list[str],
) -> DomainCheckSettings:
    """Store the facts the checks cannot guess for one domain."""
    saved, _ = DomainCheckSettings.objects.update_or_create(
        domain=domain,
        defaults={
            "dkim_selectors": dkim_selectors,
            "health_path": health_path,
            "key_routes": key_routes,
        },
    )
    client_log(
        client=domain.client,
        actor=by,
        kind="check_settings.saved",
        message=f"Check settings saved for {domain.hostname}.",
    )
    return saved
