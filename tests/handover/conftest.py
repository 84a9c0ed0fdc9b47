"""Handover test data: a signer made once per session, issued files under a temp
MEDIA_ROOT, and a sprint with full data that plants values which must never reach
the PDF (staff notes, evidence, account notes)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from clients import services
from clients.models import AccountKind, Decision, Domain, DomainRole, ItemState, ServiceAccount
from handover.services import handover_issue
from handover.signing import keygen

PLANTED = "sk_live_PLANTED_do_not_leak_8c1f"
SECTION_TITLES = [
    "Summary",
    "Domains and DNS",
    "Edge: protection and speed",
    "Email",
    "Deployment",
    "Configuration and secrets",
    "Monitoring",
    "Open risks and changes",
    "Emergency steps",
    "Vendors, support and renewals",
    "Glossary",
    "Checking this document",
]


@pytest.fixture(scope="session")
def signer_files(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("signing")
    result = keygen(
        common_name="Sam Rivera (test signer)",
        cert_path=base / "signer.pem",
        key_path=base / "signer.key",
    )
    return result.cert_path, result.key_path


@pytest.fixture(autouse=True)
def _handover_settings(settings, signer_files, tmp_path):
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = signer_files
    settings.HANDOVER_SIGNER_PASSPHRASE = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://launchready.test"
    settings.CONSULTANT_PHONE = "+44 20 7946 0018"
    settings.HANDOVER_TSA_URL = ""


@pytest.fixture
def full_sprint(sprint_a, client_a, consultant):
    """Client A at the handover stage with accounts, domains, findings and a decision."""
    client_a.staff_notes = PLANTED
    client_a.contact_name, client_a.contact_email = "Ann Acme", "ann@acme.test"
    client_a.deploy_owner = client_a.rollback_owner = "Dev Patel (dev@acme.test, +44 7700 900123)"
    client_a.alerts_owner = "Ann Acme (ann@acme.test)"
    client_a.renewals_owner = "Ann Acme (ann@acme.test)"
    client_a.save()
    Domain.objects.create(
        client=client_a, hostname="book.acme.test", role=DomainRole.APP, purpose="Booking page"
    )
    Domain.objects.create(
        client=client_a,
        hostname="acme-old.test",
        role=DomainRole.OLD,
        redirect_to="https://acme.test/",
    )
    for kind, vendor in [
        (AccountKind.REGISTRAR, "Namecheap"),
        (AccountKind.EDGE, "Cloudflare"),
        (AccountKind.HOSTING, "Render"),
        (AccountKind.EMAIL, "Postmark"),
        (AccountKind.CODE, "GitHub"),
        (AccountKind.MONITORING, "Better Stack"),
    ]:
        ServiceAccount.objects.create(
            client=client_a,
            kind=kind,
            vendor=vendor,
            purpose=f"{vendor} for Acme",
            owner_name="Ann Acme",
            owner_email="ann@acme.test",
            login_location=f"https://{vendor.lower().replace(' ', '')}.example/login",
            support_contact=f"support@{vendor.lower().replace(' ', '')}.example",
            notes=PLANTED,
            renewal_date=timezone.now().date() + timedelta(days=200)
            if kind == AccountKind.REGISTRAR
            else None,
        )
    stage2 = sprint_a.stages.get(number=2)
    services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=stage2,
        title="Old domain serves a stale page",
        impact="1_blocker",
        founder_explanation="Visitors of the old address see last year's prices.",
        evidence=PLANTED,
        staff_note=PLANTED,
    )
    services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=stage2,
        title="DMARC only monitors",
        impact="2_trust",
        decision=Decision.CAN_WAIT,
        founder_explanation="Spoofed emails are reported, not blocked.",
        staff_note=PLANTED,
    )
    fixed = services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=stage2,
        title="www did not redirect",
        impact="3_cleanup",
    )
    services.finding_update(finding=fixed, by=consultant, status="fixed")
    for number in range(1, 7):
        for item in sprint_a.stages.get(number=number).items.all():
            services.item_set_state(item=item, by=consultant, state=ItemState.DONE)
        services.stage_advance(
            sprint=sprint_a, by=consultant, override_reason="blocker accepted for test"
        )
        sprint_a.refresh_from_db()
    services.sprint_decide(
        sprint=sprint_a,
        by=consultant,
        outcome="accepted_risks",
        reason="The stale old domain is fixed next week.",
    )
    sprint_a.refresh_from_db()
    add_other_apps_data(sprint_a)
    confirm_all(sprint_a, consultant)
    return sprint_a


def confirm_all(sprint, by) -> None:
    """The consultant confirms every suggested passage as it reads now."""
    from handover.sections import build_handover
    from handover.services import draft_save

    document = build_handover(sprint)
    confirm = {t.key: t.default for s in document.sections for t in s.texts.values() if t.default}
    draft_save(sprint=sprint, by=by, values={}, confirm=confirm)


def add_other_apps_data(sprint) -> None:
    """What the checks, monitoring and secrets apps record, as their models store it.
    Webhook URLs, secret notes and scan fingerprints carry the planted value."""
    from datetime import timedelta

    from django.utils import timezone

    from checks.models import CheckResult, CheckRun
    from checks.monitoring.models import Monitor
    from checks.secrets.models import DeployEvent, EnvVar, ExposedKey, SecretRecord

    client, now = sprint.client, timezone.now()
    run = CheckRun.objects.create(sprint=sprint, status="done", started_at=now, finished_at=now)
    expiry = (now + timedelta(days=71)).isoformat()
    rows = [
        (
            "dns.nameservers",
            "acme.test",
            "pass",
            "DNS is run by Cloudflare.",
            {
                "nameservers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
                "provider": "Cloudflare",
            },
        ),
        (
            "dns.apex.resolves",
            "acme.test",
            "pass",
            "Resolves to 203.0.113.10.",
            {"a": ["203.0.113.10"], "aaaa": [], "cname_chain": []},
        ),
        (
            "dns.www.resolves",
            "www.acme.test",
            "pass",
            "Resolves.",
            {"a": ["203.0.113.10"], "aaaa": [], "cname_chain": ["acme.test"]},
        ),
        (
            "dns.cloudflare",
            "acme.test",
            "pass",
            "Cloudflare runs the DNS and proxies the site.",
            {},
        ),
        (
            "tls.trusted",
            "acme.test (203.0.113.10)",
            "pass",
            "The certificate chain is trusted.",
            {"host": "acme.test", "issuer": "Let's Encrypt R11"},
        ),
        (
            "tls.expiry",
            "acme.test (203.0.113.10)",
            "pass",
            "The certificate is valid for 71 more days.",
            {"host": "acme.test", "not_after": expiry},
        ),
        ("http.hsts", "https://acme.test/", "fail", "No Strict-Transport-Security header.", {}),
        ("http.csp", "https://acme.test/", "pass", "A policy is set.", {}),
        ("email.spf", "acme.test", "pass", "SPF allows Postmark and ends in -all.", {}),
        ("email.dmarc", "acme.test", "warn", "DMARC policy is p=none (monitor only).", {}),
        ("email.dkim", "acme.test", "pass", "DKIM key pm._domainkey is 2048-bit RSA.", {}),
        ("redirect.canonical", "acme.test", "pass", "All variants end at https://acme.test/.", {}),
    ]
    CheckResult.objects.bulk_create(
        CheckResult(run=run, check_id=c, target=t, status=st, summary=su, evidence=ev)
        for c, t, st, su, ev in rows
    )
    Monitor.objects.create(
        client=client,
        sprint=sprint,
        name="Booking page",
        url="https://book.acme.test/",
        interval_seconds=60,
        alert_emails="ann@acme.test, ops@acme.test",
        webhook_url=f"https://hooks.chat.test/{PLANTED}",
        next_due_at=now,
        status="up",
        last_checked_at=now,
        last_status_code=200,
        last_latency_ms=140,
    )
    SecretRecord.objects.create(
        client=client,
        name="STRIPE_SECRET_KEY",
        kind="api_key",
        unlocks="Payments",
        storage="platform",
        storage_detail="Render service 'web'",
        environments=["production"],
        owner="Ann Acme",
        last_rotated=now.date(),
        rotation_due=(now + timedelta(days=180)).date(),
        notes=PLANTED,
    )
    EnvVar.objects.create(
        client=client,
        name="DATABASE_URL",
        environments=["production", "staging"],
        sensitive=True,
        notes=PLANTED,
    )
    EnvVar.objects.create(
        client=client, name="STRIPE_SECRET_KEY", environments=["production"], sensitive=True
    )
    DeployEvent.objects.create(
        client=client, environment="production", version="a1b2c3d", result="ok"
    )
    ExposedKey.objects.create(
        client=client, source="git history", fingerprint=PLANTED, rule="stripe"
    )


@pytest.fixture
def issued(full_sprint, consultant):
    return handover_issue(sprint=full_sprint, by=consultant)


def run(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=check)


def pyhanko_validate(pdf: Path, cert: Path, *options: str) -> subprocess.CompletedProcess:
    """pyHanko's own validation of ``pdf``, trusting only ``cert``, as docs/handover.md
    tells a reader to run it."""
    return run(
        "uv",
        "run",
        "--no-sync",
        "pyhanko",
        "sign",
        "validate",
        "--trust",
        str(cert),
        "--trust-replace",
        "--no-revocation-check",
        *options,
        str(pdf),
    )


def pdf_text(path: Path | str) -> str:
    return run("pdftotext", str(path), "-").stdout
