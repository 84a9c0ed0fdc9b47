"""The browser's network stays inside the guard: every request of a run goes through the
run's proxy, which refuses private addresses (directly, after a redirect, for a
subresource), connects to the address it checked, and the run's Chromium is reaped."""

from __future__ import annotations

import http.client
import socket

import pytest

from checks.browser import process
from checks.browser.journey import StepSpec, run_journey
from checks.browser.proxy import GuardProxy
from tests.browser.sites import PRIVATE_IP, Site

pytestmark = pytest.mark.django_db


def _via_proxy(proxy: GuardProxy, url: str) -> http.client.HTTPResponse:
    port = int(proxy.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", url)
    return conn.getresponse()


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.0.0.3", "10.0.0.1", "192.168.1.1", "169.254.169.254", "[::1]", "0.0.0.0"],
)
def test_proxy_refuses_private_loopback_and_link_local(guard_on, address):
    with GuardProxy(deadline_s=10) as proxy:
        response = _via_proxy(proxy, f"http://{address}:9/")
        assert response.status == 403
        assert response.getheader("X-LaunchReady-Guard") == "refused"
    assert proxy.guard_refusals(), "the refusal is recorded for the run's facts"


def test_a_proxy_shared_by_a_job_gives_each_run_only_its_own_refusals(guard_on):
    with GuardProxy(deadline_s=10) as proxy:
        first = proxy.mark()
        assert _via_proxy(proxy, "http://10.0.0.1:9/").status == 403
        second = proxy.mark()
        assert _via_proxy(proxy, "http://192.168.1.1:9/").status == 403
        third = proxy.mark()
    assert [r.split(":")[0] for r in proxy.guard_refusals(first)] == ["10.0.0.1", "192.168.1.1"]
    assert [r.split(":")[0] for r in proxy.guard_refusals(second)] == ["192.168.1.1"]
    assert proxy.guard_refusals(third) == ()


def test_proxy_refuses_connect_tunnels_to_private_addresses(guard_on):
    with GuardProxy(deadline_s=10) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 403")


def test_proxy_forwards_to_the_allowed_address_only(guard_on, allowed_site):
    with GuardProxy(deadline_s=10) as proxy:
        ok = _via_proxy(proxy, allowed_site.url("/fast"))
        assert ok.status == 200 and b"Acme coaching" in ok.read()
        refused = _via_proxy(proxy, allowed_site.private.url("/"))
        assert refused.status == 403
    assert allowed_site.private.hits == {}


def test_with_the_guard_off_private_addresses_are_allowed(guard_on, allowed_site):
    guard_on.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = True
    with GuardProxy(deadline_s=10) as proxy:
        assert _via_proxy(proxy, allowed_site.private.url("/fast")).status == 200


def test_journey_aimed_at_loopback_is_refused(guard_on, tmp_path):
    own = Site("127.0.0.1")  # the worker's own machine, listening
    try:
        facts = run_journey(
            [StepSpec("visit", own.url("/fast"))], artefact_dir=tmp_path, step_timeout_s=5
        )
    finally:
        own.stop()
    assert not facts.ok and facts.failed_step == 1
    assert "guard" in facts.error
    assert facts.refused == (
        f"127.0.0.1:{own.port}: refused to contact 127.0.0.1: it is a loopback address",
    )
    assert facts.elapsed_ms == 0 and facts.screenshot is None  # refused before a browser started
    assert own.hits == {}


def test_journey_redirect_to_a_private_address_is_refused(guard_on, allowed_site, tmp_path):
    facts = run_journey(
        [StepSpec("visit", allowed_site.url("/to-private"))],
        artefact_dir=tmp_path,
        step_timeout_s=5,
    )
    assert not facts.ok and facts.failed_step == 1
    assert any(r.startswith(f"{PRIVATE_IP}:") for r in facts.refused)
    assert allowed_site.private.hits == {}
    assert allowed_site.hits["/to-private"] >= 1


def test_journey_subresource_from_a_private_address_is_refused(guard_on, allowed_site, tmp_path):
    facts = run_journey(
        [
            StepSpec("visit", allowed_site.url("/with-private-image")),
            StepSpec("expect_text", "Acme"),
        ],
        artefact_dir=tmp_path,
        step_timeout_s=5,
    )
    assert facts.ok, facts.error  # the page itself is allowed ...
    assert any(r.startswith(f"{PRIVATE_IP}:") for r in facts.refused)  # ... its image is not
    assert allowed_site.private.hits == {}


def test_a_run_past_its_deadline_is_stopped_and_reaped():
    # One child stays in the group; one leaves it (as chrome-launcher detaches Chromium).
    outcome = process.run(
        ["/bin/sh", "-c", "sleep 30 & setsid sleep 31 & wait"], env={}, deadline_s=1, memory_mb=512
    )
    assert outcome.timed_out and outcome.problem
    assert outcome.reaped >= 1  # the detached one, found by its token
    assert process.tagged_pids(outcome.token) == []


def test_a_run_over_its_memory_cap_is_stopped():
    hog = (
        "import time; b = bytearray(300 * 1024 * 1024); "
        "b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    )
    import sys

    outcome = process.run([sys.executable, "-c", hog], env={}, deadline_s=20, memory_mb=100)
    assert outcome.memory_exceeded and "memory" in outcome.problem


def test_no_process_of_a_run_survives_it(guard_on, allowed_site, tmp_path):
    """Every process of a run carries its token (Chromium included, whatever group it
    put itself in); once the run is over none is left."""
    facts = run_journey([StepSpec("visit", allowed_site.url("/fast"))], artefact_dir=tmp_path)
    assert facts.ok, facts.error
    assert facts.meta["token"]
    assert process.tagged_pids(facts.meta["token"]) == []
