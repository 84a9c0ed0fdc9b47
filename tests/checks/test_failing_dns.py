"""When the nameservers or the site fail, the audit ends and no check says "fine".

Sweeps: every result of a whole audit is looked at, so a check added tomorrow is
covered the day it is added. The only pass/warn allowed is one whose verdict needs no
network at all and says so (``evidence["network"] is False``)."""

from __future__ import annotations

import pytest

from checks.audit import DomainSpec, audit_domain
from checks.catalogue import CHECKS
from tests.checks.servers import add_good_domain

SPEC = DomainSpec(
    "acme.test",
    subdomains=("app.acme.test",),
    health_path="/healthz",
    redirects=(("http://acme.test/old", "https://acme.test/new"),),
    timeout=2.0,
)


def _resolver(lab, kind: str) -> str:
    port = lab.silent.port if kind == "black-hole" else lab.refusing_port
    return f"127.0.0.1:{port}"


def _confident(results):
    return [(r.check_id, r.target, r.summary) for r in results
            if r.status in ("pass", "warn") and r.evidence.get("network") is not False]


@pytest.mark.parametrize("kind", ["black-hole", "refusing"])
def test_no_check_passes_when_the_resolver_fails(lab, settings, kind):
    add_good_domain(lab, "acme.test", subdomains=("app",))  # the site is fine; DNS is not
    settings.LAUNCHREADY_DNS_NAMESERVERS = [_resolver(lab, kind)]
    results = audit_domain(SPEC)
    assert _confident(results) == []
    errors = [r for r in results if r.status == "error"]
    # Every check the audit would run for this spec reports, as error.
    needs_network = {r.check_id for r in results if r.evidence.get("network") is not False}
    assert {r.check_id for r in errors} == needs_network
    # The evidence says which resolver failed and how.
    how = "no answer" if kind == "black-hole" else "REFUSED"
    assert all(_resolver(lab, kind) in str(r.evidence) for r in errors)
    assert any(how in str(r.evidence) for r in errors)


def test_every_check_of_the_catalogue_reports_even_when_dns_fails(lab, settings):
    settings.LAUNCHREADY_DNS_NAMESERVERS = [_resolver(lab, "refusing")]
    seen = {r.check_id for r in audit_domain(SPEC)}
    # Only these need facts (an alias, a certificate, a redirect chain) that a failed
    # lookup never produces; the rest must say "could not tell", not be silent.
    follow_ups = {"dns.cname.dangling", "tls.hostname", "tls.expiry", "tls.legacy_protocols",
                  "redirect.https_upgrade", "redirect.hops", "redirect.preserves_path", "redirect.no_downgrade"}
    assert set(CHECKS) - follow_ups <= seen


def test_no_web_check_passes_when_the_site_refuses_connections(lab, settings):
    add_good_domain(lab, "acme.test", subdomains=("app",))
    settings.LAUNCHREADY_HTTP_PORT = settings.LAUNCHREADY_HTTPS_PORT = 9  # nothing listens
    results = audit_domain(SPEC)
    web = [c for c in _confident(results) if c[0].split(".")[0] in {"http", "redirect", "tls"} or c[0] == "dns.cloudflare"]
    assert web == []
    assert any(r.check_id == "http.cache_static" and r.status == "error" for r in results)
