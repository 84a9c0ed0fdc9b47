"""When the nameservers fail, the audit ends quickly and no check says "fine"."""

from __future__ import annotations

import pytest

from checks.audit import DomainSpec, audit_domain
from checks.catalogue import CHECKS
from tests.checks.servers import add_good_domain

# Checks whose verdict needs no network at all, and say so in their evidence.
NETWORK_FREE = {"email.dkim"}


def _resolver(lab, kind: str) -> str:
    port = lab.silent.port if kind == "black-hole" else lab.refusing_port
    return f"127.0.0.1:{port}"


@pytest.mark.parametrize("kind", ["black-hole", "refusing"])
def test_no_check_passes_when_the_resolver_fails(lab, settings, kind):
    add_good_domain(lab, "acme.test", subdomains=("app",))  # the site is fine; DNS is not
    settings.LAUNCHREADY_DNS_NAMESERVERS = [_resolver(lab, kind)]
    spec = DomainSpec("acme.test", subdomains=("app.acme.test",), health_path="/healthz",
                      redirects=(("http://acme.test/old", "https://acme.test/new"),), timeout=2.0)
    results = audit_domain(spec)
    confident = [(r.check_id, r.target, r.summary) for r in results
                 if r.status in ("pass", "warn") and r.check_id not in NETWORK_FREE]
    assert confident == []
    errors = [r for r in results if r.status == "error"]
    assert errors, results
    # The evidence says which resolver failed and how.
    assert any(_resolver(lab, kind) in str(r.evidence) for r in errors)
    assert {r.check_id for r in results} >= set(CHECKS) - {"dns.cname.dangling", "tls.hostname", "tls.expiry", "tls.legacy_protocols", "redirect.https_upgrade", "redirect.hops", "redirect.preserves_path", "redirect.no_downgrade"}
