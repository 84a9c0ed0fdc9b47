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

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

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
from handover.texts import Vendors, defaults

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
    ("glossary", "Glossary", "The few technical words this document uses."),
    ("signature", "Checking this document", "How to confirm this PDF is genuine and unchanged."),
]

DECISION_WORDS = {
    Decision.ACCEPTED: "Accepted risk",
    Decision.CAN_WAIT: "Planned for after launch",
    Decision.MUST_NOW: "Being fixed now",
}
ROLE_PURPOSE = {
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
CHANGE_KINDS = ("sprint.", "stage.advanced", "finding.")


@dataclass(frozen=True)
class Text:
    """An editable passage: the consultant's wording if edited, else the default."""

    key: str
    label: str
    value: str
    default: str
    steps: bool

    @property
    def edited(self) -> bool:
        return self.value != self.default

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

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _person(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _first(accounts: list[ServiceAccount], *kinds: str) -> ServiceAccount | None:
    return next((a for a in accounts if a.kind in kinds), None)


def _of_kind(accounts: list[ServiceAccount], *kinds: str) -> list[ServiceAccount]:
    return [a for a in accounts if a.kind in kinds]


def _canonical(domains: list[Domain]) -> Domain | None:
    return next((d for d in domains if d.role == DomainRole.CANONICAL), None)


def _texts(prefix: str, values: dict[str, str], edits: dict[str, str]) -> dict[str, Text]:
    out = {}
    for key, (label, steps) in EDITABLE.items():
        if key.startswith(prefix + "."):
            default = values[key]
            edited = (edits.get(key) or "").strip()
            out[key.split(".", 1)[1]] = Text(key, label, edited or default, default, steps)
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
    edits = edits if edits is not None else _draft_edits(sprint)
    accounts = list(client.accounts.all())
    domains = list(client.domains.all())
    stages = list(sprint.stages.order_by("number"))
    findings = list(
        sprint.findings.select_related("stage").order_by("status", "impact", "-created_at")
    )
    open_risks = [f for f in findings if f.status == FindingStatus.OPEN]
    canonical = _canonical(domains)
    canonical_url = f"https://{canonical.hostname}/" if canonical else ""
    vendors = Vendors(
        registrar=_first(accounts, AccountKind.REGISTRAR),
        dns=_first(accounts, AccountKind.DNS),
        edge=_first(accounts, AccountKind.EDGE)
        or next((a for a in accounts if "cloudflare" in a.vendor.lower()), None),
        hosting=_first(accounts, AccountKind.HOSTING),
        email=_first(accounts, AccountKind.EMAIL),
        code=_first(accounts, AccountKind.CODE),
        monitoring=_first(accounts, AccountKind.MONITORING),
    )
    values = defaults(vendors, canonical_url)
    results = sources.check_results(sprint)
    counts = sources.check_counts(results)
    monitors = sources.monitors(client)
    if version is None:
        version = (
            sprint.handovers.order_by("-version").values_list("version", flat=True).first() or 0
        ) + 1

    data: dict[str, dict[str, Any]] = {
        "summary": {
            "consultant": _person(sprint.created_by),
            "visual": _visual(stages, counts, open_risks),
            "outcome": sprint.get_outcome_display(),
            "outcome_key": sprint.outcome,
            "glance": _glance(canonical_url, vendors, monitors),
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
            "certificates": sources.certificates(results),
            "redirect_checks": sources.results_matching(results, "redirect."),
        },
        "edge": {
            "accounts": _of_kind(accounts, AccountKind.EDGE)
            or ([vendors.edge] if vendors.edge else []),
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
            "deploys": sources.deploy_events(client),
        },
        "config": {
            "env_vars": sources.env_vars(client, vendors.hosting.vendor if vendors.hosting else ""),
            "secrets": sources.secrets_inventory(client),
        },
        "monitoring": {
            "monitors": monitors,
            "accounts": _of_kind(accounts, AccountKind.MONITORING),
            "checks": sources.results_matching(results, "http.health"),
        },
        "risks": {
            "open": [
                {"finding": f, "decision": DECISION_WORDS.get(f.decision, f.get_decision_display())}
                for f in open_risks
            ],
            "fixed": [f for f in findings if f.status != FindingStatus.OPEN],
            "changes": _changes(sprint),
            "stages": stages,
        },
        "emergency": {},
        "contacts": {"accounts": accounts, "client": client},
        "glossary": {"terms": list(GlossaryTerm.objects.order_by("term"))},
        "signature": {},
    }
    sections = [
        Section(key, number, title, lead, _texts(key, values, edits), data[key])
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
    rows = [
        ("Main address", canonical_url or "Not chosen yet"),
        ("Domain registered at", renews or "Not recorded"),
        ("Protected and cached by", v.edge.vendor if v.edge else "Not recorded"),
        ("App runs on", v.hosting.vendor if v.hosting else "Not recorded"),
        ("Emails sent by", v.email.vendor if v.email else "Not recorded"),
        ("Uptime monitors", f"{len(monitors)} watching" if monitors else "Not recorded yet"),
    ]
    return rows


def _draft_edits(sprint: Sprint) -> dict[str, str]:
    from handover.models import HandoverDraft

    draft = HandoverDraft.objects.filter(sprint=sprint).first()
    return dict(draft.edits) if draft else {}


def _changes(sprint: Sprint) -> list[Any]:
    entries = [
        a
        for a in sprint.activities.filter(visible_to_founder=True).order_by("-created_at", "-id")[
            :200
        ]
        if a.kind.startswith(CHANGE_KINDS)
    ][:30]
    return list(reversed(entries))
