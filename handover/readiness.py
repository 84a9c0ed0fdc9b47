"""Is a sprint's handover ready to issue? The gate lists, before "Issue", every part
that would print "not recorded", every check not run in the last 24 hours, every
contradiction (a stage ticked done with nothing recorded for it), and every suggested
passage still to confirm. Issuing is allowed at stage 7 with no gaps; otherwise only
with an override reason, and the PDF then names the gaps on page one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils import timezone

from clients.models import AccountKind, StageStatus
from handover.sections import Handover

STALE = timedelta(hours=24)
from handover.apps import LOCAL_HOSTS  # noqa: E402


@dataclass(frozen=True)
class Gap:
    kind: str  # stage / not_recorded / stale / contradiction / to_confirm / address
    section: str  # section key the gap belongs to ("" for the whole document)
    text: str
    label: str = ""  # for a passage to confirm: its label


@dataclass(frozen=True)
class Readiness:
    stage: int
    gaps: list[Gap] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.stage == 7 and not self.gaps

    @property
    def lines(self) -> list[str]:
        return [g.text for g in self.gaps]

    @property
    def for_founder(self) -> list[str]:
        """The gaps as page one prints them: passages left out are named in one line."""
        lines = [g.text for g in self.gaps if g.kind != "to_confirm"]
        left_out = [g.label for g in self.gaps if g.kind == "to_confirm"]
        if left_out:
            lines.append(
                "Left out because the consultant has not confirmed them: "
                + "; ".join(left_out)
                + "."
            )
        return lines

    def of_kind(self, kind: str) -> list[Gap]:
        return [g for g in self.gaps if g.kind == kind]


def _stale(when: datetime | None, now: datetime) -> bool:
    return when is None or now - when > STALE


def readiness(handover: Handover, *, now: datetime | None = None) -> Readiness:
    """Everything that keeps this handover from telling the founder the whole truth."""
    now = now or timezone.now()
    sprint = handover.sprint
    gaps: list[Gap] = []

    def add(kind: str, section: str, text: str) -> None:
        gaps.append(Gap(kind, section, text))

    if sprint.current_stage < 7:
        add(
            "stage",
            "",
            f"The sprint is at stage {sprint.current_stage} of 7, not at the handover stage.",
        )

    d = {s.key: s.data for s in handover.sections}
    titles = {s.key: s.title for s in handover.sections}

    # What would print "not recorded" (the section templates say so in the same cases).
    def missing(section: str, what: str) -> None:
        add("not_recorded", section, f"{titles[section]}: {what}.")

    glance = dict(d["summary"]["glance"])
    for label, value in glance.items():
        if value.lower().startswith(("not recorded", "not chosen")):
            missing("summary", f"“{label}” is not recorded")
    dom = d["domains"]
    if not dom["registrars"] and not dom["dns_providers"]:
        missing("domains", "no registrar or DNS provider account")
    if dom["dns_map"] is None:
        missing("domains", "no DNS answers from an automated check")
    if dom["certificates"] is None:
        missing("domains", "no certificate check result")
    if not d["edge"]["accounts"]:
        missing("edge", "no edge service (such as Cloudflare) account")
    if d["edge"]["checks"] is None:
        missing("edge", "no automated check has run")
    if not d["email"]["senders"]:
        missing("email", "no email sending provider account")
    if not d["email"]["auth"]:
        missing("email", "no SPF/DKIM/DMARC check result")
    dep = d["deployment"]
    if not dep["hosting"] and not dep["code"]:
        missing("deployment", "no hosting or code account")
    if not dep["deploys"]:
        missing("deployment", "no deploy has been logged")
    cfg = d["config"]
    if not cfg["env_vars"]:
        missing("config", "the environment-variable map is empty")
    else:
        unstored = sorted({v.name for g in cfg["env_vars"] for v in g.variables if not v.stored_in})
        if unstored:
            missing("config", f"where these variables are stored: {', '.join(unstored)}")
    if not cfg["secrets"]:
        missing("config", "no secret in the inventory")
    if not d["monitoring"]["monitors"]:
        missing("monitoring", "no uptime monitor")
    for a in d["contacts"]["accounts"]:
        if not a.login_location:
            missing("contacts", f"where to sign in to {a.vendor}")
        if a.kind == AccountKind.REGISTRAR and not a.renewal_date:
            missing("contacts", f"the renewal date of {a.vendor}")
    for owner in d["contacts"]["owners"]:
        if not owner["who"]:
            missing("contacts", f"nobody named for {owner['label'].lower()}")
    if not handover.consultant.get("email") and not handover.consultant.get("phone"):
        missing("contacts", "the consultant's email or phone")
    for r in d["risks"]["open"]:
        for kind in r["missing_accounts"]:
            missing(
                "risks",
                f"“{r['finding'].title}” names an account ({kind}) that is not in the vendor list",
            )

    # Checks and monitors not run in the last 24 hours.
    results = d["appendix"]["results"]
    if not results:
        add("stale", "appendix", "The automated checks have never run for this sprint.")
    elif _stale(d["appendix"]["run_at"], now):
        add(
            "stale",
            "appendix",
            f"The automated checks last ran {d['appendix']['run_at']:%d %b %Y %H:%M} UTC, "
            "more than 24 hours ago.",
        )
    for m in d["monitoring"]["monitors"] or []:
        if m.enabled and _stale(m.last_checked_at, now):
            add(
                "stale",
                "monitoring",
                f"Monitor “{m.name}” has not checked the site in the last 24 hours.",
            )

    # A stage ticked done with nothing recorded for it.
    done = {s.key for s in d["risks"]["stages"] if s.status == StageStatus.DONE}
    contradictions = [
        (
            "dns",
            dom["dns_map"] is None,
            "DNS and redirects is ticked done, but no DNS check result is recorded.",
        ),
        (
            "edge",
            not d["edge"]["accounts"] and d["edge"]["checks"] is None,
            "Edge is ticked done, but no edge account or check result is recorded.",
        ),
        (
            "deploy",
            not dep["hosting"],
            "Production deployment is ticked done, but no hosting account is recorded.",
        ),
        (
            "secrets",
            not cfg["secrets"] and not cfg["env_vars"],
            "Secrets and config is ticked done, but the inventory and the environment map are "
            "empty.",
        ),
        (
            "monitoring",
            not d["monitoring"]["monitors"],
            "Monitoring and alerts is ticked done, but no monitor is set up.",
        ),
    ]
    for key, empty, sentence in contradictions:
        if key in done and empty:
            add("contradiction", "", sentence)

    # Suggested passages nobody confirmed are left out of the PDF.
    for section in handover.sections:
        for text in section.texts.values():
            if text.to_confirm:
                gaps.append(
                    Gap(
                        "to_confirm",
                        section.key,
                        f"{section.title}: “{text.label}” is a suggestion to confirm "
                        "(left out until confirmed or rewritten).",
                        text.label,
                    )
                )

    host = urlsplit(handover.site_url).hostname or ""
    if host in LOCAL_HOSTS or handover.site_url.startswith("http://"):
        add(
            "address",
            "signature",
            f"The verification address is {handover.site_url or 'not set'}, which the "
            "founder cannot open: set SITE_URL to the app's public https:// address.",
        )
    return Readiness(stage=sprint.current_stage, gaps=gaps)
