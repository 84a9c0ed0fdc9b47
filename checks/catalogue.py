"""Every automated check: its stable id, where it belongs in the sprint, how much a
failure matters for launch, and the plain-language advice a founder reads.
docs/checks.md describes the same ids in more detail."""

from __future__ import annotations

from dataclasses import dataclass

from clients.models import Impact

B, T, C = Impact.BLOCKER, Impact.TRUST, Impact.CLEANUP


@dataclass(frozen=True)
class CheckInfo:
    check_id: str
    title: str
    stage_key: str  # the playbook stage a finding is filed under
    impact: str  # impact of a failure; warnings are filed as cleanup
    advice: str
    family: str
    depends: tuple[str, ...] = ()  # the facts its verdict needs; any of them an error -> error
    plain: str = ""  # what a founder reads: the goal in everyday words, never the id


_ROWS = [
    # DNS
    (
        "dns.apex.resolves",
        "Main domain resolves",
        "dns",
        B,
        "Your main domain name does not point at a server, so visitors typing it see an error. Add "
        "an A (or AAAA) record at your DNS provider.",
    ),
    (
        "dns.www.resolves",
        "www resolves",
        "dns",
        B,
        "People often type www in front of your domain. Make www point at your site too, so it can "
        "redirect to the main address.",
    ),
    (
        "dns.subdomain.resolves",
        "Declared subdomains resolve",
        "dns",
        B,
        "A part of your product (such as app or api) has a name that does not point anywhere, so "
        "it "
        "cannot be reached.",
    ),
    (
        "dns.subdomain.undeclared",
        "No forgotten subdomains",
        "deploy",
        C,
        "We found names under your domain that nobody told us about (for example an old staging "
        "site). Check each one: delete it or protect it.",
    ),
    (
        "dns.cname.dangling",
        "No dangling aliases",
        "dns",
        B,
        "A name under your domain is an alias for a service that no longer exists. Someone else "
        "could claim that service and show their content on your domain. Remove the record.",
    ),
    (
        "dns.nameservers",
        "Nameservers known",
        "dns",
        C,
        "We list who runs your DNS so you know which account controls your domain's records.",
    ),
    (
        "dns.cloudflare",
        "Cloudflare use detected",
        "edge",
        C,
        "Shows whether your traffic goes through Cloudflare, so settings there are checked too.",
    ),
    (
        "dns.caa",
        "Certificate authorities restricted",
        "dns",
        C,
        "A CAA record says which companies may issue certificates for your domain. Without one, "
        "any "
        "certificate authority may; adding one is a small extra safeguard.",
    ),
    # Redirects
    (
        "redirect.canonical",
        "One canonical address",
        "dns",
        B,
        "Your site answers at more than one address (with or without www, http or https). Pick one "
        "and redirect the others to it, so links, logins and search ranking all use the same "
        "address.",
    ),
    (
        "redirect.https_upgrade",
        "http upgrades to https",
        "edge",
        B,
        "Visitors who type your address without https are not moved to the secure version straight "
        "away. Redirect http to https on the same name first.",
    ),
    (
        "redirect.hops",
        "Short redirect chains",
        "dns",
        C,
        "Visitors are bounced through several redirects before reaching your page, which slows the "
        "first visit. Redirect straight to the final address.",
    ),
    (
        "redirect.preserves_path",
        "Redirects keep the page",
        "dns",
        T,
        "A redirect drops the page or campaign code people asked for and sends them to the home "
        "page. Keep the path and query string when redirecting.",
    ),
    (
        "redirect.no_downgrade",
        "No https to http downgrade",
        "edge",
        B,
        "Somewhere a redirect sends visitors from the secure https version back to plain http. Fix "
        "that redirect so it always stays on https.",
    ),
    (
        "redirect.declared",
        "Old and campaign links land right",
        "dns",
        T,
        "An old or campaign link does not end where you told us it should. Update the redirect "
        "(use "
        "a permanent 301 or 308).",
    ),
    # TLS
    (
        "tls.trusted",
        "Certificate trusted",
        "edge",
        B,
        "Browsers do not trust your site's certificate, so visitors see a full-page security "
        "warning. Install a certificate with its complete chain (Let's Encrypt or your host can do "
        "this).",
    ),
    (
        "tls.hostname",
        "Certificate matches the name",
        "edge",
        B,
        "The certificate on this address is for a different name, so browsers show a security "
        "warning.",
    ),
    (
        "tls.coverage",
        "Certificate covers every name",
        "edge",
        T,
        "Your certificate does not cover all of your names (main domain, www and subdomains). Add "
        "the missing names to it.",
    ),
    (
        "tls.expiry",
        "Certificate not about to expire",
        "edge",
        B,
        "Your certificate expires soon (or has expired). When it does, browsers block the site. "
        "Renew it and make sure renewal is automatic.",
    ),
    (
        "tls.legacy_protocols",
        "Old TLS versions refused",
        "edge",
        C,
        "Your server still accepts TLS 1.0 or 1.1, outdated encryption that browsers have "
        "abandoned. Turn them off in your host or CDN settings.",
    ),
    # HTTP
    (
        "http.hsts",
        "HSTS set",
        "edge",
        T,
        "Your site does not tell browsers to always use https (HSTS). Add the "
        "Strict-Transport-Security header with a max-age of at least six months.",
    ),
    (
        "http.csp",
        "Content Security Policy",
        "edge",
        C,
        "A Content-Security-Policy header limits which scripts may run on your pages, which blunts "
        "many attacks. Add one, even a simple one.",
    ),
    (
        "http.content_type_options",
        "X-Content-Type-Options",
        "edge",
        C,
        "Add 'X-Content-Type-Options: nosniff' so browsers do not guess file types, a one-line "
        "fix.",
    ),
    (
        "http.frame_options",
        "Framing protection",
        "edge",
        C,
        "Other sites can embed your pages in a frame, which enables click-jacking. Send "
        "X-Frame-Options: DENY or a CSP frame-ancestors rule.",
    ),
    (
        "http.referrer_policy",
        "Referrer-Policy",
        "edge",
        C,
        "Without a Referrer-Policy, full page addresses (which may contain private details) leak "
        "to "
        "other sites. Send 'strict-origin-when-cross-origin'.",
    ),
    (
        "http.cookies",
        "Cookies protected",
        "edge",
        T,
        "Your cookies are missing protections (Secure, HttpOnly, SameSite), which makes stealing a "
        "logged-in session easier.",
    ),
    (
        "http.mixed_content",
        "No mixed content",
        "edge",
        T,
        "Your secure page loads some files over plain http. Browsers block insecure scripts and "
        "warn about the rest. Load everything over https.",
    ),
    (
        "http.cache_static",
        "Static files cached",
        "edge",
        C,
        "Your images, styles and scripts are downloaded again on every visit. Let browsers and the "
        "CDN cache them (Cache-Control with a max-age).",
    ),
    (
        "http.cache_private",
        "Private pages not cached publicly",
        "edge",
        B,
        "A page that sets a login cookie may be stored by shared caches, so one visitor could see "
        "another's page. Mark such pages private or no-store.",
    ),
    (
        "http.compression",
        "Compression on",
        "edge",
        C,
        "Your pages are sent uncompressed, so they load slower on phones. Turn on gzip or Brotli "
        "compression.",
    ),
    (
        "http.health",
        "Health URL answers",
        "deploy",
        B,
        "The health address that monitoring will watch does not answer 200 OK. Fix it before we "
        "rely on it for alerts.",
    ),
    (
        "http.latency",
        "Fast enough",
        "edge",
        T,
        "Your pages answer slower than the target for your stage. Slow pages lose visitors; look "
        "at "
        "hosting region, caching and slow queries.",
    ),
    # Email
    (
        "email.mx",
        "Mail servers set",
        "dns",
        T,
        "Your domain has no working mail server records, so email sent to you may bounce.",
    ),
    (
        "email.spf",
        "SPF record valid",
        "dns",
        T,
        "Your SPF record, which lists who may send email as you, is missing or broken, so your "
        "emails land in spam or can be forged.",
    ),
    (
        "email.dmarc",
        "DMARC policy",
        "dns",
        T,
        "DMARC tells receiving mail servers what to do with forged email using your domain. "
        "Without "
        "a policy, anyone can pretend to be you.",
    ),
    (
        "email.dkim",
        "DKIM keys valid",
        "dns",
        T,
        "The DKIM key that signs your emails is missing, weak or revoked, so providers such as "
        "Gmail may reject or junk your mail.",
    ),
    (
        "email.mta_sts",
        "MTA-STS (information)",
        "dns",
        C,
        "MTA-STS makes other mail servers use encryption when sending to you. Optional, but good "
        "practice.",
    ),
    (
        "email.tls_rpt",
        "TLS reporting (information)",
        "dns",
        C,
        "TLS-RPT sends you reports when mail to you could not be encrypted. Optional.",
    ),
    # Page speed (a Lighthouse run of its own: checks/browser)
    (
        "perf.lighthouse",
        "Mobile page speed meets the target",
        "edge",
        T,
        "On a mid-range phone over a slow mobile connection this page is slow to show and to "
        "respond, so visitors leave before it loads. The finding lists the biggest gains first.",
    ),
]

# The facts each verdict is built from (checks/evaluation passes them to ``needs``): when
# any of them could not be read (timeout, SERVFAIL, refused, reset) the check is `error`
# with that cause, never `pass` or `warn`. docs/checks.md repeats these per check.
_A, _PAGE, _CHAINS = "A/AAAA lookups", "the canonical page", "the redirect chains"
DEPENDS: dict[str, tuple[str, ...]] = {
    "dns.apex.resolves": (_A,),
    "dns.www.resolves": (_A,),
    "dns.subdomain.resolves": (_A,),
    "dns.subdomain.undeclared": ("the wildcard probe", "every common-name lookup"),
    "dns.cname.dangling": ("the lookup that went through the alias",),
    "dns.nameservers": ("NS lookups",),
    "dns.cloudflare": ("NS lookups", "a HEAD of the apex"),
    "dns.caa": ("every CAA lookup of the climb",),
    "redirect.canonical": (_CHAINS,),
    "redirect.https_upgrade": ("the chain's first hop",),
    "redirect.hops": ("the chain",),
    "redirect.preserves_path": ("the chain",),
    "redirect.no_downgrade": ("the chain",),
    "redirect.declared": ("the declared URL's chain",),
    "tls.trusted": (_A, "the TLS handshake"),
    "tls.hostname": ("the TLS handshake",),
    "tls.coverage": ("every name's certificate",),
    "tls.expiry": ("the TLS handshake",),
    "tls.legacy_protocols": ("the TLS 1.0 and 1.1 handshakes",),
    "http.hsts": (_PAGE,),
    "http.csp": (_PAGE,),
    "http.content_type_options": (_PAGE,),
    "http.frame_options": (_PAGE,),
    "http.referrer_policy": (_PAGE,),
    "http.cookies": (_PAGE,),
    "http.mixed_content": (_PAGE,),
    "http.cache_static": (_PAGE, "the first same-origin static file"),
    "http.cache_private": (_PAGE,),
    "http.compression": (_PAGE, "the largest same-origin text asset"),
    "http.health": ("the health URL (none when no health URL is declared)",),
    "http.latency": ("every timed request",),
    "email.mx": ("MX lookup", "each MX host's A/AAAA"),
    "email.spf": ("every TXT lookup of the include/redirect tree", "its a/mx/exists lookups"),
    "email.dmarc": ("every _dmarc lookup of the tree walk", "report authorisation lookups"),
    "email.dkim": ("the selector's TXT lookup (none when no selector is declared)",),
    "email.mta_sts": ("_mta-sts TXT", "the policy file"),
    "email.tls_rpt": ("_smtp._tls TXT",),
    "perf.lighthouse": ("the Lighthouse run of the page (in Chromium, behind the network guard)",),
}

# What founders read instead of the id or the consultant's short title: each check's
# goal in everyday words (the portal and the founder's handover pages use these).
PLAIN: dict[str, str] = {
    "dns.apex.resolves": "Your main address works",
    "dns.www.resolves": "Your address with www in front works",
    "dns.subdomain.resolves": "The other parts of your site can be reached",
    "dns.subdomain.undeclared": "No forgotten test or old sites under your name",
    "dns.cname.dangling": "Nobody can take over an unused name under yours",
    "dns.nameservers": "We know who controls your domain's settings",
    "dns.cloudflare": "We know whether Cloudflare sits in front of your site",
    "dns.caa": "Only the companies you chose can issue your certificates",
    "redirect.canonical": "Every version of your address leads to one site",
    "redirect.https_upgrade": "Visitors are moved to the secure version",
    "redirect.hops": "Visitors reach your page without detours",
    "redirect.preserves_path": "Links keep taking people to the page they wanted",
    "redirect.no_downgrade": "Visitors are never sent back to the insecure version",
    "redirect.declared": "Old and campaign links still land on the right page",
    "tls.trusted": "Browsers trust your padlock",
    "tls.hostname": "Your padlock is issued for the right name",
    "tls.coverage": "Your padlock covers every address you use",
    "tls.expiry": "Your padlock is not about to run out",
    "tls.legacy_protocols": "Your site refuses outdated encryption",
    "http.hsts": "Browsers are told to always use the secure version",
    "http.csp": "Your pages limit which scripts may run",
    "http.content_type_options": "Browsers do not guess what your files are",
    "http.frame_options": "Other sites cannot wrap your pages in theirs",
    "http.referrer_policy": "Your page addresses are not shared with other sites",
    "http.cookies": "Your login cookies are protected",
    "http.mixed_content": "Everything on your secure pages loads securely",
    "http.cache_static": "Returning visitors load your site faster",
    "http.cache_private": "One visitor's private page is never shown to another",
    "http.compression": "Your pages are sent in compact form",
    "http.health": "The address our monitoring watches answers",
    "http.latency": "Your pages answer quickly",
    "email.mx": "Email sent to you arrives",
    "email.spf": "Mail providers know who may send email as you",
    "email.dmarc": "Forged email in your name gets rejected",
    "email.dkim": "Your emails carry a valid signature",
    "email.mta_sts": "Mail to you travels encrypted (optional)",
    "email.tls_rpt": "You hear about mail that could not be encrypted (optional)",
    "perf.lighthouse": "Your site loads quickly on a phone",
}

CHECKS: dict[str, CheckInfo] = {
    row[0]: CheckInfo(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[0].split(".")[0],
        DEPENDS[row[0]],
        PLAIN[row[0]],
    )
    for row in _ROWS
}
FAMILIES = {
    "dns": "DNS",
    "redirect": "Redirects",
    "tls": "TLS certificates",
    "http": "HTTP",
    "email": "Email",
    "perf": "Page speed",
}


# Checks run by a job of their own in a real browser (checks/browser), not by the audit.
BROWSER_CHECKS = frozenset({"perf.lighthouse"})


def info(check_id: str) -> CheckInfo:
    return CHECKS[check_id]
