"""What the handover reads from the other apps, through the typed functions each app
exports (``checks.selectors``, ``checks.monitoring.selectors``,
``checks.secrets.selectors``), plus the views of check results only the handover needs
(counts, the DNS map, certificates). Nothing here catches an error: a source that
breaks fails the issue job loudly rather than printing "not recorded" in a signed PDF.
Values of secrets are never read: only names, owners and dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from checks.monitoring.selectors import MonitorRow, monitor_rows
from checks.secrets.selectors import (
    DeployRow,
    EnvGroup,
    EnvVarRow,
    SecretRow,
    deploys_let_through,
    env_groups,
    recent_deploys,
    secret_rows,
)
from checks.selectors import STATUS_WORDS, CheckRow, first_check_results, latest_check_results

__all__ = [
    "CheckRow",
    "DeployRow",
    "EnvGroup",
    "EnvVarRow",
    "MonitorRow",
    "SecretRow",
    "deploys_let_through",
    "env_groups",
    "first_check_results",
    "latest_check_results",
    "monitor_rows",
    "recent_deploys",
    "secret_rows",
]


@dataclass(frozen=True)
class CheckCounts:
    passed: int
    warned: int
    failed: int
    errors: int

    @property
    def total(self) -> int:
        return self.passed + self.warned + self.failed + self.errors


@dataclass(frozen=True)
class DnsRow:
    name: str
    rtype: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class CertRow:
    hostname: str
    status: str
    expires: date | None
    issuer: str
    summary: str

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


# ---------------------------------------------------------------- checks

DNS_IDS = ("dns.apex.resolves", "dns.www.resolves", "dns.subdomain.resolves")


def check_counts(results: list[CheckRow] | None) -> CheckCounts | None:
    if results is None:
        return None
    by = {"pass": 0, "warn": 0, "fail": 0, "error": 0}
    for row in results:
        by[row.status if row.status in by else "error"] += 1
    return CheckCounts(passed=by["pass"], warned=by["warn"], failed=by["fail"], errors=by["error"])


def results_matching(results: list[CheckRow] | None, *prefixes: str) -> list[CheckRow] | None:
    """The results whose check id starts with any of the prefixes (e.g. "email.")."""
    if results is None:
        return None
    return [r for r in results if r.check.startswith(prefixes)]


def dns_records(results: list[CheckRow] | None) -> list[DnsRow] | None:
    """The DNS map as the last check run saw it: nameservers, then each name's answers."""
    if not results:
        return None
    rows: list[DnsRow] = []
    for r in results:
        if r.check == "dns.nameservers":
            ns = [str(n) for n in r.evidence.get("nameservers", [])]
            if ns:
                rows.append(DnsRow(r.target, "NS", ", ".join(ns), r.evidence.get("provider") or ""))
    for r in results:
        if r.check not in DNS_IDS:
            continue
        chain = [str(c) for c in r.evidence.get("cname_chain", [])]
        if chain:
            rows.append(DnsRow(r.target, "CNAME", " → ".join(chain), "alias"))
        for rtype in ("a", "aaaa"):
            values = [str(v) for v in r.evidence.get(rtype, [])]
            if values:
                rows.append(DnsRow(r.target, rtype.upper(), ", ".join(values), ""))
        if r.status != "pass":
            rows.append(DnsRow(r.target, "—", "", r.summary))
    return rows or None


def certificates(results: list[CheckRow] | None) -> list[CertRow] | None:
    """One row per name: the earliest expiry seen on any of its addresses."""
    if not results:
        return None
    issuers = {
        r.host: str(r.evidence.get("issuer") or "") for r in results if r.check == "tls.trusted"
    }
    by_host: dict[str, CertRow] = {}
    for r in results:
        if r.check != "tls.expiry":
            continue
        host = r.host
        not_after = r.evidence.get("not_after")
        expires = datetime.fromisoformat(not_after).date() if not_after else None
        row = CertRow(host, r.status, expires, issuers.get(host, ""), r.summary)
        current = by_host.get(host)
        if current is None or (expires and (current.expires is None or expires < current.expires)):
            by_host[host] = row
    return sorted(by_host.values(), key=lambda c: c.hostname) or None
