"""DNS for the network boundary (``checks.net`` re-exports everything public here):
the resolver settings, one audit's budget, and lookups that never raise.
See ``checks/net.py`` for the public API."""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver
import idna
from django.conf import settings

# ---------------------------------------------------------------- settings


def nameservers() -> list[tuple[str, int]]:
    out = []
    for entry in getattr(settings, "LAUNCHREADY_DNS_NAMESERVERS", []) or []:
        entry = entry.strip()
        if entry.startswith("["):  # [v6]:port
            host, _, port = entry[1:].partition("]:")
            out.append((host, int(port or 53)))
        elif entry.count(":") == 1:
            host, port = entry.split(":")
            out.append((host, int(port)))
        else:
            out.append((entry, 53))
    return out


def ca_bundle() -> str | None:
    return getattr(settings, "LAUNCHREADY_CA_BUNDLE", None) or None


def http_port() -> int:
    return int(getattr(settings, "LAUNCHREADY_HTTP_PORT", 80))


def https_port() -> int:
    return int(getattr(settings, "LAUNCHREADY_HTTPS_PORT", 443))


def allow_private_targets() -> bool:
    return bool(getattr(settings, "LAUNCHREADY_ALLOW_PRIVATE_TARGETS", False))


# ---------------------------------------------------------------- budget


@dataclass
class Budget:
    """One audit's time: a deadline for everything, a shorter one for its DNS phase, and
    what the lookups so far say about the nameservers."""

    end: float  # monotonic
    dns_end: float
    give_up_after: int = 3
    consecutive_failures: int = 0
    failing: str | None = None  # why the nameservers are taken as failing
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, facts: DnsFacts) -> None:
        with self.lock:
            if facts.status != "error":
                self.consecutive_failures = 0
            elif facts.server_failure:
                self.consecutive_failures += 1
                if self.consecutive_failures >= self.give_up_after and self.failing is None:
                    self.failing = (
                        f"{facts.error}; after {self.consecutive_failures} such failures in a row"
                        " the remaining lookups were not sent"
                    )


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "launchready_budget", default=None
)


@contextlib.contextmanager
def audit_budget(*, seconds: float, dns_seconds: float, give_up_after: int = 3) -> Iterator[Budget]:
    """Bound everything done inside (see the module docstring)."""
    now = time.monotonic()
    budget = Budget(
        end=now + seconds, dns_end=now + min(seconds, dns_seconds), give_up_after=give_up_after
    )
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current_budget() -> Budget | None:
    return _budget.get()


# ---------------------------------------------------------------- DNS


def make_resolver(timeout: float = 3.0) -> dns.resolver.Resolver:
    servers = nameservers()
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in servers]
    resolver.lifetime = timeout
    resolver.timeout = min(timeout, 2.0)
    resolver.retry_servfail = False
    resolver.cache = None
    return resolver


@dataclass(frozen=True)
class DnsFacts:
    name: str
    rdtype: str
    status: str  # ok | nxdomain | nodata | error
    records: tuple[str, ...] = ()
    cname_chain: tuple[str, ...] = ()  # CNAME targets seen on the way, in order
    ttl: int | None = None
    error: str | None = None
    # The error was a timeout or a refusal: it says the nameservers are failing, not
    # that this one name is broken (a SERVFAIL for one name does not count).
    server_failure: bool = field(default=False, compare=False)

    @property
    def exists(self) -> bool:
        return self.status == "ok"


# A few seconds of memory for answers: one audit asks for the same names dozens of
# times (every HTTP request resolves its host). Bounded by the record's TTL; errors are
# never cached. ``clear_dns_cache()`` forgets everything (tests call it between cases).
DNS_CACHE_SECONDS = 5.0
_dns_cache: dict[tuple, tuple[float, DnsFacts]] = {}
_dns_cache_lock = threading.Lock()


def clear_dns_cache() -> None:
    with _dns_cache_lock:
        _dns_cache.clear()


def ascii_name(name: str) -> str:
    """A name in its ASCII form by IDNA 2008 with UTS #46 mapping, as browsers resolve
    it (dnspython and Python's codec would use IDNA 2003: faß -> fass, another domain).
    Raises ``idna.IDNAError`` (a ``UnicodeError``) for an invalid label."""
    name = name.rstrip(".").lower()
    if name.isascii():
        return name
    return idna.encode(name, uts46=True).decode("ascii")


def dns_query(name: str, rdtype: str, *, timeout: float = 3.0) -> DnsFacts:
    """Look one name up. NXDOMAIN and empty answers are facts; SERVFAIL, timeouts and
    refusals are errors ("could not tell"), never "missing"."""
    try:
        name = ascii_name(name)
    except UnicodeError as exc:
        return DnsFacts(name, rdtype, "error", error=f"{name!r} is not a valid domain name: {exc}")
    key = (tuple(nameservers()), name, rdtype)
    now = time.monotonic()
    with _dns_cache_lock:
        hit = _dns_cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
    budget = _budget.get()
    if budget is not None:
        if budget.failing:
            return DnsFacts(name, rdtype, "error", error=budget.failing)
        left = budget.dns_end - now
        if left <= 0.05:
            reason = f"the DNS budget for this domain ran out (asking {_servers_text()})"
            with budget.lock:
                budget.failing = budget.failing or reason
            return DnsFacts(name, rdtype, "error", error=reason)
        timeout = min(timeout, left)
    if budget is None:
        facts = _dns_query(name, rdtype, timeout)
    else:
        facts = _budgeted_query(name, rdtype, timeout, budget)
    if facts.status != "error":
        ttl = DNS_CACHE_SECONDS if facts.ttl is None else min(facts.ttl, DNS_CACHE_SECONDS)
        with _dns_cache_lock:
            if len(_dns_cache) > 10_000:
                _dns_cache.clear()
            _dns_cache[key] = (now + ttl, facts)
    return facts


ATTEMPT_SECONDS = 2.0  # one try inside a budget; dnspython's own per-try timeout too


def _budgeted_query(name: str, rdtype: str, timeout: float, budget: Budget) -> DnsFacts:
    """Tries of at most ATTEMPT_SECONDS until ``timeout``: each unanswered try counts
    towards the budget's verdict on the nameservers, and once they are taken as failing
    no further try is sent, so a lookup in flight does not wait out its whole timeout
    after the audit has learnt the nameservers are a black hole."""
    end = time.monotonic() + timeout
    while True:
        facts = _dns_query(name, rdtype, min(ATTEMPT_SECONDS, max(0.05, end - time.monotonic())))
        budget.record(facts)
        unanswered = facts.server_failure and (facts.error or "").startswith("no answer")
        if not unanswered or budget.failing or end - time.monotonic() <= 0.05:
            return facts


def _dns_query(name: str, rdtype: str, timeout: float) -> DnsFacts:
    resolver = make_resolver(timeout)
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN as exc:
        # Keep the CNAME chain: an alias pointing at a name that does not exist is
        # exactly the dangling-record takeover risk the checks look for.
        responses = list(exc.responses().values())
        chain = _cname_chain(responses[0], name) if responses else ()
        return DnsFacts(name, rdtype, "nxdomain", cname_chain=chain)
    except dns.resolver.LifetimeTimeout:
        reason = f"no answer from the DNS servers ({_servers_text()}) within {timeout:.3g} s"
        return DnsFacts(name, rdtype, "error", error=reason, server_failure=True)
    except dns.resolver.NoNameservers as exc:
        reason, refused = _no_nameservers_reason(exc)
        return DnsFacts(name, rdtype, "error", error=reason, server_failure=refused)
    except dns.exception.DNSException as exc:
        return DnsFacts(
            name, rdtype, "error", error=f"DNS lookup failed: {exc.__class__.__name__}: {exc}"
        )
    chain = _cname_chain(answer.response, name)
    if answer.rrset is None:
        return DnsFacts(name, rdtype, "nodata", cname_chain=chain)
    records = tuple(sorted(_rdata_text(r) for r in answer.rrset))
    return DnsFacts(name, rdtype, "ok", records=records, cname_chain=chain, ttl=answer.rrset.ttl)


def _servers_text() -> str:
    servers = nameservers()
    if not servers:
        return "the system resolver"
    return ", ".join(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in servers)


def _no_nameservers_reason(exc: dns.resolver.NoNameservers) -> tuple[str, bool]:
    """Why, and whether it was a refusal (the server, not the name, is the problem)."""
    errors = exc.kwargs.get("errors") or []
    for server, _tcp, port, _exc, answer in errors:
        if isinstance(answer, dns.message.Message):
            rcode = dns.rcode.to_text(answer.rcode())
            ip = str(server).removeprefix("Do53:").rpartition("@")[0] or str(server)
            where = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
            return f"the DNS server {where} answered {rcode}", rcode in {
                "REFUSED",
                "NOTAUTH",
                "NOTIMP",
            }
    if errors:
        return f"the DNS servers ({_servers_text()}) failed: {errors[0][3]}", True
    return f"the DNS servers ({_servers_text()}) could not answer (SERVFAIL)", False


def _rdata_text(rdata) -> str:
    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")
    return rdata.to_text().lower() if rdata.rdtype in _LOWER else rdata.to_text()


_LOWER = {dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.MX}


def _cname_chain(response: dns.message.Message, name: str) -> tuple[str, ...]:
    chain, current = [], dns.name.from_text(name)
    for _ in range(16):
        rrset = next(
            (r for r in response.answer if r.rdtype == dns.rdatatype.CNAME and r.name == current),
            None,
        )
        if rrset is None:
            break
        current = rrset[0].target
        chain.append(current.to_text().rstrip(".").lower())
    return tuple(chain)


@dataclass(frozen=True)
class AddressFacts:
    name: str
    a: DnsFacts
    aaaa: DnsFacts

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a.records + self.aaaa.records

    @property
    def error(self) -> str | None:
        # One family failing while the other answered is still an answer.
        if self.addresses:
            return None
        return self.a.error or self.aaaa.error


def resolve_addresses(name: str, *, timeout: float = 3.0) -> AddressFacts:
    return AddressFacts(
        name, dns_query(name, "A", timeout=timeout), dns_query(name, "AAAA", timeout=timeout)
    )
