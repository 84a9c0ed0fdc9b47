"""Handover test data: a signer made once per session, issued files under a temp
MEDIA_ROOT, and a sprint with full data that plants values which must never reach
the PDF (staff notes, evidence, account notes)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from clients import services
from clients.models import (
    AccountKind,
    Client,
    Decision,
    Domain,
    DomainRole,
    ItemState,
    ServiceAccount,
    Sprint,
)
from handover.models import IssuedHandover
from handover.services import handover_issue
from handover.signing import keygen
from tests.conftest import make_client_a, make_consultant, make_founder

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


def _settings_for(signer_files: tuple[Path, Path], media: Path) -> dict:
    cert, key = signer_files
    return {
        "HANDOVER_SIGNER_CERT_FILE": cert,
        "HANDOVER_SIGNER_KEY_FILE": key,
        "HANDOVER_SIGNER_PASSPHRASE": "",
        "MEDIA_ROOT": media,
        "SITE_URL": "https://launchready.test",
        "CONSULTANT_PHONE": "+44 20 7946 0018",
        "HANDOVER_TSA_URL": "",
    }


@pytest.fixture(autouse=True)
def _handover_settings(settings, signer_files, tmp_path):
    for name, value in _settings_for(signer_files, tmp_path / "media").items():
        setattr(settings, name, value)


# ---------------------------------------------------------------- the issued handover
# Rendering and signing take about a second each time, and 22 tests only read what was
# issued. So the cast (consultant, client A, its founder), the full sprint and its signed
# handover are made once per session (per xdist worker), through the same services,
# inside a transaction that is then rolled back; what they wrote is kept as serialized
# rows plus the PDF's bytes. A test that asks for `issued` gets those rows loaded into its
# own transaction and the file under its own MEDIA_ROOT, and the cast fixtures below
# return the loaded rows, so `issued.sprint == full_sprint` and `consultant` signed it.


@dataclass(frozen=True)
class IssuedSnapshot:
    rows: str  # JSON from django.core.serializers
    file_name: str
    pdf: bytes
    pks: dict[str, int]


def _concrete_models() -> list:
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


@pytest.fixture(scope="session")
def _issued_snapshot(django_db_setup, django_db_blocker, signer_files, tmp_path_factory):
    media = tmp_path_factory.mktemp("snapshot-media")
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(**_settings_for(signer_files, media), PASSWORD_HASHERS=fast_hasher),
        transaction.atomic(),
    ):
        models = _concrete_models()
        before = {m: {row.pk for row in m._base_manager.all()} for m in models}
        consultant = make_consultant()
        client = make_client_a()
        founder = make_founder(client, consultant)
        sprint = services.sprint_start(client=client, by=consultant)
        build_full_sprint(sprint, client, consultant)
        issued = handover_issue(sprint=sprint, by=consultant)
        new_rows = [row for m in models for row in m._base_manager.all() if row.pk not in before[m]]
        snapshot = IssuedSnapshot(
            rows=serializers.serialize("json", new_rows),
            file_name=issued.file.name,
            pdf=issued.file.read(),
            pks={
                "consultant": consultant.pk,
                "client_a": client.pk,
                "founder": founder.pk,
                "sprint": sprint.pk,
                "issued": issued.pk,
            },
        )
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(autouse=True)
def _issued_cast(request, _handover_settings) -> dict | None:
    """Autouse, so the snapshot's rows are in before any other fixture takes their keys."""
    if "issued" not in request.fixturenames:
        return None
    snapshot = request.getfixturevalue("_issued_snapshot")
    request.getfixturevalue("db")
    for row in serializers.deserialize("json", snapshot.rows):
        row.save()
    path = Path(settings.MEDIA_ROOT) / snapshot.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(snapshot.pdf)
    user = get_user_model()
    return {
        "consultant": user.objects.get(pk=snapshot.pks["consultant"]),
        "client_a": Client.objects.get(pk=snapshot.pks["client_a"]),
        "founder": user.objects.get(pk=snapshot.pks["founder"]),
        "sprint": Sprint.objects.get(pk=snapshot.pks["sprint"]),
        "issued": IssuedHandover.objects.get(pk=snapshot.pks["issued"]),
    }


@pytest.fixture
def consultant(db, _issued_cast):
    return _issued_cast["consultant"] if _issued_cast else make_consultant()


@pytest.fixture
def client_a(db, _issued_cast):
    return _issued_cast["client_a"] if _issued_cast else make_client_a()


@pytest.fixture
def founder(client_a, consultant, _issued_cast):
    return _issued_cast["founder"] if _issued_cast else make_founder(client_a, consultant)


@pytest.fixture
def sprint_a(client_a, consultant, _issued_cast):
    if _issued_cast:
        return _issued_cast["sprint"]
    return services.sprint_start(client=client_a, by=consultant)


@pytest.fixture
def full_sprint(sprint_a, client_a, consultant, _issued_cast):
    """Client A at the handover stage with accounts, domains, findings and a decision."""
    if _issued_cast:
        return _issued_cast["sprint"]
    return build_full_sprint(sprint_a, client_a, consultant)


@pytest.fixture
def issued(_issued_cast):
    """Version 1 of the full sprint's signed handover (made once per session, see above)."""
    return _issued_cast["issued"]


def build_full_sprint(sprint_a, client_a, consultant):
    """Fill client A's sprint up to the handover stage (the `full_sprint` fixture's data)."""
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
