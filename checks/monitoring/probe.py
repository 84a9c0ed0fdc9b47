"""Monitoring's I/O, all through the checks' network boundary (checks/net.py): probe a
monitor's URL, and post a Slack-compatible JSON message to a webhook. Facts only; the
verdict is evaluation.judge's."""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from django.conf import settings

from checks import net
from checks.monitoring.evaluation import ProbeFacts, ProbeSpec

USER_AGENT = "LaunchReady-Monitor/1.0 (+uptime)"


def probe(spec: ProbeSpec) -> ProbeFacts:
    """One request with the monitor's method and timeout (a total deadline, enforced by
    the boundary), the size cap, and the private-address guard."""
    headers = {"User-Agent": USER_AGENT, "Cache-Control": "no-cache"}
    if spec.method == "POST":
        headers["Content-Length"] = "0"
    facts = net.http_request(
        spec.url,
        method=spec.method,
        timeout=float(spec.timeout_seconds),
        max_bytes=settings.MONITOR_MAX_BYTES,
        headers=headers,
    )
    error = facts.error
    if error and facts.truncated and facts.status is not None and "larger than" in error:
        error = None  # a big page is still an answer; expected text is looked for in the part read
    cert = facts.tls.cert if facts.tls is not None else None
    return ProbeFacts(
        status=facts.status,
        elapsed_ms=facts.elapsed_ms,
        body=facts.body,
        error=error,
        cert_not_before=cert.not_before if cert else None,
        cert_not_after=cert.not_after if cert else None,
    )


def probe_many(
    specs: list[ProbeSpec], *, workers: int, started: dict[int, float] | None = None
) -> dict[int, ProbeFacts]:
    """Probe concurrently with at most `workers` threads. Each probe carries its own
    deadline, so one slow site holds one thread, never the batch. `started` (monotonic
    seconds per monitor id) is filled in for the benchmark's lag measurement."""
    if not specs:
        return {}
    longest = max(spec.timeout_seconds for spec in specs)

    def run(spec: ProbeSpec) -> ProbeFacts:
        if started is not None:
            started[spec.monitor_id] = time.time()
        try:
            return probe(spec)
        except Exception as exc:  # a bug in one probe must not lose the batch's results
            return ProbeFacts(None, None, b"", f"probe failed: {exc.__class__.__name__}: {exc}")

    results: dict[int, ProbeFacts] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(specs)))) as pool:
        futures = {pool.submit(run, spec): spec for spec in specs}
        # Queueing behind other probes adds to the wall time, not to any probe's deadline.
        batches = -(-len(specs) // max(1, workers))
        done, _ = wait(futures, timeout=(longest + 5) * batches)
        for future, spec in futures.items():
            if future in done:
                results[spec.monitor_id] = future.result()
            else:
                results[spec.monitor_id] = ProbeFacts(
                    None, None, b"", f"timed out: no answer within {spec.timeout_seconds} s"
                )
    return results


# ---------------------------------------------------------------- webhooks


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the guard approved, never re-resolving the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, address=address, timeout=timeout)
        self._context = ssl.create_default_context()
        if net.ca_bundle():
            self._context.load_verify_locations(cafile=net.ca_bundle())

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def post_json(url: str, payload: dict, *, timeout: float = 5.0) -> str:
    """POST `payload` as JSON; returns "HTTP <status>" or a plain error. The name is
    resolved and guarded by the boundary; no redirects are followed.

    checks/net.http_request sends no request body, hence this small sender built on the
    boundary's resolver and guard."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        return f"not an http(s) URL: {url}"
    try:
        if _is_ip(host):
            address = host
        else:
            facts = net.resolve_addresses(host, timeout=min(timeout, 3.0))
            if not facts.addresses:
                return facts.error or f"{host} does not resolve"
            address = facts.addresses[0]
        reason = net.address_refusal(address)
        if reason:
            return reason
        https = parts.scheme == "https"
        port = parts.port or (net.https_port() if https else net.http_port())
        cls = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
        conn = cls(host, port, address=address, timeout=timeout)
        body = json.dumps(payload).encode("utf-8")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
            )
            response = conn.getresponse()
            response.read(65536)
            return f"HTTP {response.status}"
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return f"webhook failed: {exc.__class__.__name__}: {exc}"
