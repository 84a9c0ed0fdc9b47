"""When the nameservers or the site fail, the audit ends and no check says "fine".

Sweeps: every result of a whole audit is looked at, so a check added tomorrow is
covered the day it is added. The only pass/warn allowed is one whose verdict needs no
network at all and says so (``evidence["network"] is False``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from checks import net
from checks.audit import DomainSpec, audit_domain
from checks.catalogue import CHECKS
from checks.evaluation import Status
from checks.evaluation import dns as dns_eval
from checks.evaluation import email as email_eval
from checks.evaluation import http as http_eval
from checks.evaluation.dmarc import DmarcFacts, evaluate
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
    return [
        (r.check_id, r.target, r.summary)
        for r in results
        if r.status in ("pass", "warn") and r.evidence.get("network") is not False
    ]


@pytest.mark.parametrize("kind", ["black-hole", "refusing"])
def test_no_check_passes_when_the_resolver_fails(lab, settings, kind):
    add_good_domain(lab, "acme.test", subdomains=("app",))  # the site is fine; DNS is not
    settings.LAUNCHREADY_DNS_NAMESERVERS = [_resolver(lab, kind)]
    # Nothing but the resolver is contacted, so a 1 s timeout is plenty; the silent one
    # makes the audit wait it out.
    results = audit_domain(replace(SPEC, timeout=1.0))
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
    follow_ups = {
        "dns.cname.dangling",
        "tls.hostname",
        "tls.expiry",
        "tls.legacy_protocols",
        "redirect.https_upgrade",
        "redirect.hops",
        "redirect.preserves_path",
        "redirect.no_downgrade",
    }
    # Page-speed checks run in a browser job of their own (tests/browser), not in the audit.
    browser_runs = {check_id for check_id, info in CHECKS.items() if info.family == "perf"}
    assert browser_runs == {"perf.lighthouse"}
    assert set(CHECKS) - follow_ups - browser_runs <= seen


def test_no_web_check_passes_when_the_site_refuses_connections(lab, settings):
    add_good_domain(lab, "acme.test", subdomains=("app",))
    settings.LAUNCHREADY_HTTP_PORT = settings.LAUNCHREADY_HTTPS_PORT = 9  # nothing listens
    results = audit_domain(SPEC)
    web = [
        c
        for c in _confident(results)
        if c[0].split(".")[0] in {"http", "redirect", "tls"} or c[0] == "dns.cloudflare"
    ]
    assert web == []
    assert any(r.check_id == "http.cache_static" and r.status == "error" for r in results)


# ------------------------------------------------------------ the evaluation rules, one by one

TIMEOUT = "no answer from the DNS servers (192.0.2.53:53) within 2 s"


def test_forgotten_subdomains_is_error_when_a_lookup_could_not_tell():
    ok = net.DnsFacts("lr-x.acme.test", "A", "nxdomain")
    failed_lookup = net.DnsFacts("staging.acme.test", "A", "error", error=TIMEOUT)
    result = dns_eval.undeclared("acme.test", {}, ok, [ok, failed_lookup])
    assert result.status == Status.ERROR and result.evidence["failed_input"] == "lookups"


def test_static_caching_is_error_when_the_page_could_not_be_fetched():
    page = net.HttpFacts("https://acme.test/", error="connection refused")
    result = http_eval.cache_static("https://acme.test/", page, None)
    assert result.status == Status.ERROR and "connection refused" in result.summary


def test_compression_is_error_when_the_largest_asset_could_not_be_fetched():
    page = net.HttpFacts("https://acme.test/", status=200, body=b"x" * 100, content_encoding=None)
    asset = net.HttpFacts("https://acme.test/app.js", error="gave up after the 5 s deadline")
    assert http_eval.compression("https://acme.test/", page, asset).status == Status.ERROR


def test_small_page_with_an_uncompressed_big_asset_warns():
    page = net.HttpFacts("https://acme.test/", status=200, body=b"x" * 100)
    asset = net.HttpFacts(
        "https://acme.test/app.js",
        status=200,
        body=b"x" * 50_000,
        headers=(("Content-Type", "application/javascript"),),
    )
    result = http_eval.compression(
        "https://acme.test/", page, http_eval.largest_text_asset([asset])
    )
    assert result.status == Status.WARN
    assert [p["status"] for p in result.evidence["parts"]] == ["pass", "warn"]


def test_dmarc_is_error_when_a_report_authorisation_lookup_failed():
    facts = DmarcFacts(
        "acme.test",
        "_dmarc.acme.test",
        ("v=DMARC1; p=reject; rua=mailto:r@other.test",),
        None,
        {"other.test": None},
    )
    assert evaluate(facts).status == Status.ERROR


def test_mta_sts_is_error_when_the_policy_host_timed_out_but_warns_when_it_does_not_exist():
    txt = net.DnsFacts("_mta-sts.acme.test", "TXT", "ok", records=("v=STSv1; id=1",))
    timed_out = net.HttpFacts(
        "https://mta-sts.acme.test/.well-known/mta-sts.txt", error="gave up after the 5 s deadline"
    )
    missing = net.HttpFacts(
        "https://mta-sts.acme.test/.well-known/mta-sts.txt",
        error="mta-sts.acme.test does not resolve to any address",
    )
    assert email_eval.mta_sts("acme.test", txt, timed_out).status == Status.ERROR
    assert email_eval.mta_sts("acme.test", txt, missing).status == Status.WARN


def test_a_slow_site_is_cut_at_the_audit_deadline_and_reported_as_error(lab, settings):
    from tests.checks.servers import good_site

    add_good_domain(lab, "acme.test")
    for name in ("acme.test", "www.acme.test"):
        lab.web.routes[name] = good_site("acme.test", latency=30)  # would hold every request
    settings.CHECKS_AUDIT_DEADLINE_SECONDS = 1
    results = audit_domain(DomainSpec("acme.test", timeout=20.0))
    web = [
        r
        for r in results
        if r.check_id.split(".")[0] in {"http", "redirect"}
        and r.evidence.get("network") is not False
    ]
    assert web and all(r.status == "error" for r in web), [(r.check_id, r.status) for r in web]
    assert any("deadline" in r.summary for r in web)
    # DNS answered in time, so those verdicts stand.
    assert next(r for r in results if r.check_id == "dns.apex.resolves").status == "pass"
