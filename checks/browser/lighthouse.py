"""Probe: one Lighthouse audit of one URL, with Debian's Chromium behind the guard proxy.
Facts only (scores, metrics, opportunities in plain words, what the guard refused); the
verdict is checks/evaluation/perf.py's."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from checks.browser import process
from checks.browser.proxy import GuardProxy, page_refusal

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")

# Lighthouse's opportunity ids in words a founder can act on; unknown ones keep
# Lighthouse's own title.
PLAIN = {
    "render-blocking-resources": (
        "Scripts and stylesheets hold up the first paint: load scripts with defer or async "
        "and inline the little CSS the top of the page needs."
    ),
    "unused-javascript": (
        "The page downloads JavaScript it never runs: remove unused libraries or load them "
        "only where needed."
    ),
    "unused-css-rules": (
        "The page downloads CSS it never uses: trim the stylesheet or split it per page."
    ),
    "modern-image-formats": (
        "Serve images as WebP or AVIF: they are much smaller than JPEG or PNG at the same quality."
    ),
    "uses-optimized-images": "Compress images: they are heavier than they need to be.",
    "uses-responsive-images": (
        "Images are larger than the size they are shown at on a phone: serve smaller "
        "versions (srcset)."
    ),
    "offscreen-images": (
        'Images below the fold load straight away: lazy-load them (loading="lazy").'
    ),
    "uses-text-compression": (
        "Text files are sent uncompressed: switch on gzip or Brotli at the server or CDN."
    ),
    "server-response-time": (
        "The server is slow to send the first byte: cache the page or speed up the back end."
    ),
    "redirects": (
        "The page goes through redirects before it loads: link straight to the final address."
    ),
    "unminified-javascript": "JavaScript is not minified: minify it in the build.",
    "unminified-css": "CSS is not minified: minify it in the build.",
    "efficient-animated-content": "Animated GIFs are heavy: replace them with video.",
    "legacy-javascript": (
        "Old-browser JavaScript is sent to modern phones: drop needless polyfills."
    ),
    "duplicated-javascript": (
        "The same JavaScript module is shipped more than once: de-duplicate the bundles."
    ),
    "uses-rel-preconnect": "Connect early to the other sites the page needs (preconnect).",
    "prioritize-lcp-image": "The largest image is found late: preload it.",
    "total-byte-weight": "The page is heavy to download: cut images, fonts and scripts.",
    "font-display": "Text stays invisible while web fonts load: use font-display: swap.",
}


@dataclass(frozen=True)
class Opportunity:
    audit_id: str
    title: str
    plain: str
    savings_ms: int
    savings_bytes: int


@dataclass(frozen=True)
class LighthouseFacts:
    url: str
    form_factor: str
    scores: dict[str, int | None] = field(default_factory=dict)  # category id -> 0..100
    lcp_ms: int | None = None
    cls: float | None = None
    tbt_ms: int | None = None
    opportunities: tuple[Opportunity, ...] = ()
    refused: tuple[str, ...] = ()  # requests the guard refused (host:port: reason)
    error: str | None = None
    elapsed_s: float = 0.0
    report: bytes = field(default=b"", repr=False, compare=False)  # the JSON report

    @property
    def performance(self) -> int | None:
        return self.scores.get("performance")


def chrome_flags(proxy_url: str) -> list[str]:
    return [
        "--headless=new",
        "--no-sandbox",  # the worker runs as root in a container; the proxy is the boundary
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        f"--proxy-server={proxy_url}",
        "--proxy-bypass-list=<-loopback>",  # loopback too goes through the guard
    ]


# Audits whose output nothing here reads, skipped to save time: the filmstrip, the final
# and full-page screenshots (a base64 image each), the back/forward cache test (a second
# navigation) and the script treemap (source maps). None of them counts in a score.
SKIPPED_AUDITS = ("screenshot-thumbnails", "final-screenshot", "bf-cache", "script-treemap-data")


def lighthouse_argv(url: str, *, proxy_url: str, deadline_s: float, desktop: bool) -> list[str]:
    argv = [
        settings.BROWSER_LIGHTHOUSE_BIN,
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--skip-audits={','.join(SKIPPED_AUDITS)}",
        "--disable-full-page-screenshot",
        f"--max-wait-for-load={int(deadline_s * 1000 * 0.6)}",
        # Lighthouse splits this on spaces and keeps quotes, so no flag may need quoting.
        f"--chrome-flags={' '.join(chrome_flags(proxy_url))}",
    ]
    if desktop:
        argv.append("--preset=desktop")
    return argv


def audit(
    url: str,
    *,
    desktop: bool = False,
    deadline_s: float | None = None,
    proxy: GuardProxy | None = None,
) -> LighthouseFacts:
    """Run Lighthouse on ``url`` (mobile form factor and simulated throttling unless
    ``desktop``). Never raises for the page's faults: they come back as ``error``.
    A job auditing several pages passes its one ``proxy``; without one, the audit starts
    its own."""
    form = "desktop" if desktop else "mobile"
    refusal = page_refusal(url)
    if refusal:  # the proxy would refuse the page itself: no browser is started for it
        return LighthouseFacts(
            url=url,
            form_factor=form,
            refused=(refusal,),
            error=f"Lighthouse could not load the page: the network guard refused it ({refusal})",
        )
    deadline = float(deadline_s or settings.LIGHTHOUSE_DEADLINE_SECONDS)
    if proxy is None:
        with GuardProxy(deadline_s=deadline + 5) as own:
            return audit(url, desktop=desktop, deadline_s=deadline, proxy=own)
    mark = proxy.mark()
    argv = lighthouse_argv(url, proxy_url=proxy.url, deadline_s=deadline, desktop=desktop)
    env = process.tool_env(CHROME_PATH=settings.BROWSER_CHROMIUM_PATH)
    outcome = process.run(argv, env=env, deadline_s=deadline, memory_mb=settings.BROWSER_MEMORY_MB)
    return parse(url, form, outcome, proxy.guard_refusals(mark))


def parse(
    url: str, form: str, outcome: process.Outcome, refused: tuple[str, ...]
) -> LighthouseFacts:
    def facts(**found: Any) -> LighthouseFacts:
        return LighthouseFacts(
            url=url, form_factor=form, refused=refused, elapsed_s=outcome.elapsed_s, **found
        )

    if outcome.problem:
        return facts(error=outcome.problem)
    try:
        lhr = json.loads(outcome.stdout)
    except ValueError:
        tail = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        said = f"Lighthouse did not produce a report (exit {outcome.returncode}) {tail[0]}"
        return facts(error=said[:300])
    runtime = lhr.get("runtimeError") or {}
    if runtime.get("code") and runtime.get("code") != "NO_ERROR":
        reason = runtime.get("message") or runtime["code"]
        if refused and any(url_host_in(url, r) for r in refused):
            reason = f"the network guard refused the page ({refused[0]})"
        return facts(error=f"Lighthouse could not load the page: {reason}"[:300])
    categories = lhr.get("categories") or {}
    scores: dict[str, int | None] = {
        cid: (
            None
            if (categories.get(cid) or {}).get("score") is None
            else round(categories[cid]["score"] * 100)
        )
        for cid in CATEGORIES
    }
    audits = lhr.get("audits") or {}

    def numeric(audit_id: str) -> float | None:
        value = (audits.get(audit_id) or {}).get("numericValue")
        return None if value is None else float(value)

    lcp, cls, tbt = (
        numeric("largest-contentful-paint"),
        numeric("cumulative-layout-shift"),
        numeric("total-blocking-time"),
    )
    error = None
    if scores["performance"] is None:
        error = "Lighthouse could not compute a performance score for this page"
    return facts(
        scores=scores,
        lcp_ms=None if lcp is None else round(lcp),
        cls=None if cls is None else round(cls, 3),
        tbt_ms=None if tbt is None else round(tbt),
        opportunities=opportunities(audits),
        error=error,
        report=outcome.stdout,
    )


def url_host_in(url: str, refusal: str) -> bool:
    host = urlsplit(url).hostname or ""
    return refusal.startswith(f"{host}:")


def opportunities(audits: dict[str, Any]) -> tuple[Opportunity, ...]:
    """Lighthouse's opportunities that would save time, biggest saving first."""
    found = []
    for audit_id, audit in audits.items():
        details = audit.get("details") or {}
        if details.get("type") != "opportunity":
            continue
        score = audit.get("score")
        ms = float(details.get("overallSavingsMs") or 0)
        by = float(details.get("overallSavingsBytes") or 0)
        if score is not None and score >= 0.9 and ms < 50:
            continue
        if ms <= 0 and by <= 0:
            continue
        title = str(audit.get("title") or audit_id)
        found.append(Opportunity(audit_id, title, PLAIN.get(audit_id, title), round(ms), round(by)))
    found.sort(key=lambda o: (-o.savings_ms, -o.savings_bytes, o.audit_id))
    return tuple(found)
