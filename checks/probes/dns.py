"""DNS probes."""

from __future__ import annotations

import secrets

from checks import net

COMMON_NAMES = (
    "staging",
    "stage",
    "dev",
    "test",
    "beta",
    "old",
    "demo",
    "preview",
    "qa",
    "admin",
    "api",
    "app",
    "dashboard",
    "mail",
    "vpn",
    "git",
    "ci",
    "db",
)


def undeclared_names(
    apex: str, declared: set[str], *, timeout: float = 3.0
) -> tuple[dict[str, net.AddressFacts], bool]:
    """Common names that resolve but were not declared, and whether a wildcard answers."""
    probe = f"lr-{secrets.token_hex(6)}.{apex}"
    wildcard = net.dns_query(probe, "A", timeout=timeout).status == "ok"
    found = {}
    for label in COMMON_NAMES:
        name = f"{label}.{apex}"
        if name in declared:
            continue
        a = net.dns_query(name, "A", timeout=timeout)
        if a.status == "ok":
            found[name] = net.AddressFacts(name, a, net.DnsFacts(name, "AAAA", "nodata"))
    return found, wildcard


def caa_climb(name: str, *, timeout: float = 3.0) -> list[net.DnsFacts]:
    """CAA lookups from ``name`` up to (not including) the top-level domain, stopping at
    the first answer or error."""
    out = []
    labels = name.rstrip(".").split(".")
    for i in range(len(labels) - 1):
        facts = net.dns_query(".".join(labels[i:]), "CAA", timeout=timeout)
        out.append(facts)
        if facts.records or facts.status == "error":
            break
    return out


def nameservers(apex: str, *, timeout: float = 3.0) -> net.DnsFacts:
    """NS of the zone, climbing to the parent when the name is not a zone apex."""
    labels = apex.split(".")
    facts = net.dns_query(apex, "NS", timeout=timeout)
    for i in range(1, len(labels) - 1):
        if facts.records or facts.status == "error":
            break
        facts = net.dns_query(".".join(labels[i:]), "NS", timeout=timeout)
    return facts
