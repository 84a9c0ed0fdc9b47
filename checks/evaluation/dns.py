"""DNS verdicts: names resolve, no forgotten or dangling names, who runs the DNS, CAA."""

from __future__ import annotations

from checks.evaluation import Result, errored, failed, needs, passed, warned
from checks.net import AddressFacts, DnsFacts, HttpFacts

PROVIDERS = {
    "ns.cloudflare.com": "Cloudflare",
    "awsdns": "Amazon Route 53",
    "domaincontrol.com": "GoDaddy",
    "registrar-servers.com": "Namecheap",
    "googledomains.com": "Google Domains / Squarespace",
    "ns-cloud": "Google Cloud DNS",
    "azure-dns": "Azure DNS",
    "digitalocean.com": "DigitalOcean",
    "vercel-dns.com": "Vercel",
    "nsone.net": "NS1 (Netlify)",
    "gandi.net": "Gandi",
    "ovh.net": "OVH",
    "hetzner": "Hetzner",
    "dnsimple.com": "DNSimple",
    "porkbun.com": "Porkbun",
}


def resolves(check_id: str, facts: AddressFacts) -> Result:
    """A name resolves when it has A or AAAA answers; a CNAME (even at the apex, as some
    providers flatten) is judged by the addresses it leads to."""
    ev = {
        "a": list(facts.a.records),
        "aaaa": list(facts.aaaa.records),
        "cname_chain": list(facts.a.cname_chain),
    }
    if facts.addresses:
        via = f" via {' → '.join(facts.a.cname_chain)}" if facts.a.cname_chain else ""
        return passed(check_id, facts.name, f"Resolves to {', '.join(facts.addresses)}{via}.", **ev)
    if facts.error:
        return errored(check_id, facts.name, facts.error, **ev)
    if facts.a.status == "nxdomain":
        return failed(check_id, facts.name, f"{facts.name} does not exist in DNS.", **ev)
    return failed(check_id, facts.name, f"{facts.name} exists but has no A or AAAA record.", **ev)


def dangling(facts: list[DnsFacts]) -> list[Result]:
    """An alias whose final target does not exist: a takeover risk."""
    out = []
    for f in facts:
        if not f.cname_chain:
            continue
        chain = " → ".join((f.name, *f.cname_chain))
        if f.status == "nxdomain":
            out.append(
                failed(
                    "dns.cname.dangling",
                    f.name,
                    f"{f.name} is an alias for {f.cname_chain[-1]}, which does not exist.",
                    chain=chain,
                )
            )
        elif f.status == "error":
            out.append(
                errored("dns.cname.dangling", f.name, f.error or "lookup failed", chain=chain)
            )
        else:
            out.append(
                passed(
                    "dns.cname.dangling",
                    f.name,
                    f"The alias target {f.cname_chain[-1]} exists.",
                    chain=chain,
                )
            )
    return out


def undeclared(
    apex: str, found: dict[str, AddressFacts], wildcard: DnsFacts, lookups: list[DnsFacts]
) -> Result:
    """``lookups``: every common-name lookup made; one that could not tell means the
    name may exist, so "none found" cannot be said."""
    missing = needs("dns.subdomain.undeclared", apex, wildcard=wildcard, lookups=lookups)
    if missing:
        return missing
    ev = {
        "names": {n: list(f.addresses) for n, f in found.items()},
        "wildcard": wildcard.status == "ok",
    }
    if wildcard.status == "ok":
        return warned(
            "dns.subdomain.undeclared",
            apex,
            "Every name under the domain resolves (wildcard record), so forgotten names cannot be "
            "listed; check the wildcard is intended.",
            **ev,
        )
    if found:
        return warned(
            "dns.subdomain.undeclared",
            apex,
            f"Names that resolve but were not declared: {', '.join(sorted(found))}.",
            **ev,
        )
    return passed(
        "dns.subdomain.undeclared",
        apex,
        "None of the common names (staging, dev, old, ...) resolve besides those declared.",
        **ev,
    )


def provider_of(ns: list[str]) -> str | None:
    for host in ns:
        for marker, name in PROVIDERS.items():
            if marker in host:
                return name
    return None


def nameservers(apex: str, facts: DnsFacts) -> Result:
    if facts.status == "error":
        return errored("dns.nameservers", apex, facts.error or "lookup failed")
    ns = [r.rstrip(".") for r in facts.records]
    if not ns:
        return failed(
            "dns.nameservers",
            apex,
            "No nameservers are listed for the domain.",
            status=facts.status,
        )
    provider = provider_of(ns)
    if len(ns) < 2:
        return warned(
            "dns.nameservers",
            apex,
            f"Only one nameserver ({ns[0]}); two or more avoid a single point of failure.",
            nameservers=ns,
            provider=provider,
        )
    return passed(
        "dns.nameservers",
        apex,
        f"DNS is run by {provider or 'an unrecognised provider'} ({', '.join(ns)}).",
        nameservers=ns,
        provider=provider,
    )


def cloudflare(apex: str, ns: DnsFacts, head: HttpFacts) -> Result:
    server_header, cf_ray = head.header("server"), head.header("cf-ray") is not None
    missing = needs("dns.cloudflare", apex, nameservers=ns, head=head)
    if missing:
        return missing
    by_ns = any("ns.cloudflare.com" in r for r in ns.records)
    proxied = cf_ray or (server_header or "").lower() == "cloudflare"
    ev = {"cloudflare_nameservers": by_ns, "proxied": proxied, "server": server_header}
    if by_ns and proxied:
        return passed("dns.cloudflare", apex, "Cloudflare runs the DNS and proxies the site.", **ev)
    if by_ns:
        return passed(
            "dns.cloudflare",
            apex,
            "Cloudflare runs the DNS, but the site is not proxied (grey cloud).",
            **ev,
        )
    if proxied:
        return passed(
            "dns.cloudflare", apex, "The site is proxied by Cloudflare; the DNS is elsewhere.", **ev
        )
    return passed("dns.cloudflare", apex, "Cloudflare is not in use.", **ev)


def caa(name: str, lookups: list[DnsFacts]) -> Result:
    """RFC 8659: the relevant CAA set is the first one found climbing from the name to
    its parents."""
    climbed = [f.name for f in lookups]
    for f in lookups:
        if f.status == "error":
            return errored("dns.caa", name, f.error or "lookup failed", climbed=climbed)
        if f.records:
            issuers = [r for r in f.records if " issue" in f" {r}" or "issuewild" in r]
            where = "" if f.name == name else f" (inherited from {f.name})"
            return passed(
                "dns.caa",
                name,
                f"CAA restricts certificates to: {', '.join(issuers) or 'nobody'}{where}.",
                records=list(f.records),
                found_at=f.name,
            )
    return warned(
        "dns.caa",
        name,
        "No CAA record: any certificate authority may issue certificates for this domain.",
        climbed=climbed,
    )
