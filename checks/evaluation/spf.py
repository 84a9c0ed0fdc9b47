"""SPF (RFC 7208): a pure parser, and verdicts over the include tree the probe fetched.

Lookup counting follows section 4.6.4: ``include``, ``a``, ``mx``, ``ptr``, ``exists``
and the ``redirect`` modifier each cost one DNS lookup, nested includes included; more
than 10 is a permanent error. More than 2 "void" lookups (no answer) is one too."""

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
    def lookup_terms(self) -> list[Term]:
        return [
            t
            for t in self.terms
            if (not t.modifier and t.mechanism in LOOKUP_MECHANISMS)
            or (t.modifier and t.mechanism == "redirect")
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
    record = root.record
    lookups, voids = count_lookups(root), count_voids(root)
    ev = {
        "record": root.records[0],
        "lookups": lookups,
        "void_lookups": voids,
        "tree": tree_lines(root),
    }
    problems = []
    nodes = list(_walk(root))
    for node in nodes:
        if node.error:
            return errored("email.spf", domain, f"{node.domain}: {node.error}", **ev)
        if node.record and node.record.errors:
            problems.append(f"{node.domain}: {'; '.join(node.record.errors)}")
        if len(node.records) > 1:
            problems.append(f"{node.domain} has {len(node.records)} SPF records")
        if node.via == "include" and not node.records:
            problems.append(f"include:{node.domain} has no SPF record")
    if any(n.loop for n in nodes):
        problems.append("the includes loop back on themselves")
    if any(n.depth_exceeded for n in nodes):
        problems.append("includes nest too deeply")
    if lookups > LOOKUP_LIMIT:
        problems.append(f"{lookups} DNS lookups; the limit is {LOOKUP_LIMIT}")
    if voids > VOID_LIMIT:
        problems.append(f"{voids} lookups find nothing; the limit is {VOID_LIMIT}")
    if record.all_qualifier == "+":
        problems.append("+all lets anyone send as this domain")
    if problems:
        return failed("email.spf", domain, "SPF is broken: " + "; ".join(problems) + ".", **ev)
    if record.all_qualifier == "?":
        return warned(
            "email.spf", domain, "SPF ends in ?all, which protects nothing; use ~all or -all.", **ev
        )
    if record.all_qualifier is None and not record.redirect:
        return warned(
            "email.spf",
            domain,
            "SPF has no all mechanism, so unlisted senders are treated as neutral; end it with ~all or -all.",
            **ev,
        )
    return passed(
        "email.spf", domain, f"One valid SPF record, {lookups} of {LOOKUP_LIMIT} DNS lookups.", **ev
    )
