"""For the per-client isolation sweep: how to find an object of a given client for each
URL keyword argument. Every app that adds a URL taking an object code adds its kwarg
here; the sweep fails loudly on a kwarg it does not know."""

from __future__ import annotations

from collections.abc import Callable

from clients.models import Client

# kwarg name -> function(client, sprint) returning the code of an object that belongs
# to that client. The sweep calls these for client B and requests as client A's founder.
KWARG_FACTORIES: dict[str, Callable] = {}


def register(kwarg: str):
    def decorator(fn: Callable) -> Callable:
        KWARG_FACTORIES[kwarg] = fn
        return fn

    return decorator


@register("client_code")
def _client(client: Client, sprint, consultant) -> str:
    return client.code


@register("sprint_code")
def _sprint(client: Client, sprint, consultant) -> str:
    return sprint.code


@register("domain_code")
def _domain(client: Client, sprint, consultant) -> str:
    return client.domains.first().code


@register("account_code")
def _account(client: Client, sprint, consultant) -> str:
    from clients.models import ServiceAccount

    account = client.accounts.first() or ServiceAccount.objects.create(
        client=client, kind="dns", vendor="Cloudflare"
    )
    return account.code


@register("item_code")
def _item(client: Client, sprint, consultant) -> str:
    return sprint.stages.get(number=1).items.first().code


@register("finding_code")
def _finding(client: Client, sprint, consultant) -> str:
    from clients import services

    finding = sprint.findings.first() or services.finding_create(
        sprint=sprint,
        by=consultant,
        stage=sprint.stages.get(number=1),
        title="Sweep finding",
        impact="3_cleanup",
    )
    return finding.code


@register("run_code")
def _check_run(client: Client, sprint, consultant) -> str:
    from checks.models import CheckRun

    run = sprint.check_runs.first() or CheckRun.objects.create(
        sprint=sprint, requested_by=consultant
    )
    return run.code


@register("rule_code")
def _redirect_rule(client: Client, sprint, consultant) -> str:
    from checks.models import RedirectRule

    rule = client.redirect_rules.first() or RedirectRule.objects.create(
        client=client, source_url=f"https://old.{client.pk}.test/", target_url="https://new.test/"
    )
    return rule.code


# ---------------------------------------------------------------- secrets


@register("record_code")
def _secret_record(client: Client, sprint, consultant) -> str:
    from checks.secrets.models import SecretRecord

    record, _ = SecretRecord.objects.get_or_create(
        client=client, name="SWEEP_KEY", defaults={"kind": "api_key"}
    )
    return record.code


@register("envvar_code")
def _env_var(client: Client, sprint, consultant) -> str:
    from checks.secrets.models import EnvVar

    var, _ = EnvVar.objects.get_or_create(
        client=client, name="SWEEP_VAR", defaults={"environments": ["production"]}
    )
    return var.code


@register("scan_code")
def _scan_run(client: Client, sprint, consultant) -> str:
    from checks.secrets.models import ScanRun

    run = ScanRun.objects.filter(client=client).first() or ScanRun.objects.create(
        client=client, source="https://example.com/repo.git", status="done"
    )
    return run.code


@register("allow_code")
def _allow_entry(client: Client, sprint, consultant) -> str:
    from checks.secrets.models import AllowlistEntry

    entry, _ = AllowlistEntry.objects.get_or_create(
        client=client, fingerprint="0" * 40, defaults={"reason": "sweep"}
    )
    return entry.code


@register("token_code")
def _deploy_token(client: Client, sprint, consultant) -> str:
    from checks.secrets import services

    token = (
        client.deploy_tokens.first()
        or services.deploy_token_create(client=client, by=consultant, label="Sweep CI").token
    )
    return token.code


@register("monitor_code")
def _monitor(client: Client, sprint, consultant) -> str:
    from checks.monitoring import services

    monitor = client.monitors.first() or services.monitor_create(
        client=client,
        by=consultant,
        name="Sweep homepage",
        url="https://sweep.test/",
        alert_emails="ops@example.test",
    )
    return monitor.code


@register("window_code")
def _maintenance_window(client: Client, sprint, consultant) -> str:
    from datetime import timedelta

    from django.utils import timezone

    from checks.monitoring import services

    monitor = client.monitors.get(code=_monitor(client, sprint, consultant))
    now = timezone.now()
    window = monitor.maintenance_windows.first() or services.maintenance_add(
        monitor=monitor, by=consultant, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    return window.code


@register("audit_code")
def _lighthouse_audit(client: Client, sprint, consultant) -> str:
    from django.conf import settings
    from django.utils import timezone

    from checks.browser.models import LighthouseAudit, LighthouseRun

    audit = client.lighthouse_audits.first()
    if audit is None:
        path = settings.MEDIA_ROOT / "browser" / "sweep.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
        run = LighthouseRun.objects.create(sprint=sprint, requested_by=consultant, status="done")
        audit = LighthouseAudit.objects.create(
            run=run, client=client, url="https://sweep.test/", route="/", status="pass",
            target=85, performance=90, audited_at=timezone.now(), report="browser/sweep.json.gz",
        )  # fmt: skip
    return audit.code


@register("journey_run_code")
def _journey_run(client: Client, sprint, consultant) -> str:
    from django.conf import settings
    from django.utils import timezone

    from checks.browser.models import JourneyRun

    monitor = client.monitors.get(code=_monitor(client, sprint, consultant))
    run = JourneyRun.objects.filter(monitor=monitor).first()
    if run is None:
        path = settings.MEDIA_ROOT / "browser" / "sweep.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG")
        run = JourneyRun.objects.create(
            monitor=monitor, checked_at=timezone.now(), ok=False, screenshot="browser/sweep.png"
        )
    return run.code


@register("handover_code")
def _handover(client: Client, sprint, consultant) -> str:
    # A stored row is enough for access checks; rendering and signing are tested in tests/handover.
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from handover.models import IssuedHandover

    issued = sprint.handovers.first()
    if issued is None:
        issued = IssuedHandover(
            sprint=sprint,
            version=1,
            sha256=f"{sprint.code:0<64}"[:64],
            size=9,
            issued_at=timezone.now(),
            signer_name="Sweep",
            signer_subject="CN=Sweep",
            signer_fingerprint="00",
            signer_self_signed=True,
            signer_cert_pem="",
        )
        issued.file.save("sweep.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        issued.save()
    return issued.code


@register("kind")
def _job_kind(client: Client, sprint, consultant) -> str:
    return (
        "handover"  # paired with job_code below; every kind is swept in tests/clients/test_jobs.py
    )


@register("job_code")
def _handover_job(client: Client, sprint, consultant) -> str:
    from handover.models import IssueJob

    job = sprint.handover_jobs.first() or IssueJob.objects.create(
        sprint=sprint, requested_by=consultant
    )
    return job.code


@register("number")
def _stage_number(client: Client, sprint, consultant) -> int:
    # A stage number inside the sprint: the sprint's code is what scopes it.
    return 1


# ---------------------------------------------------------------- after launch


@register("incident_code")
def _incident(client: Client, sprint, consultant) -> str:
    from django.utils import timezone

    from checks.monitoring.models import Incident

    monitor = client.monitors.get(code=_monitor(client, sprint, consultant))
    now = timezone.now()
    incident = monitor.incidents.first() or Incident.objects.create(
        monitor=monitor, started_at=now, opened_at=now, closed_at=now
    )
    return incident.code


@register("feed_code")
def _calendar_feed(client: Client, sprint, consultant) -> str:
    # A feed belongs to the staff member who made it; made here for client B's page.
    from checks.renewals.models import CalendarFeed

    feed = CalendarFeed.objects.filter(client=client).first() or CalendarFeed.objects.create(
        owner=consultant, client=client
    )
    return feed.code


# Public by design: URLs whose keyword argument is not an object behind sign-in, so the
# sweep's "404 for the wrong person, login for anonymous" does not apply. Each has its
# own tests of what it may and may not show.
PUBLIC_KWARGS: dict[str, str] = {
    "status_slug": "a client's public status page (off until staff switch it on; shows only "
    "monitors marked public, under their public names): tests/afterlaunch/test_status_page.py",
}


@register("status_slug")
def _status_slug(client: Client, sprint, consultant) -> str:
    # For crawls (tests/guard): the client's page, switched on. Not swept for isolation.
    from checks.statuspage import services

    page = services.status_page_for(client)
    if not page.enabled:
        page.enabled = True
        page.save(update_fields=["enabled"])
    return page.slug
