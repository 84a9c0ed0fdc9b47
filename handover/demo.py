"""Demo data for the sprint `seed_demo` puts at the handover stage: what the checks,
monitoring and secrets apps would have recorded over a real sprint (two check runs,
monitors with a few days of history, the secrets inventory, environment map and
deploys), and the consultant's confirmation of every suggested passage, so the demo
handover has no "not recorded" section and passes the readiness gate."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User

from clients.models import Sprint

if TYPE_CHECKING:
    from checks.monitoring.models import Monitor, Rollup


def _results(
    client_domain: str, now: datetime, *, first: bool
) -> list[tuple[str, str, str, str, dict]]:
    apex, www, api = client_domain, f"www.{client_domain}", f"api.{client_domain}"
    expiry = (now + timedelta(days=74)).isoformat()
    return [
        (
            "dns.nameservers",
            apex,
            "pass",
            "DNS is run by Cloudflare.",
            {
                "nameservers": ["ada.ns.cloudflare.com", "rob.ns.cloudflare.com"],
                "provider": "Cloudflare",
            },
        ),
        (
            "dns.apex.resolves",
            apex,
            "pass",
            "Resolves to 104.21.32.7.",
            {"a": ["104.21.32.7"], "aaaa": [], "cname_chain": []},
        ),
        (
            "dns.www.resolves",
            www,
            "pass",
            "Resolves through an alias.",
            {"a": ["104.21.32.7"], "cname_chain": [apex]},
        ),
        ("dns.subdomain.resolves", api, "pass", "Resolves to 104.21.32.8.", {"a": ["104.21.32.8"]}),
        (
            "dns.cloudflare",
            apex,
            "pass",
            "Cloudflare runs the DNS and proxies the site.",
            {"cloudflare_nameservers": True, "proxied": True, "server": "cloudflare"},
        ),
        (
            "dns.caa",
            apex,
            "pass" if not first else "warn",
            "Only Let's Encrypt and Google Trust Services may issue certificates."
            if not first
            else "No CAA record: any certificate authority may issue for this domain.",
            {},
        ),
        ("redirect.canonical", apex, "pass", f"All variants end at https://{apex}/.", {}),
        (
            "redirect.https_upgrade",
            apex,
            "pass",
            "http:// upgrades to https:// on the same host.",
            {},
        ),
        (
            "tls.trusted",
            f"{apex} (104.21.32.7)",
            "pass",
            "The certificate chain is trusted.",
            {"host": apex, "issuer": "Google Trust Services WE1"},
        ),
        (
            "tls.expiry",
            f"{apex} (104.21.32.7)",
            "pass",
            "The certificate is valid for 74 more days.",
            {"host": apex, "not_after": expiry},
        ),
        (
            "tls.trusted",
            f"{api} (104.21.32.8)",
            "pass",
            "The certificate chain is trusted.",
            {"host": api, "issuer": "Google Trust Services WE1"},
        ),
        (
            "tls.expiry",
            f"{api} (104.21.32.8)",
            "pass",
            "The certificate is valid for 74 more days.",
            {"host": api, "not_after": expiry},
        ),
        (
            "http.hsts",
            f"https://{apex}/",
            "fail" if first else "pass",
            "No Strict-Transport-Security header."
            if first
            else "HSTS is set for a year, with subdomains.",
            {},
        ),
        ("http.csp", f"https://{apex}/", "pass", "A Content-Security-Policy is set.", {}),
        (
            "http.cache_static",
            f"https://{apex}/",
            "pass",
            "Static files are cached for 31536000 s.",
            {},
        ),
        (
            "http.cache_private",
            f"https://{apex}/",
            "pass",
            "The page sets no cookies, so public caching is safe.",
            {},
        ),
        (
            "http.health",
            f"https://{api}/health",
            "pass",
            "The health URL answers 200 in 180 ms.",
            {},
        ),
        ("email.mx", apex, "pass", "Mail is handled by Google Workspace.", {}),
        ("email.spf", apex, "pass", "SPF allows Google and Postmark and ends in -all.", {}),
        (
            "email.dmarc",
            apex,
            "warn" if first else "pass",
            "DMARC policy is p=none (monitor only)."
            if first
            else "DMARC policy is p=quarantine with reports.",
            {},
        ),
        ("email.dkim", apex, "pass", "DKIM key pm._domainkey is 2048-bit RSA.", {}),
    ]


def made_up_hour(
    monitor: Monitor, hour: int, *, latencies_ms: Iterable[float], failures: int
) -> Rollup:
    """One hour of a once-a-minute monitor's history, made up for demo and benchmark
    data: 60 probes, ``failures`` of them failed, ``latencies_ms`` those timed."""
    from checks.monitoring import histogram
    from checks.monitoring.models import Rollup

    return Rollup(
        monitor=monitor,
        hour=hour,
        total=60,
        failures=failures,
        histogram=histogram.encode(histogram.counts_from(latencies_ms)),
    )


def fill_demo_sprint(*, sprint: Sprint, by: User, now: datetime) -> None:
    """Only the sprint at the handover stage gets the full set."""
    if sprint.current_stage != 7:
        return
    from checks.models import CheckResult, CheckRun
    from checks.monitoring.models import Monitor, Rollup
    from checks.monitoring.services import epoch_hour
    from checks.secrets.models import DeployEvent, EnvVar, SecretRecord
    from handover.sections import build_handover
    from handover.services import draft_save

    client = sprint.client
    apex = (
        client.domains.filter(role="canonical").values_list("hostname", flat=True).first()
        or "example.com"
    )
    for first, at in (
        (True, sprint.started_at + timedelta(hours=1)),
        (False, now - timedelta(minutes=20)),
    ):
        run = CheckRun.objects.create(
            sprint=sprint, status="done", started_at=at, finished_at=at, requested_by=by
        )
        CheckResult.objects.bulk_create(
            CheckResult(run=run, check_id=c, target=t, status=st, summary=su, evidence=ev)
            for c, t, st, su, ev in _results(apex, at, first=first)
        )
    rng = random.Random(7)  # the same history on every seed
    for name, url, base in (
        ("Landing page", f"https://{apex}/", 160),
        ("Chat API health", f"https://api.{apex}/health", 230),
    ):
        monitor = Monitor.objects.create(
            client=client,
            sprint=sprint,
            name=name,
            url=url,
            interval_seconds=60,
            alert_emails=client.contact_email,
            next_due_at=now + timedelta(seconds=30),
            status="up",
            last_checked_at=now - timedelta(seconds=40),
            last_status_code=200,
            last_latency_ms=base + 12,
            created_by=by,
        )
        end = epoch_hour(now)
        rows = []
        for hour in range(end - 4 * 24, end):
            latencies = [rng.gauss(base, base / 5) for _ in range(60)]
            failures = 1 if rng.random() < 0.03 else 0
            rows.append(
                made_up_hour(
                    monitor,
                    hour,
                    latencies_ms=[max(20.0, x) for x in latencies],
                    failures=failures,
                )
            )
        Rollup.objects.bulk_create(rows)
    today = now.date()
    for name, kind, unlocks, detail, rotated in (
        (
            "OPENAI_API_KEY",
            "api_key",
            "Chat answers (billed per use)",
            "Render service 'askada-api'",
            True,
        ),
        (
            "DATABASE_URL",
            "database",
            "The conversation history database",
            "Render service 'askada-api'",
            False,
        ),
        (
            "POSTMARK_SERVER_TOKEN",
            "smtp",
            "Sending sign-in emails",
            "Render service 'askada-api'",
            False,
        ),
    ):
        SecretRecord.objects.create(
            client=client,
            name=name,
            kind=kind,
            unlocks=unlocks,
            storage="platform",
            storage_detail=detail,
            environments=["production", "staging"],
            owner=client.contact_name,
            last_rotated=today if rotated else today - timedelta(days=40),
            rotation_due=today + timedelta(days=180),
        )
    for name, envs, sensitive in (
        ("OPENAI_API_KEY", ["production", "staging"], True),
        ("DATABASE_URL", ["production", "staging"], True),
        ("POSTMARK_SERVER_TOKEN", ["production"], True),
        ("ALLOWED_ORIGINS", ["production", "staging"], False),
    ):
        EnvVar.objects.create(
            client=client,
            name=name,
            environments=envs,
            sensitive=sensitive,
            owner=client.contact_name,
        )
    for version, environment in (
        ("3f9a2c1", "staging"),
        ("3f9a2c1", "production"),
        ("8be41d0", "production"),
    ):
        DeployEvent.objects.create(
            client=client, environment=environment, version=version, result="ok", names_received=4
        )
    document = build_handover(sprint)
    confirm = {t.key: t.default for s in document.sections for t in s.texts.values() if t.default}
    draft_save(sprint=sprint, by=by, values={}, confirm=confirm)
