"""TLS verdicts, per name and address."""

from __future__ import annotations

from datetime import datetime

from checks.evaluation import Result, errored, failed, passed, warned
from checks.net import CertFacts, TlsFacts


def name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """RFC 6125: a wildcard stands for exactly one left-most label."""
    name = name.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern == name:
            return True
        if pattern.startswith("*.") and "." in name and name.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _target(facts: TlsFacts) -> str:
    # A display string: readers of results take the name from evidence["host"].
    return f"{facts.host} ({facts.address})" if facts.address else facts.host


def trusted(facts: TlsFacts) -> Result:
    target = _target(facts)
    if facts.error:
        return errored("tls.trusted", target, facts.error, host=facts.host)
    if facts.verified:
        return passed(
            "tls.trusted",
            target,
            f"The certificate chain is trusted ({facts.protocol}).",
            host=facts.host,
            issuer=facts.cert.issuer if facts.cert else None,
        )
    reason = facts.verify_error or "not trusted"
    hint = (
        " The server probably does not send the intermediate certificate."
        if "local issuer" in reason
        else ""
    )
    return failed(
        "tls.trusted",
        target,
        f"Browsers will not trust this certificate: {reason}.{hint}",
        host=facts.host,
        reason=reason,
    )


def hostname(facts: TlsFacts) -> Result:
    target = _target(facts)
    if facts.error or facts.cert is None:
        return errored("tls.hostname", target, facts.error or "no certificate received")
    names = facts.cert.sans or ((facts.cert.subject_cn,) if facts.cert.subject_cn else ())
    if name_matches(facts.host, names):
        return passed(
            "tls.hostname", target, f"The certificate covers {facts.host}.", names=list(names)
        )
    return failed(
        "tls.hostname",
        target,
        f"The certificate is for {', '.join(names) or 'no name'}, not {facts.host}.",
        names=list(names),
    )


def expiry(facts: TlsFacts, now: datetime) -> Result:
    target = _target(facts)
    if facts.error or facts.cert is None:
        return errored(
            "tls.expiry", target, facts.error or "no certificate received", host=facts.host
        )
    cert: CertFacts = facts.cert
    days = cert.days_left(now)
    ev = {
        "host": facts.host,
        "not_after": cert.not_after.isoformat(),
        "days_left": round(days, 1),
        "lifetime_days": round(cert.lifetime_days),
    }
    if days < 0:
        return failed(
            "tls.expiry", target, f"The certificate expired {abs(days):.0f} days ago.", **ev
        )
    if days < 7:
        return failed("tls.expiry", target, f"The certificate expires in {days:.0f} days.", **ev)
    if days < 21 or days < cert.lifetime_days / 3:
        return warned(
            "tls.expiry",
            target,
            f"The certificate expires in {days:.0f} days; check that renewal is automatic.",
            **ev,
        )
    return passed("tls.expiry", target, f"The certificate is valid for {days:.0f} more days.", **ev)


def legacy(target: str, tls10: bool | None, tls11: bool | None) -> Result:
    ev = {"TLSv1.0": tls10, "TLSv1.1": tls11}
    accepted = [v for v, ok in (("TLS 1.0", tls10), ("TLS 1.1", tls11)) if ok]
    if accepted:
        return failed(
            "tls.legacy_protocols",
            target,
            f"The server still accepts {' and '.join(accepted)}.",
            **ev,
        )
    if tls10 is None and tls11 is None:
        return errored(
            "tls.legacy_protocols", target, "the legacy handshakes could not be attempted", **ev
        )
    return passed("tls.legacy_protocols", target, "TLS 1.0 and 1.1 are refused.", **ev)


def coverage(apex: str, names: list[str], certs: dict[str, TlsFacts]) -> Result:
    """Every name (apex, www, declared subdomains) must be covered by the certificate it serves."""
    served = {n: f.cert for n, f in certs.items() if f.cert is not None}
    unread = {n: f for n, f in certs.items() if f.cert is None and f.error}
    if unread:
        name, facts = next(iter(sorted(unread.items())))
        return errored(
            "tls.coverage", apex, f"{name}: {facts.error}", failed_input=f"certificate of {name}"
        )
    if not served:
        return errored("tls.coverage", apex, "no certificate received")
    missing = [n for n in names if n in served and not name_matches(n, served[n].sans)]
    unknown = [n for n in names if n not in served]
    ev = {"names": names, "certificates": {n: list(c.sans) for n, c in served.items()}}
    if missing:
        return failed(
            "tls.coverage",
            apex,
            f"Not covered by their certificate: {', '.join(missing)}.",
            missing=missing,
            **ev,
        )
    if unknown:
        return warned(
            "tls.coverage", apex, f"Could not read a certificate for: {', '.join(unknown)}.", **ev
        )
    return passed("tls.coverage", apex, f"All {len(names)} names are covered.", **ev)
