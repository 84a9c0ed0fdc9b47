"""Email verdicts besides SPF and DMARC: MX, DKIM, MTA-STS and TLS-RPT."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from checks.evaluation import Result, errored, failed, passed, warned
from checks.net import AddressFacts, DnsFacts, HttpFacts


def mx(domain: str, facts: DnsFacts, hosts: dict[str, AddressFacts]) -> Result:
    if facts.status == "error":
        return errored("email.mx", domain, facts.error or "lookup failed")
    if not facts.records:
        return failed("email.mx", domain, "No MX record: mail to this domain has nowhere to go.")
    if facts.records == ("0 .",):
        return passed(
            "email.mx",
            domain,
            "Null MX: the domain says it receives no email.",
            records=list(facts.records),
        )
    ev = {"records": list(facts.records), "hosts": {h: list(a.addresses) for h, a in hosts.items()}}
    errors = [h for h, a in hosts.items() if a.error]
    if errors:
        return errored("email.mx", domain, f"{errors[0]}: {hosts[errors[0]].error}", **ev)
    aliases = [h for h, a in hosts.items() if a.a.cname_chain]
    missing = [h for h, a in hosts.items() if not a.addresses]
    if missing:
        return failed(
            "email.mx", domain, f"Mail servers that do not resolve: {', '.join(missing)}.", **ev
        )
    if aliases:
        return failed(
            "email.mx",
            domain,
            f"Mail servers that are CNAME aliases (not allowed for MX): {', '.join(aliases)}.",
            **ev,
        )
    return passed("email.mx", domain, f"{len(hosts)} mail server(s), all resolving.", **ev)


@dataclass(frozen=True)
class DkimKey:
    tags: dict[str, str]
    key_type: str | None
    bits: int | None
    revoked: bool
    error: str | None


def parse_dkim(txt: str) -> DkimKey:
    tags = {}
    for part in txt.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            tags[name.strip().lower()] = "".join(value.split())
    if "p" not in tags:
        return DkimKey(tags, None, None, False, "the record has no p= (public key)")
    if tags["p"] == "":
        return DkimKey(tags, tags.get("k", "rsa"), None, True, None)
    try:
        key = load_der_public_key(base64.b64decode(tags["p"], validate=True))
    except ValueError as exc:
        try:
            raw = base64.b64decode(tags["p"])
            if tags.get("k") == "ed25519" and len(raw) == 32:
                return DkimKey(tags, "ed25519", 256, False, None)
        except ValueError:
            pass
        return DkimKey(
            tags,
            tags.get("k", "rsa"),
            None,
            False,
            f"the public key does not parse ({exc.__class__.__name__})",
        )
    if isinstance(key, rsa.RSAPublicKey):
        return DkimKey(tags, "rsa", key.key_size, False, None)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return DkimKey(tags, "ed25519", 256, False, None)
    return DkimKey(tags, type(key).__name__, None, False, "unsupported key type")


def dkim(domain: str, selector: str, facts: DnsFacts) -> Result:
    target = f"{selector}._domainkey.{domain}"
    if facts.status == "error":
        return errored("email.dkim", target, facts.error or "lookup failed")
    records = [r for r in facts.records if "p=" in r]
    if not records:
        return failed("email.dkim", target, f"No DKIM key published for selector {selector}.")
    key = parse_dkim(records[0])
    ev = {"key_type": key.key_type, "bits": key.bits, "record": records[0][:120]}
    if key.revoked:
        return warned(
            "email.dkim", target, f"The key for selector {selector} is revoked (empty p=).", **ev
        )
    if key.error:
        return failed("email.dkim", target, f"DKIM key for {selector}: {key.error}.", **ev)
    bits = key.bits or 0
    if key.key_type == "rsa" and bits < 1024:
        return failed(
            "email.dkim",
            target,
            f"The RSA key is only {key.bits} bits; receivers reject keys under 1024.",
            **ev,
        )
    if key.key_type == "rsa" and bits < 2048:
        return warned(
            "email.dkim",
            target,
            f"The RSA key is {key.bits} bits; 2048 is the current recommendation.",
            **ev,
        )
    return passed(
        "email.dkim", target, f"{(key.key_type or 'unknown').upper()} key, {key.bits} bits.", **ev
    )


def no_selectors(domain: str) -> Result:
    return warned(
        "email.dkim",
        domain,
        "No DKIM selectors declared, so DKIM was not checked (selectors are never guessed).",
        network=False,
    )


def mta_sts(domain: str, txt: DnsFacts, policy: HttpFacts | None) -> Result:
    if txt.status == "error":
        return errored("email.mta_sts", domain, txt.error or "lookup failed")
    records = [r for r in txt.records if r.lower().startswith("v=stsv1")]
    if not records:
        return passed("email.mta_sts", domain, "MTA-STS is not set up (optional).", present=False)
    ev = {"record": records[0], "policy_status": policy.status if policy else None}
    if (
        policy is not None
        and policy.error
        and policy.status is None
        and "does not resolve" not in policy.error
    ):
        # Timeouts, refusals and resets say nothing about the policy file: could not tell.
        return errored("email.mta_sts", domain, policy.error, failed_input="the policy file", **ev)
    if policy is None or policy.error or policy.status != 200:
        reason = (
            policy.error
            if policy and policy.error
            else f"answered {policy.status if policy else 'nothing'}"
        )
        return warned(
            "email.mta_sts",
            domain,
            f"MTA-STS is announced but the policy file could not be read ({reason}).",
            **ev,
        )
    mode = next(
        (
            line.split(":", 1)[1].strip()
            for line in policy.text.splitlines()
            if line.lower().startswith("mode:")
        ),
        None,
    )
    ev["mode"] = mode
    return passed("email.mta_sts", domain, f"MTA-STS is set up (mode {mode}).", **ev)


def tls_rpt(domain: str, txt: DnsFacts) -> Result:
    if txt.status == "error":
        return errored("email.tls_rpt", domain, txt.error or "lookup failed")
    records = [r for r in txt.records if r.lower().startswith("v=tlsrptv1")]
    if not records:
        return passed(
            "email.tls_rpt", domain, "TLS reporting is not set up (optional).", present=False
        )
    return passed(
        "email.tls_rpt",
        domain,
        "TLS reports are sent to: " + records[0].split("rua=", 1)[-1],
        record=records[0],
    )
