"""The network boundary against real loopback servers, hostile ones included."""

from __future__ import annotations

import pytest

from checks import net
from tests.checks.servers import WEB_IP, Response, add_good_domain


def test_dns_answers_from_the_test_zone(lab):
    lab.zone.add("acme.test", "A", "127.0.0.2")
    facts = net.dns_query("acme.test", "A")
    assert facts.status == "ok" and facts.records == ("127.0.0.2",)


def test_unknown_name_is_nxdomain_not_error(lab):
    facts = net.dns_query("nothing.acme.test", "A")
    assert facts.status == "nxdomain" and facts.error is None


def test_servfail_is_an_error_with_a_reason(lab):
    lab.zone.servfail.add("broken.test")
    facts = net.dns_query("broken.test", "A")
    assert facts.status == "error"
    assert "SERVFAIL" in facts.error


def test_silent_nameserver_ends_at_the_timeout_with_an_error(lab, settings):
    settings.LAUNCHREADY_DNS_NAMESERVERS = [f"127.0.0.1:{lab.silent.port}"]
    facts = net.dns_query("acme.test", "A", timeout=0.5)
    assert facts.status == "error"
    assert "no answer" in facts.error


def test_cname_chain_is_reported(lab):
    lab.zone.add("shop.acme.test", "CNAME", "shops.vendor.test")
    lab.zone.add("shops.vendor.test", "A", "127.0.0.2")
    facts = net.dns_query("shop.acme.test", "A")
    assert facts.cname_chain == ("shops.vendor.test",)
    assert facts.records == ("127.0.0.2",)


def test_guard_refuses_loopback_and_private_names_when_not_allowed(lab, settings):
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    lab.zone.add("sneaky.test", "A", "127.0.0.1")
    lab.zone.add("intranet.test", "A", "10.0.0.1")
    for host in ("sneaky.test", "intranet.test"):
        facts = net.http_request(f"http://{host}/")
        assert facts.status is None
        assert "refused to contact" in facts.error
    with pytest.raises(net.TargetRefused):
        net.guard_address("169.254.169.254")
    assert net.address_refusal("93.184.216.34") is None


def test_http_request_sets_host_and_never_follows_redirects(lab):
    add_good_domain(lab, "acme.test")
    facts = net.http_request("http://acme.test/a?b=1")
    assert facts.status == 301
    assert facts.header("location") == "https://acme.test/a?b=1"
    assert facts.peer_ip == WEB_IP


def test_https_request_verifies_against_the_test_ca_and_decodes_gzip(lab):
    add_good_domain(lab, "acme.test")
    facts = net.http_request("https://acme.test/")
    assert facts.error is None and facts.status == 200
    assert facts.content_encoding == "gzip"
    assert b"Welcome" in facts.body
    assert facts.tls.verified and "acme.test" in facts.tls.cert.sans


def test_drip_server_ends_at_the_deadline(lab):
    lab.zone.add("drip.test", "A", WEB_IP)
    lab.web.routes["drip.test"] = lambda req: Response(drip=True)
    facts = net.http_request("http://drip.test/", timeout=1.5)
    assert facts.status is None
    assert "deadline" in facts.error


def test_huge_body_stops_at_the_cap_with_an_error(lab):
    lab.zone.add("huge.test", "A", WEB_IP)
    lab.web.routes["huge.test"] = lambda req: Response(huge=50 * 1024 * 1024)
    facts = net.http_request("http://huge.test/", max_bytes=100_000)
    assert facts.status == 200
    assert facts.truncated and "larger than" in facts.error
    assert len(facts.body) == 100_000


def test_refused_port_is_an_error(lab, settings):
    lab.zone.add("acme.test", "A", WEB_IP)
    settings.LAUNCHREADY_HTTP_PORT = 9
    facts = net.http_request("http://acme.test/")
    assert facts.error == "connection refused"


@pytest.mark.parametrize(
    ("kind", "verified", "reason"),
    [
        ("valid", True, None),
        ("nointermediate", False, "unable to get local issuer"),
        ("expired", False, "expired"),
    ],
)
def test_tls_inspect_reports_trust(lab, kind, verified, reason):
    lab.zone.add("tls.test", "A", WEB_IP)
    lab.web.certs["tls.test"] = (("tls.test",), kind)
    facts = net.tls_inspect("tls.test")
    assert facts.error is None
    assert facts.verified is verified
    if reason:
        assert reason in facts.verify_error
    assert facts.cert.sans == ("tls.test",)


def test_tls_legacy_protocol_probe(lab):
    lab.zone.add("old.test", "A", WEB_IP)
    assert net.tls_accepts("old.test", "TLSv1") in (False, None)
    accepted = net.tls_accepts("old.test", "TLSv1", address="127.0.0.3")
    if accepted is None:
        pytest.skip("this OpenSSL build cannot speak TLS 1.0 at all")
    assert accepted is True


def _raw(lab, host: str, raw: bytes) -> None:
    lab.zone.add(host, "A", WEB_IP)
    lab.web.routes[host] = lambda req: Response(raw=raw)


def test_early_hints_before_the_answer_are_skipped(lab):
    _raw(
        lab,
        "hints.test",
        b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Real: yes\r\n\r\nhello",
    )
    facts = net.http_request("http://hints.test/")
    assert facts.error is None
    assert facts.status == 200 and facts.body == b"hello"
    assert facts.header("x-real") == "yes"


@pytest.mark.parametrize(
    "status_line", [b"HTTP/1.1 2OO OK", b"HTTP/1.1", b"SSH-2.0-OpenSSH_9.6", b"HTTP/1.1 99999 Big"]
)
def test_malformed_status_line_is_an_error_not_a_status(lab, status_line):
    _raw(lab, "bad.test", status_line + b"\r\nContent-Length: 2\r\n\r\nhi")
    facts = net.http_request("http://bad.test/")
    assert facts.status is None
    assert facts.error


def test_conflicting_content_lengths_are_an_error(lab):
    _raw(
        lab, "dup.test", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello"
    )
    facts = net.http_request("http://dup.test/")
    assert facts.status is None
    assert "Content-Length" in facts.error


def test_repeated_equal_content_length_is_read_once(lab):
    _raw(
        lab,
        "dup.test",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhelloEXTRA",
    )
    facts = net.http_request("http://dup.test/")
    assert facts.status == 200 and facts.body == b"hello"


def test_folded_header_lines_are_joined_not_dropped(lab):
    _raw(
        lab,
        "fold.test",
        b"HTTP/1.1 200 OK\r\nContent-Security-Policy: default-src 'self';\r\n"
        b"  script-src 'self'\r\nContent-Length: 2\r\n\r\nhi",
    )
    facts = net.http_request("http://fold.test/")
    assert facts.error is None
    assert facts.header("content-security-policy") == "default-src 'self'; script-src 'self'"


def test_a_body_posted_is_sent_with_its_length(lab):
    lab.zone.add("hook.test", "A", WEB_IP)
    seen = {}

    def handler(req):
        seen.update(req.headers, method=req.method)
        return Response(204)

    lab.web.routes["hook.test"] = handler
    facts = net.http_request(
        "http://hook.test/in",
        method="POST",
        content=b'{"a": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert facts.status == 204
    assert seen["method"] == "POST" and seen["content-length"] == "8"


def test_gzip_bomb_stops_decoding_at_the_cap(lab):
    import gzip

    _raw(
        lab,
        "bomb.test",
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
        % len(gzip.compress(b"0" * 5_000_000))
        + gzip.compress(b"0" * 5_000_000),
    )
    facts = net.http_request("http://bomb.test/", max_bytes=100_000)
    assert len(facts.body) <= 100_000
    assert "decoded body larger" in facts.error


def test_unicode_names_are_resolved_by_idna_2008_not_2003(lab):
    lab.zone.add("xn--fa-hia.test", "A", WEB_IP)  # faß.test
    lab.zone.add("fass.test", "A", "127.0.0.9")  # what IDNA 2003 would have asked for
    assert net.dns_query("faß.test", "A").records == (WEB_IP,)
    lab.web.routes["xn--fa-hia.test"] = lambda req: Response(200, [("X-Host", req.host)], b"ok")
    facts = net.http_request("http://faß.test/")
    assert facts.status == 200 and facts.header("x-host") == "xn--fa-hia.test"


def test_an_invalid_label_is_an_error_not_a_lookup(lab):
    facts = net.dns_query("a\u200db.test", "A")
    assert facts.status == "error" and "not a valid domain name" in facts.error
