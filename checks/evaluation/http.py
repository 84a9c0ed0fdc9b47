"""HTTP verdicts: security headers, cookies, mixed content, caching, compression,
health and response time."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from checks.evaluation import Result, errored, failed, needs, passed, warned
from checks.net import HttpFacts
from checks.probes.web import Chain, Timing

SIX_MONTHS = 15_552_000  # 180 days, in seconds


def _max_age(value: str | None, key: str = "max-age") -> int | None:
    match = re.search(rf"(?:^|[;,\s]){key}\s*=\s*\"?(\d+)", value or "", re.I)
    return int(match.group(1)) if match else None


def hsts(target: str, page: HttpFacts, chains: list[Chain]) -> Result:
    """HSTS on the canonical page, and on https redirect responses too (a visitor's first
    https contact is often a redirect)."""
    if page.error:
        return errored("http.hsts", target, page.error)
    header = page.header("strict-transport-security")
    https_redirects = [
        h for c in chains for h in c.hops if h.url.startswith("https://") and h.location
    ]
    without = sorted({h.url.split("/")[2] for h in https_redirects if not h.hsts})
    ev: dict[str, Any] = {
        "header": header,
        "include_subdomains": bool(header and "includesubdomains" in header.lower()),
        "preload": bool(header and "preload" in header.lower()),
        "redirects_without_hsts": without,
    }
    if not header:
        return failed(
            "http.hsts", target, "No Strict-Transport-Security header on the canonical page.", **ev
        )
    age = _max_age(header)
    ev["max_age"] = age
    if age is None or age < SIX_MONTHS:
        return warned(
            "http.hsts",
            target,
            f"HSTS max-age is {age or 0} s; at least six months ({SIX_MONTHS} s) is the goal.",
            **ev,
        )
    if without:
        return warned(
            "http.hsts",
            target,
            f"HSTS is set on the page but not on the https redirects of {', '.join(without)}.",
            **ev,
        )
    extras = ", ".join(
        x
        for x, on in (("includeSubDomains", ev["include_subdomains"]), ("preload", ev["preload"]))
        if on
    )
    return passed(
        "http.hsts", target, f"HSTS max-age {age} s" + (f" with {extras}." if extras else "."), **ev
    )


def csp(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.csp", target, page.error)
    value = page.header("content-security-policy")
    report_only = page.header("content-security-policy-report-only")
    if not value:
        msg = (
            "Only a report-only CSP is set."
            if report_only
            else "No Content-Security-Policy header."
        )
        return warned("http.csp", target, msg, report_only=report_only)
    directives = {
        d.strip().split(" ", 1)[0].lower(): d.strip() for d in value.split(";") if d.strip()
    }
    script_policy = directives.get("script-src") or directives.get("default-src") or ""
    weak = [w for w in ("'unsafe-inline'", "'unsafe-eval'") if w in script_policy]
    if weak:
        return warned(
            "http.csp",
            target,
            f"CSP is set but allows {', '.join(weak)} for scripts.",
            header=value,
        )
    return passed("http.csp", target, "A Content-Security-Policy is set.", header=value)


def content_type_options(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.content_type_options", target, page.error)
    value = page.header("x-content-type-options")
    if value and value.strip().lower() == "nosniff":
        return passed(
            "http.content_type_options", target, "X-Content-Type-Options: nosniff is set."
        )
    return failed(
        "http.content_type_options",
        target,
        "X-Content-Type-Options: nosniff is missing.",
        header=value,
    )


def frame_options(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.frame_options", target, page.error)
    xfo = page.header("x-frame-options")
    policy = page.header("content-security-policy") or ""
    ev = {"x_frame_options": xfo, "frame_ancestors": "frame-ancestors" in policy}
    if "frame-ancestors" in policy or (xfo and xfo.strip().upper() in {"DENY", "SAMEORIGIN"}):
        return passed("http.frame_options", target, "Other sites cannot frame the page.", **ev)
    return failed(
        "http.frame_options",
        target,
        "No X-Frame-Options or CSP frame-ancestors: other sites can frame the page.",
        **ev,
    )


def referrer_policy(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.referrer_policy", target, page.error)
    value = (page.header("referrer-policy") or "").strip().lower()
    if not value:
        return warned(
            "http.referrer_policy",
            target,
            "No Referrer-Policy header (browsers default to strict-origin-when-cross-origin).",
        )
    if "unsafe-url" in value or value == "no-referrer-when-downgrade":
        return failed(
            "http.referrer_policy",
            target,
            f"Referrer-Policy {value} sends full addresses to other sites.",
            header=value,
        )
    return passed("http.referrer_policy", target, f"Referrer-Policy: {value}.", header=value)


def _cookies(page: HttpFacts) -> list[dict]:
    out = []
    for raw in page.header_all("set-cookie"):
        name = raw.split("=", 1)[0].strip()
        attrs = {
            part.strip().split("=", 1)[0].lower(): (
                part.split("=", 1)[1].strip() if "=" in part else True
            )
            for part in raw.split(";")[1:]
        }
        out.append(
            {
                "name": name,
                "secure": "secure" in attrs,
                "httponly": "httponly" in attrs,
                "samesite": attrs.get("samesite")
                if isinstance(attrs.get("samesite"), str)
                else None,
            }
        )
    return out


def cookies(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.cookies", target, page.error)
    found = _cookies(page)
    if not found:
        return passed("http.cookies", target, "The page sets no cookies.", cookies=[])
    insecure = [c["name"] for c in found if not c["secure"]]
    if insecure:
        return failed(
            "http.cookies", target, f"Cookies without Secure: {', '.join(insecure)}.", cookies=found
        )
    weak = [c["name"] for c in found if not c["httponly"] or not c["samesite"]]
    if weak:
        return warned(
            "http.cookies",
            target,
            f"Cookies missing HttpOnly or SameSite: {', '.join(weak)}.",
            cookies=found,
        )
    return passed(
        "http.cookies",
        target,
        f"{len(found)} cookie(s), all Secure, HttpOnly and SameSite.",
        cookies=found,
    )


class _Resources(HTMLParser):
    ACTIVE = {("script", "src"), ("iframe", "src"), ("object", "data"), ("embed", "src")}

    def __init__(self) -> None:
        super().__init__()
        self.active: list[str] = []
        self.passive: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        rel = (d.get("rel") or "").lower()
        for attr in ("src", "href", "data"):
            url = d.get(attr)
            if (
                not url
                or (tag == "a")
                or (
                    tag == "link"
                    and "stylesheet" not in rel
                    and "icon" not in rel
                    and "preload" not in rel
                )
            ):
                continue
            if url.lower().startswith("http://"):
                (self.active if (tag, attr) in self.ACTIVE else self.passive).append(url)
            if tag in {"script", "link", "img"}:
                self.assets.append(url)


def page_resources(page: HttpFacts) -> _Resources:
    parser = _Resources()
    parser.feed(page.text)
    parser.close()
    return parser


def mixed_content(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.mixed_content", target, page.error)
    res = page_resources(page)
    ev = {"scripts_and_frames": res.active[:20], "images_and_styles": res.passive[:20]}
    if res.active:
        return failed(
            "http.mixed_content",
            target,
            f"{len(res.active)} script(s) or frame(s) load over plain http; browsers block them.",
            **ev,
        )
    if res.passive:
        return warned(
            "http.mixed_content",
            target,
            f"{len(res.passive)} image(s) or style sheet(s) load over plain http.",
            **ev,
        )
    return passed("http.mixed_content", target, "Everything on the page loads over https.", **ev)


def cache_static(target: str, page: HttpFacts, asset: HttpFacts | None) -> Result:
    """Depends on the page (which lists the static files) and the first same-origin file."""
    missing = needs("http.cache_static", target, page=page, asset=asset)
    if missing:
        return missing
    if asset is None:
        return passed(
            "http.cache_static", target, "The page references no same-origin static files to check."
        )
    value = asset.header("cache-control") or ""
    age = _max_age(value) or _max_age(value, "s-maxage")
    ev = {"asset": asset.url, "cache_control": value, "status": asset.status}
    if asset.status != 200:
        return warned(
            "http.cache_static",
            target,
            f"The static file {asset.url} answered {asset.status}.",
            **ev,
        )
    if "no-store" in value.lower() or not age:
        return warned(
            "http.cache_static",
            target,
            f"{asset.url} is not cached (Cache-Control: {value or 'none'}).",
            **ev,
        )
    return passed("http.cache_static", target, f"Static files are cached for {age} s.", **ev)


def cache_private(target: str, page: HttpFacts) -> Result:
    if page.error:
        return errored("http.cache_private", target, page.error)
    value = (page.header("cache-control") or "").lower()
    ev = {"cache_control": value, "cookies": [c["name"] for c in _cookies(page)]}
    if not ev["cookies"]:
        return passed(
            "http.cache_private",
            target,
            "The page sets no cookies, so public caching is safe.",
            **ev,
        )
    shared = (
        "public" in value
        or _max_age(value, "s-maxage")
        or (_max_age(value) and "private" not in value and "no-store" not in value)
    )
    if shared:
        return failed(
            "http.cache_private",
            target,
            f"The page sets cookies but shared caches may store it (Cache-Control: {value}).",
            **ev,
        )
    return passed(
        "http.cache_private", target, "Pages that set cookies are not publicly cached.", **ev
    )


TEXT_TYPES = ("text/", "javascript", "json", "xml", "svg")
COMPRESSED = {"gzip", "br", "deflate", "zstd", "x-gzip"}
SMALL = 1024  # bytes: below this, compression saves nothing worth a round trip


def largest_text_asset(assets: list[HttpFacts]) -> HttpFacts | None:
    """The biggest CSS/JS/other text file among those fetched; one that failed counts,
    so its error reaches the verdict instead of being skipped."""
    text = [
        a
        for a in assets
        if a.error or any(t in (a.header("content-type") or "").lower() for t in TEXT_TYPES)
    ]
    return max(text, key=lambda a: (a.error is not None, len(a.body)), default=None)


def _compression_part(what: str, facts: HttpFacts) -> dict:
    encoding = (facts.content_encoding or "").lower()
    part = {
        "what": what,
        "url": facts.url,
        "content_encoding": encoding or None,
        "size": len(facts.body),
    }
    if encoding in COMPRESSED:
        return {**part, "status": "pass", "note": f"compressed ({encoding})"}
    if len(facts.body) < SMALL:
        return {**part, "status": "pass", "note": "too small to need compression"}
    return {**part, "status": "warn", "note": f"{len(facts.body) // 1024} KB sent uncompressed"}


def compression(target: str, page: HttpFacts, asset: HttpFacts | None = None) -> Result:
    """The page and the largest same-origin text asset, each a sub-result in the
    evidence: a server that compresses nothing is caught even when the page is small."""
    missing = needs("http.compression", target, page=page, asset=asset)
    if missing:
        return missing
    parts = [_compression_part("page", page)] + (
        [_compression_part("largest text asset", asset)] if asset else []
    )
    encoding = (page.content_encoding or "").lower()
    ev = {"content_encoding": encoding or None, "size": len(page.body), "parts": parts}
    bad = [p for p in parts if p["status"] == "warn"]
    if bad:
        return warned(
            "http.compression",
            target,
            "Sent uncompressed: " + "; ".join(f"{p['url']} ({p['note']})" for p in bad) + ".",
            **ev,
        )
    if encoding in COMPRESSED:
        return passed("http.compression", target, f"Pages are compressed ({encoding}).", **ev)
    return passed(
        "http.compression", target, "Nothing fetched is large enough to need compression.", **ev
    )


def health(target: str, facts: HttpFacts | None) -> Result:
    if facts is None:
        return warned(
            "http.health", target, "No health URL is declared for this domain.", network=False
        )
    if facts.error:
        return errored("http.health", facts.url, facts.error)
    if facts.status == 200:
        return passed("http.health", facts.url, f"Answers 200 in {facts.elapsed_ms:.0f} ms.")
    return failed(
        "http.health", facts.url, f"Answers {facts.status}, not 200.", status=facts.status
    )


def latency(timing: Timing, target_ms: int) -> Result:
    if timing.error:
        return errored("http.latency", timing.url, timing.error)
    p95, median = timing.p95_ms, timing.median_ms
    assert p95 is not None and median is not None  # set whenever error is not
    ev = {
        "samples_ms": [round(s) for s in timing.samples_ms],
        "median_ms": round(median),
        "p95_ms": round(p95),
        "target_p95_ms": target_ms,
    }
    if p95 <= target_ms:
        return passed(
            "http.latency",
            timing.url,
            f"p95 {p95:.0f} ms, median {median:.0f} ms (target {target_ms} ms).",
            **ev,
        )
    if p95 <= 2 * target_ms:
        return warned(
            "http.latency", timing.url, f"p95 {p95:.0f} ms is over the {target_ms} ms target.", **ev
        )
    return failed(
        "http.latency",
        timing.url,
        f"p95 {p95:.0f} ms is more than twice the {target_ms} ms target.",
        **ev,
    )
