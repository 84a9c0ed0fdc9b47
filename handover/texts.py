"""Suggested wording for the parts of the handover the consultant may rewrite.

Every suggestion is a draft: it is shown on the handover page as "to confirm" and is
printed only once the consultant confirms it as true or rewrites it. A sentence about
the client's setup (who runs what, caching, certificates, staging) is only suggested
when a recorded field or a check result backs it; with nothing behind it the
suggestion is empty and the passage is left out. Written for a founder who is not an
engineer: short sentences, one action per step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from clients.models import ServiceAccount


@dataclass(frozen=True)
class Vendors:
    """The accounts the wording refers to, by role (None when not on record)."""

    registrar: ServiceAccount | None
    dns: ServiceAccount | None
    edge: ServiceAccount | None
    hosting: ServiceAccount | None
    email: ServiceAccount | None
    code: ServiceAccount | None
    monitoring: ServiceAccount | None


@dataclass(frozen=True)
class Facts:
    """What the app knows, from records and check results, that the wording may state."""

    vendors: Vendors
    canonical: str = ""
    cert_issuers: tuple[str, ...] = ()
    cert_earliest: date | None = None
    cloudflare_summary: str = ""  # dns.cloudflare result, when it ran
    cloudflare_proxied: bool = False
    cache_static: str = ""  # summaries of passing caching checks
    cache_private: str = ""
    environments: tuple[str, ...] = ()  # from the environment-variable map
    owners: dict[str, str] = field(default_factory=dict)  # deploy / rollback / alerts / renewals
    support: dict[str, str] = field(default_factory=dict)  # account code -> support contact


def vendor(account: ServiceAccount | None, fallback: str) -> str:
    return account.vendor if account else fallback


def login(account: ServiceAccount | None, fallback: str) -> str:
    if account is None:
        return fallback
    return (
        f"{account.vendor} ({account.login_location})" if account.login_location else account.vendor
    )


def _support(f: Facts, account: ServiceAccount | None) -> str:
    if account is None:
        return ""
    contact = f.support.get(account.code, "")
    return f"{account.vendor} support ({contact})" if contact else ""


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def defaults(f: Facts) -> dict[str, str]:
    """Field key -> suggested text ("" when nothing recorded backs it). Steps one per line."""
    v = f.vendors
    host = vendor(v.hosting, "your hosting provider")
    edge_account = v.edge or v.dns
    site = f.canonical or "your site"
    owners = f.owners
    renewal = []
    if f.cert_issuers and f.cert_earliest:
        renewal.append(
            "The certificates (the padlock in the browser) are issued by "
            f"{', '.join(f.cert_issuers)}; "
            f"the first one expires on {f.cert_earliest:%d %b %Y}."
        )
    if v.registrar is not None:
        when = f" on {v.registrar.renewal_date:%d %b %Y}" if v.registrar.renewal_date else ""
        renewal.append(
            f"The domain name renews at {v.registrar.vendor}{when}: keep a valid card on that "
            "account."
        )
    if owners.get("renewals") and renewal:
        renewal.append(f"{owners['renewals']} looks after renewals.")
    where = []
    if v.hosting is not None:
        where.append(f"The app runs on {v.hosting.vendor}.")
    if v.code is not None:
        where.append(f"The code is kept at {v.code.vendor}.")
    if len(f.environments) > 1:
        where.append(
            f"Separate settings are recorded for these environments: {', '.join(f.environments)}."
        )
    who = [
        f"{owners['deploy']} deploys new versions." if owners.get("deploy") else "",
        f"{owners['rollback']} rolls back a bad version." if owners.get("rollback") else "",
    ]
    caching = " ".join(s for s in (f.cache_static, f.cache_private) if s)
    call = [c for c in (owners.get("deploy"), _support(f, v.hosting)) if c]
    return {
        "summary.message": (
            "This document lists what is live, who owns each part, where to sign in, and "
            "what to do when something breaks. Keep it somewhere you can find it on a bad day. "
            "Passwords are never written here: only where to sign in."
        ),
        "domains.renewal": " ".join(renewal),
        "domains.change": _lines(
            f"Sign in to {login(v.dns or v.edge, 'your DNS provider')}.",
            "Open the DNS page for your domain.",
            "Before changing a record, take a screenshot of the page as it is.",
            "Change one record at a time and wait a few minutes.",
            f"Open {site} in a private browser window to check it still loads.",
            "If it does not, put the old value back from your screenshot.",
        ),
        "edge.status": (
            f"The automated check found: {f.cloudflare_summary}" if f.cloudflare_summary else ""
        ),
        "edge.caching": (f"The automated checks found: {caching}" if caching else ""),
        "edge.ddos": (
            "Because Cloudflare proxies the site, its standard protection against floods of "
            "traffic "
            "(DDoS) "
            "applies to every visit."
            if f.cloudflare_proxied
            else ""
        ),
        "email.change": _lines(
            f"Sign in to {login(v.dns or v.edge, 'your DNS provider')}.",
            "Find the TXT records named SPF (starts with v=spf1) and DMARC (_dmarc).",
            "When you add a new service that sends email as you, add it to the SPF record; never "
            "create a second SPF record.",
            f"Send a test email through {vendor(v.email, 'your email sending provider')} to a "
            "Gmail "
            "address "
            "and open 'Show original': SPF, DKIM and DMARC should all say PASS.",
            "If they do not, undo the change and ask your consultant.",
        ),
        "deployment.where": " ".join(where),
        "deployment.redeploy": _lines(
            f"Sign in to {login(v.hosting, 'your hosting provider')}.",
            "Open the production service.",
            "Choose the option to deploy the latest version (often 'Manual deploy' or 'Redeploy').",
            "Wait until it says the deploy is live.",
            f"Open {site} and try sign-in and the main form.",
        ),
        "deployment.rollback": _lines(
            f"Sign in to {login(v.hosting, 'your hosting provider')}.",
            "Open the production service and its list of deploys.",
            "Find the last deploy from before the problem started.",
            "Choose 'Rollback' or 'Redeploy' on that one.",
            f"Check {site} works, then tell {owners.get('deploy') or 'whoever deploys'} which "
            "deploy broke it.",
        ),
        "deployment.who": " ".join(w for w in who if w),
        "config.note": (
            "Settings the app needs (environment variables) are listed here by name only, "
            "never with their values."
        ),
        "monitoring.note": (
            "A monitor visits the site on a schedule and sends an alert when it does not answer."
            + (f" {owners['alerts']} answers the alerts." if owners.get("alerts") else "")
        ),
        "emergency.down": _lines(
            f"Check whether it is only you: open {site} on your phone using mobile data.",
            f"Look at the status page of {host}"
            + (f" and of {edge_account.vendor}" if edge_account else "")
            + " for an outage.",
            f"Sign in to {login(v.hosting, 'your hosting provider')} and read the latest deploy "
            "and "
            "its logs.",
            "If a deploy went out just before, roll it back (see Deployment).",
            "If the domain was not renewed, renew it at the registrar now.",
            f"Still down after 15 minutes: call {' and '.join(call)}." if call else "",
        ),
        "emergency.spam": _lines(
            "Ask one affected person to check their spam folder and mark the message 'not spam'.",
            "Send yourself a test email and look at 'Show original': find the lines for SPF, DKIM "
            "and DMARC.",
            f"If one says FAIL, sign in to {login(v.email, 'your email sending provider')} and "
            "check the domain is still verified.",
            "Check nobody changed the SPF or DMARC records in DNS recently.",
            "If you sent a big batch at once, send smaller batches for a few days.",
        ),
        "emergency.certificate": _lines(
            "Visitors see a warning page instead of your site: do not tell them to click through "
            "it.",
            f"Sign in to {login(v.edge or v.hosting, 'your hosting provider')} and open the SSL or "
            "certificates page.",
            "Press the button to renew or re-issue the certificate, if there is one.",
            "Check the domain's DNS records still point to the right place (see Domains and DNS).",
            "Wait ten minutes and open the site in a private window.",
            f"If the warning stays, call {_support(f, v.edge or v.hosting)}."
            if _support(f, v.edge or v.hosting)
            else "",
        ),
        "emergency.leak": _lines(
            "Find out which key it is and which service issued it.",
            "Sign in to that service and create a new key.",
            f"Put the new key in the environment settings on {host} and redeploy.",
            "Delete the old key at the service, so it stops working everywhere.",
            "Look at that service's usage or billing page for anything you did not do.",
            "Write down what leaked, when and what you did: you may have to tell customers.",
        ),
        "emergency.signin": _lines(
            f"Roll back to the previous deploy on {host} (see Deployment): this is the fastest "
            "fix.",
            "Check that sign-in works again in a private browser window.",
            "Check the environment settings: a missing or renamed setting often breaks sign-in.",
            f"Tell {owners.get('deploy') or 'whoever deploys'} which deploy broke it before anyone "
            "deploys again.",
        ),
    }
