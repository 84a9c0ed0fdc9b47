"""Default wording for the parts of the handover the consultant may rewrite.

Written for a founder who is not an engineer: short sentences, one action per step,
vendor names filled in from the accounts on record. The consultant's edits replace
these on the handover page; an emptied field falls back to the default again."""

from __future__ import annotations

from dataclasses import dataclass

from clients.models import ServiceAccount


@dataclass(frozen=True)
class Vendors:
    """The accounts the default wording refers to, by role (None when not on record)."""

    registrar: ServiceAccount | None
    dns: ServiceAccount | None
    edge: ServiceAccount | None
    hosting: ServiceAccount | None
    email: ServiceAccount | None
    code: ServiceAccount | None
    monitoring: ServiceAccount | None


def vendor(account: ServiceAccount | None, fallback: str) -> str:
    return account.vendor if account else fallback


def login(account: ServiceAccount | None, fallback: str) -> str:
    if account is None:
        return fallback
    where = account.login_location or "the vendor's website"
    return f"{account.vendor} ({where})"


def defaults(v: Vendors, canonical: str) -> dict[str, str]:
    """Field key -> default text. Steps are one per line."""
    host = vendor(v.hosting, "your hosting provider")
    edge = vendor(v.edge or v.dns, "your DNS provider")
    mail = vendor(v.email, "your email sending provider")
    code = vendor(v.code, "your code repository")
    site = canonical or "your site"
    return {
        "summary.message": (
            "This document lists what is live, who owns each part, where to sign in, and "
            "what to do when something breaks. Keep it somewhere you can find it on a bad day. "
            "Passwords are never written here: only where to log in."
        ),
        "domains.renewal": (
            f"Certificates (the padlock in the browser) renew by themselves through {edge}. "
            f"The domain name itself renews at {vendor(v.registrar, 'your registrar')}: "
            "keep a valid card on that account and check the renewal date below."
        ),
        "domains.change": (
            f"Sign in to {login(v.dns or v.edge, 'your DNS provider')}.\n"
            "Open the DNS page for your domain.\n"
            "Before changing a record, take a screenshot of the page as it is.\n"
            "Change one record at a time and wait a few minutes.\n"
            f"Open {site} in a private browser window to check it still loads.\n"
            "If it does not, put the old value back from your screenshot."
        ),
        "edge.status": (
            f"{edge} sits in front of the site: visitors reach {edge} first, and it passes "
            "their requests on to the server."
        ),
        "edge.caching": (
            "Images, styles and scripts are kept at the edge so repeat visits are fast. "
            "Pages that show personal data, sign-in and checkout are never cached."
        ),
        "edge.ddos": (
            f"{edge}'s automatic protection against floods of traffic (DDoS) is switched on. "
            "Nothing needs doing day to day."
        ),
        "email.change": (
            f"Sign in to {login(v.dns or v.edge, 'your DNS provider')}.\n"
            "Find the TXT records named SPF (starts with v=spf1) and DMARC (_dmarc).\n"
            "When you add a new service that sends email as you, add it to the SPF record; never create a second SPF record.\n"
            f"Send a test email through {mail} to a Gmail address and open 'Show original': SPF, DKIM and DMARC should all say PASS.\n"
            "If they do not, undo the change and ask your consultant."
        ),
        "deployment.where": (
            f"The app runs on {host}. The code lives in {code}. "
            "Production and staging are separate: changes are tried on staging first."
        ),
        "deployment.redeploy": (
            f"Sign in to {login(v.hosting, 'your hosting provider')}.\n"
            "Open the production service.\n"
            "Choose the option to deploy the latest version (often 'Manual deploy' or 'Redeploy').\n"
            "Wait until it says the deploy is live.\n"
            f"Open {site} and try sign-in and the main form."
        ),
        "deployment.rollback": (
            f"Sign in to {login(v.hosting, 'your hosting provider')}.\n"
            "Open the production service and its list of deploys.\n"
            "Find the last deploy from before the problem started.\n"
            "Choose 'Rollback' or 'Redeploy' on that one.\n"
            f"Check {site} works, then tell your developer which deploy broke it."
        ),
        "deployment.who": (
            "The founder and the developers listed as owners of the hosting account. "
            "Remove people who leave the project the same day."
        ),
        "config.note": (
            "Settings the app needs (environment variables) are stored with the hosting "
            "provider, never in the code. This section lists their names only."
        ),
        "monitoring.note": (
            "A monitor visits the site on a schedule and sends an alert when it does not "
            "answer. Make sure the alert address is one somebody reads."
        ),
        "emergency.down": (
            f"Check whether it is only you: open {site} on your phone using mobile data.\n"
            f"Look at the status page of {host} and of {edge} for an outage.\n"
            f"Sign in to {login(v.hosting, 'your hosting provider')} and read the latest deploy and its logs.\n"
            "If a deploy went out just before, roll it back (see Deployment).\n"
            "If the domain was not renewed, renew it at the registrar now.\n"
            "Still down after 15 minutes: call the hosting provider's support and your developer."
        ),
        "emergency.spam": (
            "Ask one affected person to check their spam folder and mark the message 'not spam'.\n"
            "Send yourself a test email and look at 'Show original': find the lines for SPF, DKIM and DMARC.\n"
            f"If one says FAIL, sign in to {login(v.email, 'your email sending provider')} and check the domain is still verified.\n"
            "Check nobody changed the SPF or DMARC records in DNS recently.\n"
            "If you sent a big batch at once, send smaller batches for a few days."
        ),
        "emergency.certificate": (
            "Visitors see a warning page instead of your site: do not tell them to click through it.\n"
            f"Sign in to {login(v.edge or v.hosting, 'your hosting provider')} and open the SSL or certificates page.\n"
            "Press the button to renew or re-issue the certificate, if there is one.\n"
            "Check the domain's DNS records still point to the right place (see Domains and DNS).\n"
            "Wait ten minutes and open the site in a private window; call support if the warning stays."
        ),
        "emergency.leak": (
            "Find out which key it is and which service issued it.\n"
            "Sign in to that service and create a new key.\n"
            f"Put the new key in the environment settings on {host} and redeploy.\n"
            "Delete the old key at the service, so it stops working everywhere.\n"
            "Look at that service's usage or billing page for anything you did not do.\n"
            "Write down what leaked, when and what you did: you may have to tell customers."
        ),
        "emergency.signin": (
            f"Roll back to the previous deploy on {host} (see Deployment): this is the fastest fix.\n"
            "Check that sign-in works again in a private browser window.\n"
            "Check the environment settings: a missing or renamed setting often breaks sign-in.\n"
            "Tell your developer which deploy broke it before anyone deploys again."
        ),
    }
