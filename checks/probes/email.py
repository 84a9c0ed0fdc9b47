"""Email probes: MX hosts, the SPF include tree, DMARC with its fallback, DKIM keys,
MTA-STS and TLS-RPT."""

from __future__ import annotations

import functools

from publicsuffixlist import PublicSuffixList

from checks import net
from checks.evaluation.dmarc import DmarcFacts, is_dmarc, parse_dmarc
from checks.evaluation.spf import SpfNode, is_spf, parse_spf

MAX_DEPTH = 10
MAX_NODES = 40  # hard stop on the total number of SPF lookups we make ourselves


def mx_hosts(
    domain: str, facts: net.DnsFacts, *, timeout: float = 3.0
) -> dict[str, net.AddressFacts]:
    hosts = {}
    for record in facts.records[:10]:
        host = record.split()[-1].rstrip(".")
        if host:
            hosts[host] = net.resolve_addresses(host, timeout=timeout)
    return hosts


def spf_tree(domain: str, *, timeout: float = 3.0) -> SpfNode:
    budget = [MAX_NODES]
    return _spf_node(domain, "root", (), budget, timeout)


def _spf_node(
    domain: str, via: str, ancestors: tuple[str, ...], budget: list[int], timeout: float
) -> SpfNode:
    domain = domain.rstrip(".").lower()
    if domain in ancestors:
        return SpfNode(domain, via, loop=True)
    if len(ancestors) >= MAX_DEPTH or budget[0] <= 0:
        return SpfNode(domain, via, depth_exceeded=True)
    budget[0] -= 1
    txt = net.dns_query(domain, "TXT", timeout=timeout)
    if txt.status == "error":
        return SpfNode(domain, via, error=txt.error)
    records = tuple(r for r in txt.records if is_spf(r))
    if len(records) != 1:
        return SpfNode(domain, via, records=records)
    record = parse_spf(records[0])
    voids, children, mx_counts, errors = [], [], [], []
    for term in record.terms:
        if term.modifier and term.mechanism == "redirect" and term.value:
            if record.all_qualifier is not None:
                continue  # RFC 7208 6.1: ignored when the record has an "all" mechanism
            children.append(
                _spf_node(term.value, "redirect", (*ancestors, domain), budget, timeout)
            )
        elif term.mechanism == "include" and term.value:
            children.append(_spf_node(term.value, "include", (*ancestors, domain), budget, timeout))
        elif (
            term.mechanism in {"a", "mx", "exists"}
            and budget[0] > 0
            and "%" not in (term.value or "")
        ):
            budget[0] -= 1
            target = term.value or domain
            facts = net.dns_query(target, "MX" if term.mechanism == "mx" else "A", timeout=timeout)
            if facts.status == "error":
                errors.append(f"{term.mechanism}:{target}: {facts.error}")
            elif facts.status in {"nxdomain", "nodata"}:
                voids.append(f"{term.mechanism}:{target}")
            elif term.mechanism == "mx":
                # RFC 7208 4.6.4: each MX host costs an address lookup, at most 10.
                mx_counts.append((target, len(facts.records)))
    return SpfNode(
        domain,
        via,
        records=records,
        void_terms=tuple(voids),
        children=tuple(children),
        mx_counts=tuple(mx_counts),
        error="; ".join(errors) or None,
    )


@functools.cache
def _suffix_list() -> PublicSuffixList:
    # The list bundled with the package (updated with each release): never fetched.
    return PublicSuffixList()


def organisational_domain(domain: str) -> str:
    """RFC 7489 3.2: the registrable domain, by the Public Suffix List (example.me.uk,
    shop.com.au, user.github.io). A name that is itself a public suffix is its own."""
    name = domain.lower().rstrip(".")
    return _suffix_list().privatesuffix(name) or name


def _walk(domain: str) -> list[str]:
    """The names whose _dmarc record applies to domain, nearest first: the DMARCbis
    "DNS tree walk" (the domain, then each parent, never the top-level domain; a very
    long name jumps to its last seven labels after the first lookup, so there are at
    most seven names, within DMARCbis's limit of eight lookups)."""
    labels = domain.lower().rstrip(".").split(".")
    names = [".".join(labels)]
    if len(labels) > 7:
        labels = labels[-7:]
        names.append(".".join(labels))
    while len(labels) > 2:
        labels = labels[1:]
        names.append(".".join(labels))
    return names


def dmarc(domain: str, *, timeout: float = 3.0) -> DmarcFacts:
    for candidate in _walk(domain):
        name = f"_dmarc.{candidate}"
        txt = net.dns_query(name, "TXT", timeout=timeout)
        if txt.status == "error":
            return DmarcFacts(domain, name, (), txt.error, {})
        records = tuple(r for r in txt.records if is_dmarc(r))
        if records:
            return DmarcFacts(
                domain, name, records, None, _authorisations(candidate, records, timeout)
            )
    return DmarcFacts(domain, None, (), None, {})


def _authorisations(
    domain: str, records: tuple[str, ...], timeout: float
) -> dict[str, bool | None]:
    """RFC 7489 7.1: a report address at another organisation must publish
    <domain>._report._dmarc.<their domain>."""
    parsed = parse_dmarc(records[0])
    out: dict[str, bool | None] = {}
    for address in parsed.addresses("rua") + parsed.addresses("ruf"):
        dest = address.rpartition("@")[2].lower()
        if not dest or organisational_domain(dest) == organisational_domain(domain) or dest in out:
            continue
        facts = net.dns_query(f"{domain}._report._dmarc.{dest}", "TXT", timeout=timeout)
        out[dest] = None if facts.status == "error" else any(is_dmarc(r) for r in facts.records)
    return out


def dkim(domain: str, selector: str, *, timeout: float = 3.0) -> net.DnsFacts:
    return net.dns_query(f"{selector}._domainkey.{domain}", "TXT", timeout=timeout)


def mta_sts(domain: str, *, timeout: float = 5.0) -> tuple[net.DnsFacts, net.HttpFacts | None]:
    txt = net.dns_query(f"_mta-sts.{domain}", "TXT", timeout=timeout)
    if not any(r.lower().startswith("v=stsv1") for r in txt.records):
        return txt, None
    policy = net.http_request(
        f"https://mta-sts.{domain}/.well-known/mta-sts.txt", timeout=timeout, max_bytes=64_000
    )
    return txt, policy


def tls_rpt(domain: str, *, timeout: float = 3.0) -> net.DnsFacts:
    return net.dns_query(f"_smtp._tls.{domain}", "TXT", timeout=timeout)
