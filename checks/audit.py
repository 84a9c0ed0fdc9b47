"""Run every check for one domain: probes in a bounded thread pool, then evaluation.
No database here: the Huey task, the `audit` command and the benchmark all call
``audit_domain`` with a ``DomainSpec`` and get ``Result`` rows back.

One audit never outlives ``CHECKS_AUDIT_DEADLINE_SECONDS`` (default 20): every lookup,
request and handshake runs inside ``net.audit_budget``, whose DNS share is
``CHECKS_DNS_BUDGET_SECONDS`` (default 10); after ``CHECKS_DNS_GIVE_UP_AFTER``
consecutive timeouts or refusals the nameservers are taken as failing and every
remaining lookup is answered with that error at once. A job still running at the
deadline reports its checks as ``error``, never silence."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from checks import net
from checks.evaluation import Result, errored
from checks.evaluation import dns as dns_eval
from checks.evaluation import email as email_eval
from checks.evaluation import http as http_eval
from checks.evaluation import redirects as redirect_eval
from checks.evaluation import spf as spf_eval
from checks.evaluation import tls as tls_eval
from checks.evaluation.dmarc import evaluate as dmarc_evaluate
from checks.probes import dns as dns_probe
from checks.probes import email as email_probe
from checks.probes import web

DEFAULT_P95_MS = 500


@dataclass(frozen=True)
class DomainSpec:
    """What we know a domain is meant to be."""

    apex: str
    subdomains: tuple[str, ...] = ()  # full names, e.g. app.example.com
    canonical_host: str | None = None  # declared canonical name, when known
    dkim_selectors: tuple[str, ...] = ()
    redirects: tuple[tuple[str, str], ...] = ()  # (source URL, expected target URL)
    health_path: str | None = None
    key_routes: tuple[str, ...] = ()
    p95_target_ms: int = DEFAULT_P95_MS
    timeout: float = 5.0

    @property
    def names(self) -> list[str]:
        return [self.apex, f"www.{self.apex}", *self.subdomains]


ProgressFn = Callable[[int, int, str], None]


@dataclass
class _Shared:
    """Facts one job leaves for the final step (certificate coverage)."""

    certs: dict[str, net.TlsFacts] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _job_resolve(spec: DomainSpec, shared: _Shared) -> list[Result]:
    t = spec.timeout
    apex, www = (
        net.resolve_addresses(spec.apex, timeout=t),
        net.resolve_addresses(f"www.{spec.apex}", timeout=t),
    )
    out = [dns_eval.resolves("dns.apex.resolves", apex), dns_eval.resolves("dns.www.resolves", www)]
    facts = [apex.a, www.a]
    for name in spec.subdomains:
        sub = net.resolve_addresses(name, timeout=t)
        out.append(dns_eval.resolves("dns.subdomain.resolves", sub))
        facts.append(sub.a)
    return out + dns_eval.dangling(facts)


def _job_undeclared(spec: DomainSpec, shared: _Shared) -> list[Result]:
    declared = set(spec.names) | {urlsplit_host(s) for s, _ in spec.redirects}
    found, wildcard, lookups = dns_probe.undeclared_names(spec.apex, declared, timeout=spec.timeout)
    out = [dns_eval.undeclared(spec.apex, found, wildcard, lookups)]
    out += dns_eval.dangling([f.a for f in found.values()])
    return out


def urlsplit_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _job_nameservers(spec: DomainSpec, shared: _Shared) -> list[Result]:
    ns = dns_probe.nameservers(spec.apex, timeout=spec.timeout)
    head = net.http_request(f"https://{spec.apex}/", method="HEAD", timeout=spec.timeout)
    return [
        dns_eval.nameservers(spec.apex, ns),
        dns_eval.cloudflare(spec.apex, ns, head),
    ]


def _job_caa(spec: DomainSpec, shared: _Shared) -> list[Result]:
    return [dns_eval.caa(spec.apex, dns_probe.caa_climb(spec.apex, timeout=spec.timeout))]


def _job_web(spec: DomainSpec, shared: _Shared) -> list[Result]:
    """Redirects from the four entry points, then the canonical page's headers."""
    t, apex = spec.timeout, spec.apex
    starts = [
        f"{scheme}://{host}{redirect_eval.PROBE_PATH}"
        for scheme in ("http", "https")
        for host in (apex, f"www.{apex}")
    ]
    chains = [web.follow(url, timeout=t) for url in starts]
    out = [redirect_eval.canonical(apex, chains, spec.canonical_host)]
    for chain in chains:
        if chain.start.startswith("http://"):
            out.append(redirect_eval.https_upgrade(chain))
        out += [
            redirect_eval.hops(chain),
            redirect_eval.preserves_path(chain),
            redirect_eval.no_downgrade(chain),
        ]
    canonical = next(
        (r.evidence.get("canonical") for r in out if r.check_id == "redirect.canonical"), None
    )
    origin = canonical or f"https://{spec.canonical_host or apex}"
    page = net.http_request(origin + "/", timeout=t)
    target = origin + "/"
    out += [
        http_eval.hsts(target, page, chains),
        http_eval.csp(target, page),
        http_eval.content_type_options(target, page),
        http_eval.frame_options(target, page),
        http_eval.referrer_policy(target, page),
        http_eval.cookies(target, page),
        http_eval.mixed_content(target, page),
        http_eval.cache_private(target, page),
    ]
    assets: list[net.HttpFacts] = []
    if not page.error:
        # Up to three same-origin static files: the first is judged for caching, the
        # largest text one (CSS/JS) for compression alongside the page.
        resources = http_eval.page_resources(page)
        same_site = [urljoin(target, a) for a in resources.assets]
        same_site = list(dict.fromkeys(u for u in same_site if u.startswith(origin + "/")))
        assets = [net.http_request(u, timeout=t) for u in same_site[:3]]
    out.append(http_eval.cache_static(target, page, assets[0] if assets else None))
    out.append(http_eval.compression(target, page, http_eval.largest_text_asset(assets)))
    health = net.http_request(origin + spec.health_path, timeout=t) if spec.health_path else None
    out.append(http_eval.health(origin, health))
    for route in ("/", *spec.key_routes):
        out.append(
            http_eval.latency(web.time_requests(origin + route, timeout=t), spec.p95_target_ms)
        )
    return out


def _job_tls(name: str) -> Callable[[DomainSpec, _Shared], list[Result]]:
    def job(spec: DomainSpec, shared: _Shared) -> list[Result]:
        addresses = net.resolve_addresses(name, timeout=spec.timeout)
        if addresses.error:
            with shared.lock:
                shared.certs.setdefault(name, net.TlsFacts(name, None, error=addresses.error))
            return [errored("tls.trusted", name, addresses.error, host=name)]
        if not addresses.addresses:
            return []  # dns.*.resolves already says the name does not exist
        out = []
        for address in addresses.addresses[:4]:
            facts = net.tls_inspect(name, address=address, timeout=spec.timeout)
            with shared.lock:
                shared.certs.setdefault(name, facts)
            out += [
                tls_eval.trusted(facts),
                tls_eval.hostname(facts),
                tls_eval.expiry(facts, net.now_utc()),
            ]
            if facts.error is None:
                out.append(
                    tls_eval.legacy(
                        f"{name} ({address})",
                        net.tls_accepts(name, "TLSv1", address=address, timeout=spec.timeout),
                        net.tls_accepts(name, "TLSv1.1", address=address, timeout=spec.timeout),
                    )
                )
        return out

    return job


def _job_declared(source: str, expected: str) -> Callable[[DomainSpec, _Shared], list[Result]]:
    def job(spec: DomainSpec, shared: _Shared) -> list[Result]:
        return [redirect_eval.declared(source, expected, web.follow(source, timeout=spec.timeout))]

    return job


def _job_mail(spec: DomainSpec, shared: _Shared) -> list[Result]:
    t, d = spec.timeout, spec.apex
    mx = net.dns_query(d, "MX", timeout=t)
    out = [email_eval.mx(d, mx, email_probe.mx_hosts(d, mx, timeout=t))]
    out.append(spf_eval.evaluate(d, email_probe.spf_tree(d, timeout=t)))
    out.append(dmarc_evaluate(email_probe.dmarc(d, timeout=t)))
    return out


def _job_mail_extras(spec: DomainSpec, shared: _Shared) -> list[Result]:
    t, d = spec.timeout, spec.apex
    out = [email_eval.dkim(d, s, email_probe.dkim(d, s, timeout=t)) for s in spec.dkim_selectors]
    if not spec.dkim_selectors:
        out.append(email_eval.no_selectors(d))
    out.append(email_eval.mta_sts(d, *email_probe.mta_sts(d, timeout=t)))
    out.append(email_eval.tls_rpt(d, email_probe.tls_rpt(d, timeout=t)))
    return out


# What a job failing unexpectedly reports: its check ids as `error`, never silence.
_JOB_IDS = {
    _job_resolve: ["dns.apex.resolves"],
    _job_undeclared: ["dns.subdomain.undeclared"],
    _job_nameservers: ["dns.nameservers", "dns.cloudflare"],
    _job_caa: ["dns.caa"],
    _job_web: ["redirect.canonical", "http.hsts"],
    _job_mail: ["email.mx", "email.spf", "email.dmarc"],
    _job_mail_extras: ["email.dkim", "email.mta_sts", "email.tls_rpt"],
}


def job_count(spec: DomainSpec) -> int:
    """How many progress steps ``audit_domain`` reports for ``spec``."""
    return 7 + len(spec.names) + len(spec.redirects)


def audit_domain(
    spec: DomainSpec, *, on_progress: ProgressFn | None = None, max_workers: int | None = None
) -> list[Result]:
    """All checks for one domain, concurrently (bounded by CHECKS_CONCURRENCY)."""
    shared = _Shared()
    jobs: list[tuple[str, Callable, list[str]]] = [
        ("DNS names", _job_resolve, _JOB_IDS[_job_resolve]),
        ("forgotten subdomains", _job_undeclared, _JOB_IDS[_job_undeclared]),
        ("nameservers", _job_nameservers, _JOB_IDS[_job_nameservers]),
        ("CAA", _job_caa, _JOB_IDS[_job_caa]),
        ("redirects and headers", _job_web, _JOB_IDS[_job_web]),
        ("SPF, DMARC and MX", _job_mail, _JOB_IDS[_job_mail]),
        ("DKIM, MTA-STS, TLS-RPT", _job_mail_extras, _JOB_IDS[_job_mail_extras]),
    ]
    jobs += [(f"certificate of {n}", _job_tls(n), ["tls.trusted"]) for n in spec.names]
    jobs += [
        (f"redirect {s}", _job_declared(s, e), ["redirect.declared"]) for s, e in spec.redirects
    ]
    results: list[Result] = []
    workers = max_workers or getattr(settings, "CHECKS_CONCURRENCY", 16)
    seconds = float(getattr(settings, "CHECKS_AUDIT_DEADLINE_SECONDS", 20))
    with net.audit_budget(
        seconds=seconds,
        dns_seconds=float(getattr(settings, "CHECKS_DNS_BUDGET_SECONDS", 10)),
        give_up_after=int(getattr(settings, "CHECKS_DNS_GIVE_UP_AFTER", 3)),
    ) as budget:
        pool = ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="audit")
        try:
            # Each job runs in a copy of this context, so it sees the audit's budget.
            futures = {
                pool.submit(contextvars.copy_context().run, fn, spec, shared): (label, ids)
                for label, fn, ids in jobs
            }
            pending, done_count = set(futures), 0
            while pending:
                # A little grace past the budget: the jobs' own deadlines end them first.
                left = budget.end - time.monotonic() + 1.0
                if left <= 0:
                    break
                finished, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
                for future in finished:
                    done_count += 1
                    label, ids = futures[future]
                    try:
                        results += future.result()
                    except Exception as exc:  # noqa: BLE001 - a bug in one probe must not lose the run
                        results += [
                            errored(
                                i,
                                spec.apex,
                                f"internal error in {label}: {exc.__class__.__name__}: {exc}",
                            )
                            for i in ids
                        ]
                    if on_progress:
                        on_progress(done_count, len(jobs), label)
            for future in pending:
                label, ids = futures[future]
                reason = f"{label} did not finish within the audit's {seconds:g} s deadline"
                results += [errored(i, spec.apex, reason) for i in ids]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        results.append(tls_eval.coverage(spec.apex, spec.names, shared.certs))
        if budget.failing:
            results = [_with_resolver_note(r, budget.failing) for r in results]
    return sorted(results, key=lambda r: (r.check_id, r.target))


def _with_resolver_note(result: Result, failing: str) -> Result:
    """Errors caused by failing nameservers say so in their evidence, for staff."""
    if result.status != "error" or "resolver" in result.evidence:
        return result
    return Result(
        result.check_id,
        result.target,
        result.status,
        result.summary,
        {**result.evidence, "resolver": failing},
    )
