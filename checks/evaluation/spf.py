"""SPF (RFC 7208): a pure parser, and verdicts over the include tree the probe fetched.

Lookup counting follows section 4.6.4: ``include``, ``a``, ``mx``, ``ptr``, ``exists``
and the ``redirect`` modifier each cost one DNS lookup, nested includes included; more
than 10 is a permanent error. More than 2 "void" lookups (no answer) is one too. An
``mx`` mechanism whose name has more than 10 MX hosts is a permanent error (4.6.4: at
most 10 address lookups per ``mx``). A ``redirect=`` in a record that has an ``all``
mechanism is ignored, and so are the lookups behind it (6.1). ``ptr`` "SHOULD NOT be
used" (5.5): a warning.

``evaluate`` keeps one check id, ``email.spf``; each rule is a sub-result in
``evidence["rules"]`` with its own status, so staff see which one failed."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from checks.evaluation import Result, errored, failed, passed, warned

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
LOOKUP_MECHANISMS = {"include", "a", "mx", "ptr", "exists"}
_TERM = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?::(.*?))?(/\d+(?://\d+)?|//\d+)?$")
_DOMAIN = re.compile(r"^[A-Za-z0-9_%{}.\-+/=]+$")


@dataclass(frozen=True)
class Term:
    qualifier: str  # + - ~ ?
    mechanism: str  # a mechanism, or "redirect"/"exp"/other modifier name
    value: str | None
    modifier: bool = False


@dataclass(frozen=True)
class SpfRecord:
    terms: tuple[Term, ...]
    errors: tuple[str, ...] = ()

    @property
    def all_qualifier(self) -> str | None:
        return next(
            (t.qualifier for t in self.terms if t.mechanism == "all" and not t.modifier), None
        )

    @property
    def redirect(self) -> str | None:
        return next((t.value for t in self.terms if t.modifier and t.mechanism == "redirect"), None)

    @property
    def includes(self) -> list[str]:
        return [t.value for t in self.terms if t.mechanism == "include" and t.value]

    @property
    def redirect_ignored(self) -> bool:
        """RFC 7208 6.1: with an "all" mechanism present, redirect= is never used."""
        return self.redirect is not None and self.all_qualifier is not None

    @property
    def lookup_terms(self) -> list[Term]:
        live_redirect = not self.redirect_ignored
        return [
            t
            for t in self.terms
            if (not t.modifier and t.mechanism in LOOKUP_MECHANISMS)
            or (t.modifier and t.mechanism == "redirect" and live_redirect)
        ]


def is_spf(txt: str) -> bool:
    lowered = txt.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def parse_spf(txt: str) -> SpfRecord:
    """Parse one record; never raises. Unknown mechanisms and malformed values are errors."""
    parts = txt.split()
    terms: list[Term] = []
    errors: list[str] = []
    if not parts or parts[0].lower() != "v=spf1":
        return SpfRecord((), ("the record does not start with v=spf1",))
    seen_modifiers: set[str] = set()
    for raw in parts[1:]:
        modifier = re.match(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$", raw)
        if modifier:
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name in seen_modifiers and name in {"redirect", "exp"}:
                errors.append(f"{name}= appears twice")
            seen_modifiers.add(name)
            if name in {"redirect", "exp"} and not _DOMAIN.match(value or ""):
                errors.append(f"{name}= needs a domain")
            terms.append(Term("+", name, value, modifier=True))
            continue
        qualifier = raw[0] if raw[0] in "+-~?" else "+"
        body = raw[1:] if raw[0] in "+-~?" else raw
        match = _TERM.match(body)
        if not match or match.group(1).lower() not in MECHANISMS:
            errors.append(f"unknown mechanism {raw!r}")
            continue
        mech, value, cidr = match.group(1).lower(), match.group(2) or None, match.group(3) or ""
        if mech in {"ip4", "ip6"}:
            value = (value or "") + cidr
        if mech in {"include", "exists"} and not value:
            errors.append(f"{mech} needs a domain")
        elif mech in {"ip4", "ip6"}:
            try:
                ipaddress.ip_network(value or "", strict=False)
                if (mech == "ip4") != (":" not in (value or "")):
                    raise ValueError
            except ValueError:
                errors.append(f"{raw!r} is not a valid {mech} network")
                continue
        elif mech == "all" and value:
            errors.append("all takes no value")
        terms.append(Term(qualifier, mech, value))
    return SpfRecord(tuple(terms), tuple(errors))


@dataclass(frozen=True)
class SpfNode:
    """One domain's SPF as fetched by the probe, with the nodes its include/redirect lead to."""

    domain: str
    via: str  # "root", "include", "redirect"
    records: tuple[str, ...] = ()
    error: str | None = None  # DNS could not tell
    loop: bool = False
    depth_exceeded: bool = False
    void_terms: tuple[str, ...] = ()  # a/mx/exists terms whose lookup found nothing
    children: tuple[SpfNode, ...] = field(default_factory=tuple)
    mx_counts: tuple[tuple[str, int], ...] = ()  # per mx mechanism: its name, how many MX hosts

    @property
    def record(self) -> SpfRecord | None:
        return parse_spf(self.records[0]) if len(self.records) == 1 else None


def count_lookups(node: SpfNode) -> int:
    record = node.record
    own = len(record.lookup_terms) if record else 0
    return own + sum(count_lookups(c) for c in node.children)


def count_voids(node: SpfNode) -> int:
    own = len(node.void_terms) + (
        1 if node.via != "root" and not node.records and not node.error else 0
    )
    return own + sum(count_voids(c) for c in node.children)


def _walk(node: SpfNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def tree_lines(node: SpfNode, indent: int = 0) -> list[str]:
    label = node.domain if node.via == "root" else f"{node.via}:{node.domain}"
    note = (
        " (loop)"
        if node.loop
        else " (no SPF record)"
        if not node.records and not node.error
        else f" (error: {node.error})"
        if node.error
        else ""
    )
    own = len(node.record.lookup_terms) if node.record else 0
    lines = [f"{'  ' * indent}{label}{note} [{own} lookup{'s' if own != 1 else ''}]"]
    for child in node.children:
        lines += tree_lines(child, indent + 1)
    return lines


MX_ADDRESS_LIMIT = 10


def _rules(root: SpfNode, nodes: list[SpfNode], lookups: int, voids: int) -> list[dict]:
    """Every rule as a sub-result: {"rule", "status", "detail"}."""
    record = root.record
    syntax = [
        f"{n.domain}: {'; '.join(n.record.errors)}" for n in nodes if n.record and n.record.errors
    ]
    syntax += [f"{n.domain} has {len(n.records)} SPF records" for n in nodes if len(n.records) > 1]
    syntax += [
        f"include:{n.domain} has no SPF record"
        for n in nodes
        if n.via == "include" and not n.records and not n.error
    ]
    if any(n.loop for n in nodes):
        syntax.append("the includes loop back on themselves")
    if any(n.depth_exceeded for n in nodes):
        syntax.append("includes nest too deeply")
    big_mx = [
        f"mx:{name} has {count} MX hosts"
        for n in nodes
        for name, count in n.mx_counts
        if count > MX_ADDRESS_LIMIT
    ]
    ignored = [n.domain for n in nodes if n.record and n.record.redirect_ignored]
    ptr = [
        n.domain
        for n in nodes
        if n.record and any(t.mechanism == "ptr" and not t.modifier for t in n.record.terms)
    ]
    qualifier = record.all_qualifier if record else None

    def rule(name: str, bad: str | None, detail: str, ok: str) -> dict:
        return {"rule": name, "status": bad or "pass", "detail": detail if bad else ok}

    return [
        rule(
            "syntax (RFC 7208 4.6, 4.5)",
            "fail" if syntax else None,
            "; ".join(syntax),
            "every record parses",
        ),
        rule(
            "lookup limit (4.6.4)",
            "fail" if lookups > LOOKUP_LIMIT else None,
            f"{lookups} DNS lookups; the limit is {LOOKUP_LIMIT}",
            f"{lookups} of {LOOKUP_LIMIT} lookups",
        ),
        rule(
            "void lookup limit (4.6.4)",
            "fail" if voids > VOID_LIMIT else None,
            f"{voids} lookups find nothing; the limit is {VOID_LIMIT}",
            f"{voids} of {VOID_LIMIT} void lookups",
        ),
        rule(
            "mx address lookups (4.6.4)",
            "fail" if big_mx else None,
            "; ".join(big_mx) + f"; more than {MX_ADDRESS_LIMIT} is a permanent error",
            "every mx has at most 10 hosts",
        ),
        rule(
            "redirect ignored with all (6.1)",
            "warn" if ignored else None,
            f"redirect= in {', '.join(ignored)} is ignored because the record has an all mechanism",
            "no ignored redirect=",
        ),
        rule(
            "ptr not used (5.5)",
            "warn" if ptr else None,
            f"ptr in {', '.join(ptr)}: slow, unreliable, and receivers may skip it; list addresses "
            "instead",
            "no ptr mechanism",
        ),
        rule(
            "all mechanism",
            {"+": "fail", "?": "warn"}.get(qualifier or "")
            or ("warn" if qualifier is None and not (record and record.redirect) else None),
            "+all lets anyone send as this domain"
            if qualifier == "+"
            else "?all protects nothing; use ~all or -all"
            if qualifier == "?"
            else "no all mechanism, so unlisted senders are neutral; end with ~all or -all",
            f"ends in {qualifier or ''}all" if qualifier else "ends in a redirect=",
        ),
    ]


def evaluate(domain: str, root: SpfNode) -> Result:
    """One verdict for the domain's SPF, with the expanded include tree as evidence."""
    if root.error:
        return errored("email.spf", domain, root.error)
    if not root.records:
        return failed(
            "email.spf",
            domain,
            "No SPF record: anyone can send email that claims to be from this domain.",
        )
    if len(root.records) > 1:
        return failed(
            "email.spf",
            domain,
            f"{len(root.records)} SPF records; there must be exactly one.",
            records=list(root.records),
        )
    lookups, voids = count_lookups(root), count_voids(root)
    ev = {
        "record": root.records[0],
        "lookups": lookups,
        "void_lookups": voids,
        "tree": tree_lines(root),
    }
    nodes = list(_walk(root))
    for node in nodes:
        if node.error:
            return errored("email.spf", domain, f"{node.domain}: {node.error}", **ev)
    ev["rules"] = rules = _rules(root, nodes, lookups, voids)
    failing = [r["detail"] for r in rules if r["status"] == "fail"]
    if failing:
        return failed("email.spf", domain, "SPF is broken: " + "; ".join(failing) + ".", **ev)
    warning = [r["detail"] for r in rules if r["status"] == "warn"]
    if warning:
        return warned("email.spf", domain, "SPF works, but: " + "; ".join(warning) + ".", **ev)
    return passed(
        "email.spf", domain, f"One valid SPF record, {lookups} of {LOOKUP_LIMIT} DNS lookups.", **ev
    )
