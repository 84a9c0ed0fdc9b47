"""Writes for Lighthouse runs (request, execute: called by the Huey task, store one audit per
page and file perf.lighthouse findings) and the retention purge of every browser run's
rows and files. Status, progress and reaping are the jobs service's."""

from __future__ import annotations

import gzip
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from checks import net
from checks.browser import lighthouse
from checks.browser.journeys import media_dir
from checks.browser.models import JourneyRun, LighthouseAudit, LighthouseRun
from checks.browser.proxy import GuardProxy
from checks.catalogue import CHECKS
from checks.evaluation import Status
from checks.evaluation.perf import CHECK_ID, DEFAULT_TARGET, lighthouse_verdict
from checks.models import DomainCheckSettings
from checks.services import _evidence_text
from clients.jobs.models import ACTIVE
from clients.jobs.services import job_claim, job_done, job_enqueue, job_fail, job_progress
from clients.models import Client, DomainRole, MaturityTarget, Sprint
from clients.services import ServiceError, activity_log, finding_sync_automated


def lighthouse_target(client: Client) -> int:
    target = MaturityTarget.objects.filter(maturity=client.maturity).first()
    return target.lighthouse_min if target else DEFAULT_TARGET


def pages_for_client(client: Client) -> list[tuple[str, str]]:
    """(route, URL) for the canonical page and each declared key route, canonical first.
    A key route is a path on the canonical host, or a full URL."""
    domains = list(client.domains.all())
    canonical = next((d for d in domains if d.role == DomainRole.CANONICAL), None) or next(
        (d for d in domains if not d.redirects), None
    )
    if canonical is None:
        return []
    scheme = "http" if settings.LIGHTHOUSE_SCHEME == "http" else "https"
    port = net.http_port() if scheme == "http" else net.https_port()
    default = 80 if scheme == "http" else 443
    base = f"{scheme}://{canonical.hostname}" + ("" if port == default else f":{port}")
    pages = [("/", base + "/")]
    routes: list[str] = []
    for s in DomainCheckSettings.objects.filter(domain__client=client).order_by("domain__hostname"):
        routes += [r for r in s.key_routes if r not in routes]
    for route in routes:
        route = route.strip()
        if route.startswith(("http://", "https://")):
            parts = urlsplit(route)
            pages.append((parts.path or "/", route))
        elif route:
            path = route if route.startswith("/") else f"/{route}"
            pages.append((path, base + path))
    unique: dict[str, str] = {}
    for route, url in pages:
        unique.setdefault(url, route)
    return [(route, url) for url, route in unique.items()]


def lighthouse_run_request(
    *, sprint: Sprint, by: User | None, desktop: bool = False
) -> LighthouseRun:
    """Queue a Lighthouse run of the client's canonical page and key routes. Raises
    ServiceError when there is nothing to audit or a run is already going, and
    QueueUnavailable (the row failed) when the queue cannot be reached."""
    with transaction.atomic():
        if not pages_for_client(sprint.client):
            raise ServiceError("Add the client's main domain first: there is no page to audit.")
        if LighthouseRun.objects.filter(sprint__client=sprint.client, status__in=ACTIVE).exists():
            raise ServiceError("Lighthouse is already running for this client.")
        run = LighthouseRun.objects.create(sprint=sprint, requested_by=by, desktop=desktop)
        activity_log(
            sprint=sprint,
            actor=by,
            kind="lighthouse.requested",
            message="A Lighthouse audit of the main pages was started.",
            visible_to_founder=False,
        )
        job_enqueue(job=run)
    return run


def lighthouse_run_execute(*, run_id: int) -> LighthouseRun | None:
    """Audit each page in turn, then store the audits and sync findings in one
    transaction. None when the run is gone or not queued (a task delivered twice)."""
    run = job_claim(LighthouseRun, pk=run_id)
    if run is None:
        return None
    run = LighthouseRun.objects.select_related("sprint__client").get(pk=run.pk)
    client = run.sprint.client
    pages = pages_for_client(client)
    target = lighthouse_target(client)
    job_progress(job=run, done=0, total=len(pages))
    deadline = float(settings.LIGHTHOUSE_DEADLINE_SECONDS)
    try:
        audited = []
        # One guard proxy for the whole job: the pages are audited one after the other.
        with GuardProxy(deadline_s=len(pages) * (deadline + 5)) as proxy:
            for n, (route, url) in enumerate(pages):
                job_progress(job=run, done=n, phase=f"auditing {route}")
                facts = lighthouse.audit(url, desktop=run.desktop, deadline_s=deadline, proxy=proxy)
                audited.append((route, facts, lighthouse_verdict(facts, target=target)))
        now = timezone.now()
        with transaction.atomic():
            for route, facts, result in audited:
                audit_store(run=run, client=client, route=route, facts=facts, result=result,
                            target=target, now=now)  # fmt: skip
                _sync_finding(run.sprint, result)
            run.progress_phase = ""
            job_done(job=run)
            failing = sum(1 for _, _, r in audited if r.status == Status.FAIL)
            activity_log(
                sprint=run.sprint,
                actor=None,
                kind="lighthouse.done",
                message=(
                    f"Lighthouse audited {len(audited)} page{'s' if len(audited) != 1 else ''}: "
                    f"{failing} below the performance target of {target}."
                ),
            )
    except Exception as exc:
        job_fail(
            job=run,
            error=f"Lighthouse stopped on an unexpected {exc.__class__.__name__}; try again.",
        )
        raise
    return run


def audit_store(*, run, client, route, facts, result, target, now) -> LighthouseAudit:
    report = ""
    if facts.report:
        rel = Path("browser") / "lighthouse" / str(client.pk) / f"{uuid.uuid4().hex}.json.gz"
        path = Path(settings.MEDIA_ROOT) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(facts.report))
        report = str(rel)
    return LighthouseAudit.objects.create(
        run=run,
        client=client,
        url=facts.url[:500],
        route=route[:300],
        form_factor=facts.form_factor,
        audited_at=now,
        status=str(result.status),
        target=target,
        performance=facts.scores.get("performance"),
        accessibility=facts.scores.get("accessibility"),
        best_practices=facts.scores.get("best-practices"),
        seo=facts.scores.get("seo"),
        lcp_ms=facts.lcp_ms,
        cls=facts.cls,
        tbt_ms=facts.tbt_ms,
        opportunities=[
            {"id": o.audit_id, "plain": o.plain, "savings_ms": o.savings_ms}
            for o in facts.opportunities[:6]
        ],
        refused=list(facts.refused),
        error=(facts.error or "")[:300],
        report=report,
    )


def _sync_finding(sprint: Sprint, result) -> None:
    """Fail files (or re-opens) the finding; pass verifies it; error leaves it alone."""
    if result.status not in (Status.FAIL, Status.PASS):
        return
    info = CHECKS[CHECK_ID]
    finding_sync_automated(
        sprint=sprint,
        source=CHECK_ID,
        target=result.target[:300],
        failing=result.status == Status.FAIL,
        title=f"{info.title}: {result.target}"[:200],
        evidence=_evidence_text(result),
        founder_explanation=info.advice,
        impact=info.impact,
        stage_key=info.stage_key,
    )


def latest_audits(client: Client) -> list[LighthouseAudit]:
    """The newest audit of each route (for the client page and the handover)."""
    latest: dict[str, LighthouseAudit] = {}
    for audit in LighthouseAudit.objects.filter(client=client).order_by("-audited_at", "-id")[:200]:
        latest.setdefault(audit.route, audit)
    return sorted(latest.values(), key=lambda a: (a.route != "/", a.route))


def browser_purge(*, now: datetime | None = None) -> int:
    """Delete Lighthouse audits and journey runs older than BROWSER_RETENTION_DAYS, with
    their files (reports, screenshots). Returns the rows deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BROWSER_RETENTION_DAYS)
    root = Path(settings.MEDIA_ROOT)
    deleted = 0
    old_audits = LighthouseAudit.objects.filter(audited_at__lt=cutoff)
    for rel in old_audits.exclude(report="").values_list("report", flat=True):
        (root / rel).unlink(missing_ok=True)
    deleted += old_audits.delete()[0]
    old_runs = JourneyRun.objects.filter(checked_at__lt=cutoff)
    for rel in old_runs.exclude(screenshot="").values_list("screenshot", flat=True):
        shutil.rmtree((root / rel).parent, ignore_errors=True)
    deleted += old_runs.delete()[0]
    LighthouseRun.objects.filter(finished_at__lt=cutoff, audits__isnull=True).delete()
    # Folders of runs that never made it into a row (a worker killed mid-run).
    for folder in (media_dir() / "journeys").glob("*/*"):
        try:
            if folder.stat().st_mtime < cutoff.timestamp():
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
    return deleted
