"""Monitoring's I/O, all through the checks' network boundary (checks/net.py): probe a
monitor's URL, and post a Slack-compatible JSON message to a webhook. Facts only; the
verdict is evaluation.judge's. A journey monitor runs its steps in a browser instead
(checks/browser), behind the same guard."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings

from checks import net
from checks.monitoring.evaluation import ProbeFacts, ProbeSpec

USER_AGENT = "LaunchReady-Monitor/1.0 (+uptime)"


def probe(spec: ProbeSpec) -> ProbeFacts:
    """One request with the monitor's method and timeout (a total deadline, enforced by
    the boundary), the size cap, and the private-address guard."""
    if spec.kind == "journey":
        from checks.browser.journeys import journey_probe

        return journey_probe(spec)
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
    longest = max(
        settings.JOURNEY_DEADLINE_SECONDS + 10 if spec.kind == "journey" else spec.timeout_seconds
        for spec in specs
    )

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


def post_json(url: str, payload: dict, *, timeout: float = 5.0) -> str:
    """POST `payload` as JSON through the boundary (resolved and guarded address, one
    total deadline, no redirects followed); returns "HTTP <status>" or a plain error."""
    facts = net.http_request(
        url,
        method="POST",
        timeout=timeout,
        max_bytes=65536,
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        content=json.dumps(payload).encode("utf-8"),
    )
    if facts.status is not None:
        return f"HTTP {facts.status}"
    if facts.error and facts.error.startswith(("not an http", "refused to contact")):
        return facts.error
    return f"webhook failed: {facts.error}"
