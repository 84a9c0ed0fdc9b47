"""Web probes: redirect chains followed hop by hop by our own code, and repeated
requests for response-time samples."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from checks import net

MAX_HOPS = 10


@dataclass(frozen=True)
class Hop:
    url: str
    status: int | None
    location: str | None
    hsts: str | None
    error: str | None


@dataclass(frozen=True)
class Chain:
    start: str
    hops: tuple[Hop, ...]
    final: net.HttpFacts | None  # the last response (not a redirect), when one arrived
    loop: bool = False
    too_long: bool = False

    @property
    def error(self) -> str | None:
        if self.loop or self.too_long:
            return None
        return self.hops[-1].error if self.hops and self.hops[-1].error else None

    @property
    def final_url(self) -> str | None:
        if self.loop or self.too_long or self.final is None or self.final.error:
            return None
        return self.hops[-1].url

    @property
    def redirects(self) -> int:
        return sum(1 for h in self.hops if h.location)


def follow(url: str, *, timeout: float = 5.0, max_bytes: int = 1_000_000) -> Chain:
    """Follow redirects from ``url``; every hop is its own guarded request, so a redirect
    to a private address is refused like any other target."""
    hops: list[Hop] = []
    seen: set[str] = set()
    current = url
    for _ in range(MAX_HOPS + 1):
        if current in seen:
            return Chain(url, tuple(hops), None, loop=True)
        seen.add(current)
        facts = net.http_request(current, timeout=timeout, max_bytes=max_bytes)
        location = facts.header("location") if facts.status and 300 <= facts.status < 400 else None
        target = urljoin(current, location) if location else None
        hops.append(
            Hop(
                current,
                facts.status,
                target,
                facts.header("strict-transport-security"),
                facts.error,
            )
        )
        if target is None or facts.error:
            return Chain(url, tuple(hops), facts)
        if urlsplit(target).scheme not in {"http", "https"}:
            return Chain(url, tuple(hops), facts)
        current = target
    return Chain(url, tuple(hops), None, too_long=True)


@dataclass(frozen=True)
class Timing:
    url: str
    samples_ms: tuple[float, ...]
    statuses: tuple[int | None, ...]
    error: str | None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples_ms) if self.samples_ms else None

    @property
    def p95_ms(self) -> float | None:
        if not self.samples_ms:
            return None
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_requests(url: str, *, count: int = 5, timeout: float = 5.0) -> Timing:
    """``count`` sequential GETs; an error on any of them makes the timing unusable."""
    samples, statuses = [], []
    for _ in range(count):
        facts = net.http_request(url, timeout=timeout)
        if facts.error:
            return Timing(url, tuple(samples), tuple(statuses), facts.error)
        samples.append(facts.elapsed_ms)
        statuses.append(facts.status)
    return Timing(url, tuple(samples), tuple(statuses), None)
