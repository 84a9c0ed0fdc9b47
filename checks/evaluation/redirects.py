"""Redirect verdicts from followed chains."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from checks.evaluation import Result, errored, failed, passed, warned
from checks.probes.web import Chain

PROBE_PATH = "/launchready-check/deep/page?lr_probe=1&utm_source=launchready"


def _hops_evidence(chain: Chain) -> list[str]:
    return [
        f"{h.status or 'error'} {h.url}" + (f" → {h.location}" if h.location else "")
        for h in chain.hops
    ]


def canonical(apex: str, chains: list[Chain], expected_host: str | None = None) -> Result:
    """All entry points must end at one URL (ignoring the probe path, which they should keep)."""
    evidence: dict[str, Any] = {"chains": {c.start: _hops_evidence(c) for c in chains}}
    broken = [c for c in chains if c.error]
    if broken:
        return errored(
            "redirect.canonical", apex, f"{broken[0].start}: {broken[0].error}", **evidence
        )
    loops = [c.start for c in chains if c.loop or c.too_long]
    if loops:
        return failed(
            "redirect.canonical",
            apex,
            f"Redirect loop or endless chain from {', '.join(loops)}.",
            **evidence,
        )
    finals = {c.final_url for c in chains if c.final_url}
    origins = {_origin(url) for url in finals}
    evidence["final_urls"] = sorted(finals)
    if len(origins) > 1:
        return failed(
            "redirect.canonical",
            apex,
            f"The entry points end at {len(origins)} different addresses: "
            f"{', '.join(sorted(origins))}.",
            **evidence,
        )
    origin = origins.pop()
    if not origin.startswith("https://"):
        return failed(
            "redirect.canonical", apex, f"The canonical address {origin} is not https.", **evidence
        )
    bad = [
        c.start
        for c in chains
        if c.final and c.final.status and c.final.status >= 400 and c.final.status != 404
    ]
    if bad:
        return failed(
            "redirect.canonical",
            apex,
            f"The canonical address answers {chains[0].final.status if chains[0].final else '?'}.",
            **evidence,
        )
    if expected_host and urlsplit(origin).hostname != expected_host:
        return warned(
            "redirect.canonical",
            apex,
            f"Everything ends at {origin}, but the declared canonical name is {expected_host}.",
            **evidence,
        )
    return passed(
        "redirect.canonical",
        apex,
        f"All four entry points end at {origin}.",
        canonical=origin,
        **evidence,
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def https_upgrade(chain: Chain) -> Result:
    first = chain.hops[0]
    if first.error:
        return errored("redirect.https_upgrade", chain.start, first.error)
    host = urlsplit(chain.start).hostname
    target = urlsplit(first.location or "")
    ev = {"first_hop": _hops_evidence(chain)[:1]}
    if not first.location:
        return failed(
            "redirect.https_upgrade",
            chain.start,
            f"http answers {first.status} instead of redirecting to https.",
            **ev,
        )
    if target.scheme == "https" and target.hostname == host:
        return passed(
            "redirect.https_upgrade",
            chain.start,
            "The first hop upgrades to https on the same name.",
            **ev,
        )
    if target.scheme == "https":
        return warned(
            "redirect.https_upgrade",
            chain.start,
            f"The first hop goes to https but on another name ({target.hostname}); HSTS on {host} "
            "is never seen.",
            **ev,
        )
    return failed(
        "redirect.https_upgrade", chain.start, "The first hop does not go to https.", **ev
    )


def hops(chain: Chain) -> Result:
    ev = {"hops": _hops_evidence(chain)}
    if chain.loop:
        return failed("redirect.hops", chain.start, "The redirects go round in a loop.", **ev)
    if chain.too_long:
        return failed("redirect.hops", chain.start, "More than 10 redirects; gave up.", **ev)
    if chain.error:
        return errored("redirect.hops", chain.start, chain.error, **ev)
    n = chain.redirects
    if n <= 1:
        return passed(
            "redirect.hops",
            chain.start,
            f"{n} redirect{'s' if n != 1 else ''} to the final page.",
            count=n,
            **ev,
        )
    if n == 2:
        return warned(
            "redirect.hops",
            chain.start,
            "Two redirects before the final page; one is the goal.",
            count=n,
            **ev,
        )
    if n == 3:
        return warned(
            "redirect.hops",
            chain.start,
            "Three redirects before the final page; one is the goal.",
            count=n,
            **ev,
        )
    return failed(
        "redirect.hops", chain.start, f"{n} redirects before the final page.", count=n, **ev
    )


def preserves_path(chain: Chain) -> Result:
    if chain.error or chain.loop or chain.too_long or chain.final_url is None:
        return errored(
            "redirect.preserves_path", chain.start, chain.error or "the chain did not end"
        )
    start, end = urlsplit(chain.start), urlsplit(chain.final_url)
    ev = {"from": chain.start, "to": chain.final_url}
    if chain.redirects == 0:
        return passed(
            "redirect.preserves_path",
            chain.start,
            "No redirect: the page is served where asked.",
            **ev,
        )
    if end.path.rstrip("/") != start.path.rstrip("/"):
        return failed(
            "redirect.preserves_path",
            chain.start,
            f"The path {start.path} became {end.path or '/'}.",
            **ev,
        )
    if sorted(start.query.split("&")) != sorted(end.query.split("&")) if end.query else start.query:
        return failed(
            "redirect.preserves_path",
            chain.start,
            "The query string (e.g. campaign codes) was dropped or changed.",
            **ev,
        )
    return passed(
        "redirect.preserves_path", chain.start, "Path and query string survive the redirects.", **ev
    )


def no_downgrade(chain: Chain) -> Result:
    ev = {"hops": _hops_evidence(chain)}
    seen_https = False
    for hop in chain.hops:
        scheme = urlsplit(hop.url).scheme
        seen_https = seen_https or scheme == "https"
        if seen_https and hop.location and urlsplit(hop.location).scheme == "http":
            return failed(
                "redirect.no_downgrade",
                chain.start,
                f"{hop.url} redirects back to plain http ({hop.location}).",
                **ev,
            )
    if chain.error:
        return errored("redirect.no_downgrade", chain.start, chain.error, **ev)
    return passed(
        "redirect.no_downgrade", chain.start, "No step goes from https back to http.", **ev
    )


def declared(source: str, expected: str, chain: Chain) -> Result:
    """A declared old/campaign URL must permanently redirect to its declared target."""
    ev = {"hops": _hops_evidence(chain), "expected": expected}
    if chain.error:
        return errored("redirect.declared", source, chain.error, **ev)
    if chain.loop or chain.too_long:
        return failed("redirect.declared", source, "The redirect loops.", **ev)
    first = chain.hops[0]
    final = chain.final_url or ""
    if not first.location:
        return failed(
            "redirect.declared",
            source,
            f"It answers {first.status} instead of redirecting to {expected}.",
            **ev,
        )
    if _norm(final) != _norm(expected):
        return failed("redirect.declared", source, f"It ends at {final}, not at {expected}.", **ev)
    if first.status not in (301, 308):
        return warned(
            "redirect.declared",
            source,
            f"It redirects with {first.status}; use a permanent 301 or 308 so search engines "
            "follow.",
            **ev,
        )
    return passed("redirect.declared", source, f"Redirects permanently to {expected}.", **ev)


def _norm(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{parts.path.rstrip('/') or ''}" + (
        f"?{parts.query}" if parts.query else ""
    )
