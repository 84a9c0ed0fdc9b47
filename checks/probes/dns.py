"""DNS probes."""

from __future__ import annotations

import contextvars
import secrets
from concurrent.futures import ThreadPoolExecutor

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
) -> tuple[dict[str, net.AddressFacts], net.DnsFacts, list[net.DnsFacts]]:
    """Common names that resolve but were not declared, the wildcard probe's answer, and
    every lookup made (concurrently, within the audit's shared DNS budget)."""
    probe = f"lr-{secrets.token_hex(6)}.{apex}"
    names = [f"{label}.{apex}" for label in COMMON_NAMES if f"{label}.{apex}" not in declared]
    with ThreadPoolExecutor(max_workers=6, thread_name_prefix="undeclared") as pool:
        futures = [
            pool.submit(contextvars.copy_context().run, net.dns_query, n, "A", timeout=timeout)
            for n in [probe, *names]
        ]
        wildcard, *lookups = [f.result() for f in futures]
    found = {
        a.name: net.AddressFacts(a.name, a, net.DnsFacts(a.name, "AAAA", "nodata"))
        for a in lookups
        if a.status == "ok"
    }
    return found, wildcard, lookups


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
