"""The handover document as data: each section built from its source of truth.

The on-screen handover page and the PDF are rendered from the same ``Handover``
object, so what the consultant reviews is what the founder receives. Only
founder-visible data is read here: never staff notes, evidence, account notes or
anything the secrets app keeps about a secret beyond its name, owner and dates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from checks.browser.selectors import page_speed_rows
from clients import vendors
from clients.models import (
    AccountKind,
    Client,
    Decision,
    Domain,
    DomainRole,
    Finding,
    FindingStatus,
    GlossaryTerm,
    Impact,
    ServiceAccount,
    Sprint,
    StageStatus,
)
from handover import sources
from handover.signing import SignerInfo
from handover.texts import Facts, Vendors, defaults

# Field key -> (label on the edit form, shown as numbered steps?), in section order.
EDITABLE: dict[str, tuple[str, bool]] = {
    "summary.message": ("Message to the founder", False),
    "domains.renewal": ("Who renews what", False),
    "domains.change": ("How to change a DNS record safely", True),
    "edge.status": ("What the edge does", False),
    "edge.caching": ("Caching rules", False),
    "edge.ddos": ("DDoS protection", False),
    "email.change": ("How to change SPF/DKIM/DMARC safely", True),
    "deployment.where": ("Where it runs", False),
    "deployment.redeploy": ("How to redeploy", True),
    "deployment.rollback": ("How to roll back", True),
    "deployment.who": ("Who can deploy", False),
    "config.note": ("About configuration", False),
    "monitoring.note": ("About monitoring", False),
    "emergency.down": ("The site is down", True),
    "emergency.spam": ("Emails go to spam", True),
    "emergency.certificate": ("The certificate expired", True),
    "emergency.leak": ("A key leaked", True),
    "emergency.signin": ("A deploy broke sign-in", True),
}
MAX_EDIT_CHARS = 4000

SECTION_TITLES: list[tuple[str, str, str]] = [
    ("summary", "Summary", "What this sprint delivered, in one page."),
    (
        "domains",
        "Domains and DNS",
        "Your web addresses, where they are managed, and the padlock certificates.",
    ),
    (
        "edge",
        "Edge: protection and speed",
        "The service in front of your site that keeps it fast and shields it.",
    ),
    ("email", "Email", "How your emails are sent and proven to be really from you."),
    (
        "deployment",
        "Deployment",
        "Where the app runs and how to put out, or take back, a new version.",
    ),
    (
        "config",
        "Configuration and secrets",
        "The settings and keys the app needs, by name only, never a value.",
    ),
    ("monitoring", "Monitoring", "What is watched, how often, and who is told when it breaks."),
    (
        "risks",
        "Open risks and changes",
        "What is not fixed yet, what was decided, and what changed.",
    ),
    ("emergency", "Emergency steps", "What to do, step by step, when something goes wrong."),
    (
        "contacts",
        "Vendors, support and renewals",
        "Every outside account: who owns it, where to sign in, when it renews.",
    ),
    ("glossary", "Glossary", "The technical words this document uses."),
    ("signature", "Checking this document", "How to confirm this PDF is genuine and unchanged."),
    (
        "appendix",
        "Appendix: evidence",
        "Uptime and speed of each monitor over the sprint, and the last automated check run.",
    ),
]

DECISION_WORDS: dict[str, str] = {
    Decision.ACCEPTED: "Accepted risk",
    Decision.CAN_WAIT: "Planned for after launch",
    Decision.MUST_NOW: "Being fixed now",
}
IMPACT_WORDS = [
    (
        Impact.BLOCKER,
        "Launch blocker",
        "Must be fixed before launch: it can take the site down, lose data or let strangers in.",
    ),
    (
        Impact.TRUST,
        "Trust issue",
        "The site works, but customers could lose trust: emails in spam, warnings, spoofing.",
    ),
    (Impact.CLEANUP, "Cleanup", "Tidying up that can wait: nothing breaks today."),
]
ROLE_PURPOSE: dict[str, str] = {
    DomainRole.CANONICAL: "The main address of your site",
    DomainRole.WWW: "Sends visitors to the main address",
    DomainRole.APP: "The web app",
    DomainRole.API: "The app's API (used by the app, not by people)",
    DomainRole.ADMIN: "Admin screens",
    DomainRole.MAIL: "Email",
    DomainRole.CAMPAIGN: "Campaign link that forwards visitors",
    DomainRole.OLD: "Old address that forwards visitors",
    DomainRole.OTHER: "Other",
}
# Words in a risk that name an outside account of a kind (besides its vendor's name).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    AccountKind.AI: ("ai provider", "llm", "openai", "anthropic"),
    AccountKind.PAYMENTS: ("payment", "stripe"),
    AccountKind.REGISTRAR: ("registrar",),
    AccountKind.HOSTING: ("hosting",),
    AccountKind.EMAIL: ("email provider", "sending provider"),
    AccountKind.DNS: ("dns provider",),
    AccountKind.CODE: ("repository",),
    AccountKind.DATABASE: ("database",),
}
OWNER_JOBS = [
    ("deploy", "Deploys", "deploy_owner"),
    ("rollback", "Rolling back a bad version", "rollback_owner"),
    ("alerts", "Answering alerts", "alerts_owner"),
    ("renewals", "Renewals (domain, certificates, plans)", "renewals_owner"),
]


@dataclass(frozen=True)
class Text:
    """An editable passage. The suggestion is a draft: it is printed only when the
    consultant confirmed it (as it reads now) or wrote their own wording."""

    key: str
    label: str
    value: str
    default: str
    steps: bool
    confirmed: bool = False

    @property
    def edited(self) -> bool:
        return self.value != self.default

    @property
    def printed(self) -> bool:
        return bool(self.value) and (self.edited or self.confirmed)

    @property
    def to_confirm(self) -> bool:
        return bool(self.value) and not self.printed

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.value.splitlines() if line.strip()]

    @property
    def field_name(self) -> str:
        return self.key.replace(".", "__")


@dataclass
class Section:
    key: str
    number: int
    title: str
    lead: str
    texts: dict[str, Text] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"handover/sections/{self.key}.html"

    @property
    def anchor(self) -> str:
        return f"sec-{self.key}"


@dataclass
class Handover:
    client: Client
    sprint: Sprint
    sections: list[Section]
    version: int
    signer: SignerInfo | None
    issued_at: datetime | None
    generated_at: datetime
    consultant: dict[str, str] = field(default_factory=dict)
    timestamped: bool = False  # an RFC 3161 authority is configured
    site_url: str = ""
    # Set when issued despite readiness gaps: printed on page one.
    gaps: list[str] = field(default_factory=list)
    override_reason: str = ""

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def verify_url(self) -> str:
        if not self.site_url:
            return ""
        return self.site_url.rstrip("/") + reverse("handover:handover_verify")


def _consultant(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    return {
        "name": user.get_full_name() or user.get_username(),
        "email": settings.CONSULTANT_EMAIL or getattr(user, "email", ""),
        "phone": settings.CONSULTANT_PHONE,
    }


def _first(accounts: list[ServiceAccount], *kinds: str) -> ServiceAccount | None:
    return next((a for a in accounts if a.kind in kinds), None)


def _of_kind(accounts: list[ServiceAccount], *kinds: str) -> list[ServiceAccount]:
    return [a for a in accounts if a.kind in kinds]


def _canonical(domains: list[Domain]) -> Domain | None:
    return next((d for d in domains if d.role == DomainRole.CANONICAL), None)


def _texts(
    prefix: str, values: dict[str, str], edits: dict[str, str], confirmed: dict[str, str]
) -> dict[str, Text]:
    out = {}
    for key, (label, steps) in EDITABLE.items():
        if key.startswith(prefix + "."):
            default = values[key]
            edited = (edits.get(key) or "").strip()
            ok = bool(default) and confirmed.get(key) == default
            out[key.split(".", 1)[1]] = Text(key, label, edited or default, default, steps, ok)
    return out


def _redirects(domains: list[Domain], canonical_url: str) -> list[dict[str, str]]:
    rows = []
    for d in domains:
        if d.role == DomainRole.WWW and canonical_url:
            rows.append(
                {
                    "source": d.hostname,
                    "target": canonical_url,
                    "why": "www and the bare name lead to one address",
                }
            )
        elif d.redirects:
            rows.append(
                {
                    "source": d.hostname,
                    "target": d.redirect_to or canonical_url,
                    "why": ROLE_PURPOSE[d.role],
                }
            )
    return rows


def _visual(
    stages: list[Any], checks: sources.CheckCounts | None, open_risks: list[Finding]
) -> dict[str, Any]:
    """Numbers and bar geometry for the first-page summary (inline SVG, no template maths)."""
    by_impact = Counter(f.impact for f in open_risks)
    biggest = max(by_impact.values(), default=0) or 1
    risk_bars = [
        {
            "label": label,
            "impact": value,
            "count": by_impact.get(value, 0),
            "width": round(220 * by_impact.get(value, 0) / biggest),
        }
        for value, label in Impact.choices
    ]
    check_bars = None
    if checks is not None and checks.total:
        parts, x = [], 0.0
        warnings = "warning" if checks.warned == 1 else "warnings"
        for name, count, css in (
            ("passed", checks.passed, "pass"),
            (warnings, checks.warned, "warn"),
            ("failed", checks.failed, "fail"),
            ("could not tell", checks.errors, "error"),
        ):
            width = 300 * count / checks.total
            parts.append(
                {
                    "name": name,
                    "count": count,
                    "css": css,
                    "x": round(x, 1),
                    "width": round(width, 1),
                }
            )
            x += width
        check_bars = parts
    return {
        "stages": [
            {
                "number": s.number,
                "title": s.title,
                "done": s.status == StageStatus.DONE,
                "x": (s.number - 1) * 46,
            }
            for s in stages
        ],
        "stages_done": sum(1 for s in stages if s.status == StageStatus.DONE),
        "checks": checks,
        "check_bars": check_bars,
        "risk_bars": risk_bars,
        "open_total": len(open_risks),
    }


def _annotate_accounts(accounts: list[ServiceAccount]) -> None:
    """Support and sign-in links for the templates: the client's own support entry,
    else the playbook's vendor catalogue; a sign-in location that is a URL is linked."""
    for a in accounts:
        first = (a.login_location or "").split(" ")[0]
        # Attributes for the templates only, on the instances (not model fields).
        setattr(a, "support", vendors.support_contact(a))  # noqa: B010
        setattr(a, "status_page", vendors.status_page(a))  # noqa: B010
        setattr(a, "login_url", first if first.startswith(("https://", "http://")) else "")  # noqa: B010


def _risk_accounts(
    finding: Finding, accounts: list[ServiceAccount]
) -> tuple[list[ServiceAccount], list[str]]:
    """The accounts a risk names (by vendor or by kind), and kinds it names that are not
    on record."""
    words = f"{finding.title} {finding.founder_explanation}".lower()
    linked = [a for a in accounts if len(a.vendor) >= 3 and a.vendor.lower() in words]
    missing = []
    for kind, keys in KIND_WORDS.items():
        if any(k in words for k in keys):
            of_kind = [a for a in accounts if a.kind == kind]
            if of_kind:
                linked += [a for a in of_kind if a not in linked]
            else:
                missing.append(AccountKind(kind).label)
    return linked, missing


def _setup_changes(
    sprint: Sprint,
    findings: list[Finding],
    first: list[sources.CheckRow] | None,
    last: list[sources.CheckRow] | None,
    client: Client,
) -> list[dict[str, Any]]:
    """What changed in the client's setup during the sprint: findings fixed, checks that
    went from failing to passing, DNS records added, deploys, keys rotated."""
    out: list[dict[str, Any]] = []
    for f in findings:
        if f.status != FindingStatus.OPEN:
            out.append(
                {
                    "when": f.updated_at,
                    "what": f"Fixed: {f.title}"
                    + (
                        " (confirmed by a later check)"
                        if f.status == FindingStatus.VERIFIED
                        else ""
                    ),
                }
            )
    if first and last and first[0].checked_at != last[0].checked_at:
        before = {(r.check, r.target): r.status for r in first}
        for r in last:
            if r.status == "pass" and before.get((r.check, r.target)) in {"fail", "warn"}:
                out.append({"when": r.checked_at, "what": f"Now passing: {r.title} ({r.target})"})
        old_dns = {(d.name, d.rtype, d.value) for d in sources.dns_records(first) or []}
        for d in sources.dns_records(last) or []:
            if d.rtype != "—" and (d.name, d.rtype, d.value) not in old_dns:
                out.append(
                    {
                        "when": last[0].checked_at,
                        "what": f"DNS record added: {d.name} {d.rtype} {d.value}",
                    }
                )
    for e in sources.deploys_let_through(client, sprint.started_at) or []:
        out.append(
            {
                "when": e.when,
                "what": f"Deployed{' version ' + e.summary if e.summary else ''} to "
                f"{e.environment}",
            }
        )
    for s in sources.secret_rows(client) or []:
        if s.last_rotated and s.last_rotated >= sprint.started_at.date():
            out.append({"when": None, "what": f"Key rotated: {s.name}"})
    return sorted(out, key=lambda c: (c["when"] is None, c["when"] or timezone.now()))


def _facts(
    vendors_: Vendors,
    canonical_url: str,
    results: list[sources.CheckRow] | None,
    certificates: list[sources.CertRow] | None,
    env_vars: list[sources.EnvGroup] | None,
    owners: dict[str, str],
    accounts: list[ServiceAccount],
) -> Facts:
    by_id = {r.check: r for r in results or []}
    cf = by_id.get("dns.cloudflare")
    passing = {k: r.summary for k, r in by_id.items() if r.status == "pass"}
    dated = [c.expires for c in certificates or [] if c.expires is not None]
    return Facts(
        vendors=vendors_,
        canonical=canonical_url,
        cert_issuers=tuple(sorted({c.issuer for c in certificates or [] if c.issuer})),
        cert_earliest=min(dated, default=None),
        cloudflare_summary=cf.summary if cf is not None and cf.status == "pass" else "",
        cloudflare_proxied=bool(cf is not None and cf.evidence.get("proxied")),
        cache_static=passing.get("http.cache_static", ""),
        cache_private=passing.get("http.cache_private", ""),
        environments=tuple(
            g.environment for g in env_vars or [] if not g.environment.startswith("(")
        ),
        owners=owners,
        support={a.code: getattr(a, "support") for a in accounts if getattr(a, "support", None)},  # noqa: B009
    )


def build_handover(
    sprint: Sprint,
    *,
    edits: dict[str, str] | None = None,
    version: int | None = None,
    signer: SignerInfo | None = None,
    issued_at: datetime | None = None,
) -> Handover:
    """Assemble every section of a sprint's handover from the data the app holds."""
    client = sprint.client
    draft = _draft(sprint)
    edits = edits if edits is not None else dict(draft.edits if draft else {})
    confirmed = dict(draft.confirmed if draft else {})
    accounts = list(client.accounts.all())
    _annotate_accounts(accounts)
    domains = list(client.domains.all())
    stages = list(sprint.stages.order_by("number"))
    findings = list(
        sprint.findings.select_related("stage").order_by("status", "impact", "-created_at")
    )
    open_risks = [f for f in findings if f.status == FindingStatus.OPEN]
    canonical = _canonical(domains)
    canonical_url = f"https://{canonical.hostname}/" if canonical else ""
    vendors_ = Vendors(
        registrar=_first(accounts, AccountKind.REGISTRAR),
        dns=_first(accounts, AccountKind.DNS),
        edge=_first(accounts, AccountKind.EDGE)
        or next((a for a in accounts if "cloudflare" in a.vendor.lower()), None),
        hosting=_first(accounts, AccountKind.HOSTING),
        email=_first(accounts, AccountKind.EMAIL),
        code=_first(accounts, AccountKind.CODE),
        monitoring=_first(accounts, AccountKind.MONITORING),
    )
    results = sources.latest_check_results(sprint)
    counts = sources.check_counts(results)
    monitors = sources.monitor_rows(client, since=sprint.started_at)
    certificates = sources.certificates(results)
    env_vars = sources.env_groups(client, vendors_.hosting.vendor if vendors_.hosting else "")
    owners = {
        key: getattr(client, attr) for key, _label, attr in OWNER_JOBS if getattr(client, attr)
    }
    values = defaults(
        _facts(vendors_, canonical_url, results, certificates, env_vars, owners, accounts)
    )
    if version is None:
        version = (
            sprint.handovers.order_by("-version").values_list("version", flat=True).first() or 0
        ) + 1
    risks = []
    for f in open_risks:
        linked, missing = _risk_accounts(f, accounts)
        risks.append(
            {
                "finding": f,
                "decision": DECISION_WORDS.get(f.decision, f.get_decision_display()),
                "accounts": linked,
                "missing_accounts": missing,
            }
        )

    data: dict[str, dict[str, Any]] = {
        "summary": {
            "visual": _visual(stages, counts, open_risks),
            "outcome": sprint.get_outcome_display(),
            "outcome_key": sprint.outcome,
            "glance": _glance(canonical_url, vendors_, monitors),
            "impacts": IMPACT_WORDS,
        },
        "domains": {
            "registrars": _of_kind(accounts, AccountKind.REGISTRAR),
            "dns_providers": _of_kind(accounts, AccountKind.DNS),
            "canonical_url": canonical_url,
            "redirects": _redirects(domains, canonical_url),
            "names": [
                {
                    "hostname": d.hostname,
                    "role": d.get_role_display(),
                    "purpose": d.purpose or ROLE_PURPOSE[d.role],
                }
                for d in domains
            ],
            "dns_map": sources.dns_records(results),
            "certificates": certificates,
            "redirect_checks": sources.results_matching(results, "redirect."),
        },
        "edge": {
            "accounts": _of_kind(accounts, AccountKind.EDGE)
            or ([vendors_.edge] if vendors_.edge else []),
            **_edge_checks(results),
        },
        "email": {
            "senders": _of_kind(accounts, AccountKind.EMAIL),
            "mailboxes": _of_kind(accounts, AccountKind.MAILBOX),
            "auth": sources.results_matching(results, "email."),
        },
        "deployment": {
            "hosting": _of_kind(accounts, AccountKind.HOSTING, AccountKind.DATABASE),
            "code": _of_kind(accounts, AccountKind.CODE),
            "deploys": sources.recent_deploys(client),
        },
        "config": {
            "env_vars": env_vars,
            "secrets": sources.secret_rows(client),
        },
        "monitoring": {
            "monitors": monitors,
            "accounts": _of_kind(accounts, AccountKind.MONITORING),
            "checks": sources.results_matching(results, "http.health"),
        },
        "risks": {
            "open": risks,
            "changes": _setup_changes(
                sprint, findings, sources.first_check_results(sprint), results, client
            ),
            "stages": stages,
        },
        "emergency": {},
        "contacts": {
            "accounts": accounts,
            "client": client,
            "owners": [
                {"key": key, "label": label, "who": getattr(client, attr)}
                for key, label, attr in OWNER_JOBS
            ],
        },
        "glossary": {"terms": list(GlossaryTerm.objects.order_by("term"))},
        "signature": {},
        "appendix": {
            "monitors": monitors,
            "results": results,
            "run_at": results[0].checked_at if results else None,
            "page_speed": page_speed_rows(client),
        },
    }
    sections = [
        Section(key, number, title, lead, _texts(key, values, edits, confirmed), data[key])
        for number, (key, title, lead) in enumerate(SECTION_TITLES, start=1)
    ]
    return Handover(
        client=client,
        sprint=sprint,
        sections=sections,
        version=version,
        signer=signer,
        issued_at=issued_at,
        generated_at=timezone.now(),
        consultant=_consultant(sprint.created_by),
        timestamped=bool(settings.HANDOVER_TSA_URL),
        site_url=settings.SITE_URL,
    )


def _edge_checks(results: list[sources.CheckRow] | None) -> dict[str, Any]:
    """Cloudflare detection and anything not passing; passing header checks are counted,
    not listed, so the founder reads what needs attention."""
    edge = sources.results_matching(
        results, "dns.cloudflare", "http.", "tls.coverage", "tls.legacy"
    )
    if edge is None:
        return {"checks": None, "passed_hidden": 0}
    shown = [r for r in edge if r.check == "dns.cloudflare" or r.status != "pass"]
    return {"checks": shown, "passed_hidden": len(edge) - len(shown)}


def _glance(canonical_url: str, v: Vendors, monitors: list[Any] | None) -> list[tuple[str, str]]:
    """The few facts a founder looks for first, for page one."""
    registrar = v.registrar
    renews = ""
    if registrar is not None:
        renews = registrar.vendor + (
            f", renews {registrar.renewal_date:%d %b %Y}" if registrar.renewal_date else ""
        )
    return [
        ("Main address", canonical_url or "Not chosen yet"),
        ("Domain registered at", renews or "Not recorded"),
        ("Protected and cached by", v.edge.vendor if v.edge else "Not recorded"),
        ("App runs on", v.hosting.vendor if v.hosting else "Not recorded"),
        ("Emails sent by", v.email.vendor if v.email else "Not recorded"),
        ("Uptime monitors", f"{len(monitors)} watching" if monitors else "Not recorded yet"),
    ]


def _draft(sprint: Sprint) -> Any:
    from handover.models import HandoverDraft

    return HandoverDraft.objects.filter(sprint=sprint).first()
