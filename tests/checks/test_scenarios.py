"""Probes and evaluation together against loopback servers with things done wrong."""

from __future__ import annotations

import pytest

from checks import net
from checks.evaluation import Status
from checks.evaluation import redirects as redirect_eval
from checks.evaluation import tls as tls_eval
from checks.probes import web
from tests.checks.servers import WEB_IP, Response, add_good_domain


def _site(lab, host, handler):
    lab.zone.add(host, "A", WEB_IP)
    lab.web.routes[host] = handler


def test_redirect_loop_is_a_failure(lab):
    _site(
        lab,
        "loop.test",
        lambda req: Response(
            302, [("Location", "http://loop.test/a" if req.path != "/a" else "http://loop.test/")]
        ),
    )
    chain = web.follow("http://loop.test/")
    assert chain.loop
    assert redirect_eval.hops(chain).status == Status.FAIL


def test_downgrade_to_http_is_caught(lab):
    def handler(req):
        if req.scheme == "https":
            return Response(301, [("Location", f"http://down.test{req.path}")])
        return Response(200, [], b"plain")

    _site(lab, "down.test", handler)
    chain = web.follow("https://down.test/x")
    result = redirect_eval.no_downgrade(chain)
    assert result.status == Status.FAIL
    assert "back to plain http" in result.summary


def test_redirect_that_drops_the_path_fails(lab):
    def handler(req):
        if req.scheme == "http":
            return Response(301, [("Location", "https://drop.test/")])
        return Response(200, [], b"home")

    _site(lab, "drop.test", handler)
    result = redirect_eval.preserves_path(web.follow(f"http://drop.test{redirect_eval.PROBE_PATH}"))
    assert result.status == Status.FAIL


def test_two_hops_warn(lab):
    def handler(req):
        if req.scheme == "http":
            return Response(301, [("Location", f"https://two.test{req.path}")])
        if req.host == "two.test":
            return Response(301, [("Location", f"https://www.two.test{req.path}")])
        return Response(200, [], b"ok")

    _site(lab, "two.test", handler)
    _site(lab, "www.two.test", handler)
    lab.web.certs["two.test"] = lab.web.certs["www.two.test"] = (
        ("two.test", "www.two.test"),
        "valid",
    )
    chain = web.follow("http://two.test/p?q=1")
    result = redirect_eval.hops(chain)
    assert result.status == Status.WARN and result.evidence["count"] == 2
    assert redirect_eval.preserves_path(chain).status == Status.PASS


def test_redirect_to_a_private_address_is_refused(lab, settings):
    lab.zone.add("public.test", "A", "192.0.2.10")
    lab.zone.add("inside.test", "A", "10.0.0.1")
    _site(lab, "hop.test", lambda req: Response(302, [("Location", "http://inside.test/admin")]))
    chain = web.follow("http://hop.test/")  # allowed: hop.test is on loopback in the lab
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    second = net.http_request(chain.hops[0].location)
    assert "refused to contact 10.0.0.1" in second.error


@pytest.mark.parametrize(
    ("kind", "check", "status"),
    [
        ("expired", "expiry", Status.FAIL),
        ("expiring", "expiry", Status.FAIL),
        ("valid", "expiry", Status.PASS),
        ("wronghost", "hostname", Status.FAIL),
        ("nointermediate", "trusted", Status.FAIL),
        ("valid", "trusted", Status.PASS),
    ],
)
def test_certificate_scenarios(lab, kind, check, status):
    lab.zone.add("cert.test", "A", WEB_IP)
    lab.web.certs["cert.test"] = (("cert.test",), kind)
    facts = net.tls_inspect("cert.test")
    result = {
        "expiry": lambda: tls_eval.expiry(facts, net.now_utc()),
        "hostname": lambda: tls_eval.hostname(facts),
        "trusted": lambda: tls_eval.trusted(facts),
    }[check]()
    assert result.status == status, result.summary


def test_legacy_tls_server_fails_the_legacy_check(lab):
    lab.zone.add("legacy.test", "A", "127.0.0.3")
    accepted = net.tls_accepts("legacy.test", "TLSv1")
    if accepted is None:
        pytest.skip("this OpenSSL cannot offer TLS 1.0")
    assert tls_eval.legacy("legacy.test", accepted, None).status == Status.FAIL


def test_coverage_lists_names_the_certificate_misses(lab):
    add_good_domain(lab, "cov.test", subdomains=("app",))
    lab.web.certs["app.cov.test"] = (("cov.test", "www.cov.test"), "valid")
    certs = {n: net.tls_inspect(n) for n in ("cov.test", "www.cov.test", "app.cov.test")}
    result = tls_eval.coverage("cov.test", list(certs), certs)
    assert result.status == Status.FAIL
    assert result.evidence["missing"] == ["app.cov.test"]


def test_wildcard_matching_is_one_label():
    assert tls_eval.name_matches("app.acme.test", ("*.acme.test",))
    assert not tls_eval.name_matches("a.b.acme.test", ("*.acme.test",))
    assert not tls_eval.name_matches("acme.test", ("*.acme.test",))
