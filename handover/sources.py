"""Read-only adapters to the data other apps own: automated check results (checks),
uptime monitors (checks.monitoring) and the secrets inventory (checks.secrets).

Each adapter imports its models lazily and returns ``None`` when that app has nothing
to offer yet (model or table missing), so the handover says "not recorded yet"
instead of failing. Values of secrets are never read: only names, owners and dates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError

from clients.models import Client, Sprint

log = logging.getLogger(__name__)
T = TypeVar("T")


def _model(app_label: str, name: str) -> Any | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _safely(fn: Callable[..., T]) -> Callable[..., T | None]:
    """A source that breaks (table not migrated, field renamed) reads as "not recorded"."""

    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except (DatabaseError, FieldError, AttributeError, LookupError, TypeError) as exc:
            log.warning("handover source %s unavailable: %r", fn.__name__, exc)
            return None

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# ---------------------------------------------------------------- shapes


STATUS_WORDS = {
    "pass": "OK",
    "warn": "Needs attention",
    "fail": "Failing",
    "error": "Could not check",
}


@dataclass(frozen=True)
class CheckRow:
    check: str
    target: str
    status: str  # pass / warn / fail / error
    summary: str
    checked_at: datetime | None
    title: str = ""
    evidence: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


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


@dataclass(frozen=True)
class MonitorRow:
    name: str
    target: str
    interval: str
    alerts_to: str
    state: str
    last_checked_at: datetime | None = None
    last_result: str = ""  # the last probe's evidence: status code and time, or the error
    uptime_pct: float | None = None  # over the sprint, from rollups and raw results
    p95_ms: float | None = None
    enabled: bool = True


@dataclass(frozen=True)
class SecretRow:
    name: str
    where: str
    owner: str
    last_rotated: date | None
    next_rotation: date | None
    note: str


@dataclass(frozen=True)
class EnvVarRow:
    name: str
    phase: str
    sensitive: bool
    stored_in: str
    owner: str


@dataclass(frozen=True)
class EnvGroup:
    environment: str
    variables: list[EnvVarRow]


@dataclass(frozen=True)
class DeployRow:
    when: datetime | None
    environment: str
    summary: str


# ---------------------------------------------------------------- checks

DNS_IDS = ("dns.apex.resolves", "dns.www.resolves", "dns.subdomain.resolves")


@_safely
def first_check_results(sprint: Sprint) -> list[CheckRow] | None:
    """Results of this sprint's first finished run, to tell what the sprint changed."""
    run_model = _model("checks", "CheckRun")
    if run_model is None:
        return None
    run = (
        run_model.objects.filter(sprint=sprint, status="done").order_by("finished_at", "id").first()
    )
    if run is None:
        return None
    return [
        CheckRow(
            r.check_id, r.target, r.status, r.summary, run.finished_at, r.check_id, r.evidence or {}
        )
        for r in run.results.order_by("check_id", "target")
    ]


@_safely
def check_results(sprint: Sprint) -> list[CheckRow] | None:
    """Results of the latest finished check run of this sprint (else of the client's
    previous sprints); None when no run has finished yet."""
    run_model = _model("checks", "CheckRun")
    if run_model is None:
        return None
    run = (
        run_model.objects.filter(sprint=sprint, status="done")
        .order_by("-finished_at", "-id")
        .first()
        or run_model.objects.filter(sprint__client=sprint.client, status="done")
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return None
    try:
        from checks.catalogue import CHECKS
    except ImportError:
        CHECKS = {}
    rows = []
    for r in run.results.order_by("check_id", "target"):
        info = CHECKS.get(r.check_id)
        rows.append(
            CheckRow(
                r.check_id,
                r.target,
                r.status,
                r.summary,
                run.finished_at,
                info.title if info else r.check_id,
                r.evidence or {},
            )
        )
    return rows


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
        r.target.split(" ")[0]: str(r.evidence.get("issuer") or "")
        for r in results
        if r.check == "tls.trusted"
    }
    by_host: dict[str, CertRow] = {}
    for r in results:
        if r.check != "tls.expiry":
            continue
        host = r.target.split(" ")[0]
        expires = None
        if r.evidence.get("not_after"):
            try:
                expires = datetime.fromisoformat(str(r.evidence["not_after"])).date()
            except ValueError:
                expires = None
        row = CertRow(host, r.status, expires, issuers.get(host, ""), r.summary)
        current = by_host.get(host)
        if current is None or (expires and (current.expires is None or expires < current.expires)):
            by_host[host] = row
    return sorted(by_host.values(), key=lambda c: c.hostname) or None


# ---------------------------------------------------------------- monitoring


def _interval(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "every hour" if hours == 1 else f"every {hours} hours"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return "every minute" if minutes == 1 else f"every {minutes} minutes"
    return f"every {seconds} seconds"


def _last_result(m: Any) -> str:
    if m.last_checked_at is None:
        return ""
    if m.last_error:
        return m.last_error
    parts = [
        f"HTTP {m.last_status_code}" if m.last_status_code else "",
        f"{m.last_latency_ms} ms" if m.last_latency_ms is not None else "",
    ]
    return ", ".join(p for p in parts if p)


@_safely
def monitors(client: Client, since: datetime | None = None) -> list[MonitorRow] | None:
    """What is watched, how often and where alerts go, with uptime and p95 latency since
    ``since`` (the sprint's start). A webhook address is itself a credential, so it is
    described, never printed."""
    model = _model("monitoring", "Monitor")
    if model is None:
        return None
    found = list(model.objects.filter(client=client).order_by("name"))
    periods: dict[int, Any] = {}
    if found and since is not None:
        from django.utils import timezone

        from checks.monitoring import stats

        now = timezone.now()
        hours = max(1, int((now - since).total_seconds() // 3600) + 1)
        by_monitor = stats.hourly([m.pk for m in found], hours=hours, now=now)
        periods = {
            m.pk: stats.period(by_monitor.get(m.pk, {}), hours=hours, now=now) for m in found
        }
    rows = []
    for m in found:
        emails = [e.strip() for e in m.alert_emails.replace("\n", ",").split(",") if e.strip()]
        targets = emails + (["a chat webhook"] if m.webhook_url else [])
        state = m.get_status_display() if m.enabled else "Paused"
        agg = periods.get(m.pk)
        rows.append(
            MonitorRow(
                m.name,
                m.url,
                _interval(m.interval_seconds),
                ", ".join(targets),
                state,
                last_checked_at=m.last_checked_at,
                last_result=_last_result(m),
                uptime_pct=agg.uptime_pct if agg is not None else None,
                p95_ms=agg.p(95) if agg is not None and agg.total else None,
                enabled=m.enabled,
            )
        )
    return rows or None


# ---------------------------------------------------------------- secrets


@_safely
def secrets_inventory(client: Client) -> list[SecretRow] | None:
    """Names, where kept, owners and rotation dates. Never notes, hits or fingerprints."""
    model = _model("secrets", "SecretRecord")
    if model is None:
        return None
    rows = []
    for s in model.objects.filter(client=client).order_by("name"):
        where = s.get_storage_display() + (f" ({s.storage_detail})" if s.storage_detail else "")
        rows.append(SecretRow(s.name, where, s.owner, s.last_rotated, s.rotation_due, s.unlocks))
    return rows or None


@_safely
def deploys_since(client: Client, since: datetime) -> list[DeployRow] | None:
    """Deploys the gate let through during the sprint (for "what changed")."""
    model = _model("secrets", "DeployEvent")
    if model is None:
        return None
    rows = []
    for e in model.objects.filter(client=client, created_at__gte=since, result="ok").order_by(
        "created_at"
    )[:10]:
        rows.append(DeployRow(e.created_at, e.environment or "—", e.version or ""))
    return rows or None


@_safely
def env_vars(client: Client, hosting_vendor: str = "") -> list[EnvGroup] | None:
    """Variable names per environment, and where each is stored."""
    model = _model("secrets", "EnvVar")
    if model is None:
        return None
    record_model = _model("secrets", "SecretRecord")
    stored = {}
    if record_model is not None:
        for s in record_model.objects.filter(client=client):
            stored[s.name] = s.get_storage_display()
    default_store = f"{hosting_vendor} environment settings" if hosting_vendor else ""
    groups: dict[str, list[EnvVarRow]] = {}
    for v in model.objects.filter(client=client).order_by("name"):
        row = EnvVarRow(
            v.name, v.get_phase_display(), v.sensitive, stored.get(v.name, default_store), v.owner
        )
        for env in v.environments or ["(no environment set)"]:
            groups.setdefault(str(env), []).append(row)
    return [EnvGroup(env, rows) for env, rows in sorted(groups.items())] or None


@_safely
def deploy_events(client: Client) -> list[DeployRow] | None:
    model = _model("secrets", "DeployEvent")
    if model is None:
        return None
    rows = []
    for e in model.objects.filter(client=client).order_by("-created_at")[:8]:
        summary = e.get_result_display() + (f", version {e.version}" if e.version else "")
        if e.missing:
            summary += f" (missing: {', '.join(map(str, e.missing))})"
        rows.append(DeployRow(e.created_at, e.environment or "—", summary))
    return rows or None
