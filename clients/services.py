"""Writes that touch several rows or have side effects. Views, forms, commands and
Huey tasks call these; none of them repeats the logic."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import Truncator

from clients.models import (
    MANUAL_SOURCE,
    Activity,
    ChecklistItem,
    Client,
    Decision,
    Domain,
    Finding,
    FindingStatus,
    GlossaryTerm,
    Impact,
    ItemState,
    MaturityTarget,
    Membership,
    Outcome,
    PlaybookItem,
    PlaybookStage,
    ServiceAccount,
    Sprint,
    SprintStage,
    StageStatus,
)
from clients.notifications.models import EventKind
from clients.notifications.services import notify
from clients.softdelete import SoftDeleteModel, soft_delete_models, undo_window
from launchready.guard.fields import guard_value

if TYPE_CHECKING:
    from clients.selectors import FindingRow

PLAYBOOK_PATH = Path(__file__).resolve().parent / "playbook" / "playbook.json"
STAGE_COUNT = 7


class ServiceError(Exception):
    """A request the rules refuse; the message is safe to show to the user."""


class StageGateRefused(ServiceError):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


# ---------------------------------------------------------------- activity


def activity_log(
    *,
    sprint: Sprint,
    actor: User | None,
    kind: str,
    message: str,
    visible_to_founder: bool = True,
) -> Activity:
    """Append to the sprint's log and copy the line and its time onto the sprint."""
    now = timezone.now()
    entry = Activity.objects.create(
        sprint=sprint,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        message=message,
        visible_to_founder=visible_to_founder,
        created_at=now,
    )
    # entry.message is the stored (redacted) text, never what the caller passed in.
    length = cast(int, Sprint._meta.get_field("last_activity").max_length)
    summary = Truncator(entry.message).chars(length)
    Sprint.objects.filter(pk=sprint.pk).update(last_activity_at=now, last_activity=summary)
    sprint.last_activity_at, sprint.last_activity = now, summary
    return entry


def client_log(
    *,
    client: Client,
    actor: User | None,
    kind: str,
    message: str,
    visible_to_founder: bool = False,
) -> Activity | None:
    """Log a change to the client's own records (domains, accounts, secrets) on its
    running sprint, else its latest one; a client that never had a sprint has no log."""
    sprint = (
        client.sprints.filter(finished_at__isnull=True).first()
        or client.sprints.order_by("-started_at").first()
    )
    if sprint is None:
        return None
    return activity_log(
        sprint=sprint,
        actor=actor,
        kind=kind,
        message=message,
        visible_to_founder=visible_to_founder,
    )


def _name(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return "Launch Ready"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


# ---------------------------------------------------------------- playbook


@dataclass(frozen=True)
class PlaybookLoadResult:
    stages: int
    items_created: int
    items_updated: int


@transaction.atomic
def playbook_load(*, path: Path = PLAYBOOK_PATH, overwrite: bool = False) -> PlaybookLoadResult:
    """Load the playbook kept in the repository into the database.

    Without ``overwrite`` rows that already exist are left as staff edited them;
    only missing stages, items, targets and glossary terms are added."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = updated = 0
    for stage_data in data["stages"]:
        fields = {
            "key": stage_data["key"],
            "title": stage_data["title"],
            "goal": stage_data["goal"],
            "founder_summary": stage_data["founder_summary"],
            "deliverable": stage_data["deliverable"],
            "failure_signals": stage_data["failure_signals"],
        }
        stage, stage_created = PlaybookStage.objects.get_or_create(
            number=stage_data["number"], defaults=fields
        )
        if overwrite and not stage_created:
            for name, value in fields.items():
                setattr(stage, name, value)
            stage.save()
        for position, item_data in enumerate(stage_data["items"]):
            item_fields = {
                "stage": stage,
                "text": item_data["text"],
                "help": item_data.get("help", ""),
                "business_types": item_data.get("business_types", []),
                "maturities": item_data.get("maturities", []),
                "check_ids": item_data.get("check_ids", []),
                "position": position,
            }
            item, item_created = PlaybookItem.objects.get_or_create(
                key=item_data["key"], defaults=item_fields
            )
            if item_created:
                created += 1
            elif overwrite:
                for name, value in item_fields.items():
                    setattr(item, name, value)
                item.save()
                updated += 1
    for maturity, target in data["maturity_targets"].items():
        target_fields = {
            "p95_latency_ms": target["p95_latency_ms"],
            "error_rate_pct": target["error_rate_pct"],
            "alert_delay_minutes": target["alert_delay_minutes"],
            "lighthouse_min": target["lighthouse_min"],
            "uptime_pct": target["uptime_pct"],
            "notes": target.get("notes", ""),
        }
        if overwrite:
            MaturityTarget.objects.update_or_create(maturity=maturity, defaults=target_fields)
        else:
            MaturityTarget.objects.get_or_create(maturity=maturity, defaults=target_fields)
    for term in data.get("glossary", []):
        if overwrite:
            GlossaryTerm.objects.update_or_create(
                term=term["term"], defaults={"plain": term["plain"]}
            )
        else:
            GlossaryTerm.objects.get_or_create(term=term["term"], defaults={"plain": term["plain"]})
    return PlaybookLoadResult(
        stages=len(data["stages"]), items_created=created, items_updated=updated
    )


def playbook_ensure_loaded() -> None:
    if PlaybookStage.objects.count() < STAGE_COUNT:
        playbook_load()


# ---------------------------------------------------------------- people


def founder_add(
    *,
    client: Client,
    by: User,
    email: str,
    full_name: str = "",
    title: str = "Founder",
    password: str | None = None,
    site_url: str | None = None,
) -> Membership:
    """Give a founder a login for this client. Without a password, an email invites
    them to choose one (the link is a password-reset token) on ``site_url`` (the
    address the consultant is using; SITE_URL when not given)."""
    user_model = get_user_model()
    # auth.User's fields are Django's own, so this service runs the guard itself.
    guard_value([email, full_name, title])
    email = email.strip().lower()
    first, _, last = full_name.strip().partition(" ")
    with transaction.atomic():
        user = user_model.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).first()
        if user is None:
            user = user_model(username=email, email=email, first_name=first, last_name=last)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        elif user.is_staff:
            raise ServiceError("That email belongs to a staff account; use another address.")
        membership, created = Membership.objects.get_or_create(
            user=user, client=client, defaults={"title": title}
        )
        if created:
            client_log(
                client=client,
                actor=by,
                kind="founder.added",
                message=f"{_name(by)} gave {email} a founder login.",
            )
    if not password and not user.has_usable_password():
        transaction.on_commit(
            lambda: _send_invitation(
                user=user, client=client, by=by, site_url=site_url or settings.SITE_URL
            )
        )
    return membership


def _send_invitation(*, user: User, client: Client, by: User, site_url: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "client": client,
        "consultant": _name(by),
        "url": site_url.rstrip("/") + reverse("password_reset_confirm", args=[uid, token]),
    }
    subject = render_to_string("emails/invitation-subject.txt", context).strip()
    send_mail(
        subject,
        render_to_string("emails/invitation-body.txt", context),
        None,
        [user.email],
        html_message=render_to_string("emails/invitation-body.html", context),
    )


# ---------------------------------------------------------------- sprints


def domain_add(*, client: Client, by: User, domain: Domain) -> Domain:
    """Record a domain of the client (``domain`` is unsaved, validated by its form)."""
    domain.client = client
    domain.save()
    client_log(
        client=client,
        actor=by,
        kind="domain.added",
        message=f"{_name(by)} added {domain.hostname}.",
    )
    return domain


def account_add(*, client: Client, by: User, account: ServiceAccount) -> ServiceAccount:
    """Record an outside account the client's product depends on (never a password)."""
    account.client = client
    account.save()
    client_log(
        client=client, actor=by, kind="account.added", message=f"{_name(by)} added {account}."
    )
    return account


@transaction.atomic
def client_update(*, client: Client, by: User) -> Client:
    """Save the client's edited details (``client`` carries the form's changes)."""
    client.save()
    client_log(
        client=client, actor=by, kind="client.updated", message=f"{_name(by)} edited {client.name}."
    )
    return client


@transaction.atomic
def client_create(
    *,
    client: Client,
    by: User,
    domain: Domain | None = None,
    founder_email: str = "",
    founder_name: str = "",
    founder_title: str = "Founder",
    founder_password: str | None = None,
    site_url: str | None = None,
) -> Client:
    """Create a client, with its first domain and founder login when given, in one
    transaction: the founder is added by founder_add, the domain by domain_add."""
    client.save()
    if domain is not None:
        domain_add(client=client, by=by, domain=domain)
    if founder_email:
        founder_add(
            client=client,
            by=by,
            email=founder_email,
            full_name=founder_name,
            title=founder_title or "Founder",
            password=founder_password,
            site_url=site_url,
        )
    return client


@transaction.atomic
def sprint_start(
    *,
    client: Client,
    by: User | None,
    started_at: datetime | None = None,
    hours: int | None = None,
) -> Sprint:
    """Open a sprint: seven stages copied from the playbook, the checklist filtered for
    the client's business type and maturity, the clock set to 48 hours by default."""
    if client.sprints.filter(finished_at__isnull=True).exists():
        raise ServiceError(f"{client.name} already has a sprint running.")
    playbook_ensure_loaded()
    start = started_at or timezone.now()
    sprint = Sprint.objects.create(
        client=client,
        started_at=start,
        deadline=start + timedelta(hours=hours or settings.SPRINT_HOURS),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    playbook_items = list(PlaybookItem.objects.filter(active=True).select_related("stage"))
    for pstage in PlaybookStage.objects.order_by("number"):
        stage = SprintStage.objects.create(
            sprint=sprint,
            number=pstage.number,
            key=pstage.key,
            title=pstage.title,
            goal=pstage.goal,
            founder_summary=pstage.founder_summary,
            deliverable=pstage.deliverable,
            failure_signals=pstage.failure_signals,
            status=StageStatus.ACTIVE if pstage.number == 1 else StageStatus.PENDING,
            started_at=start if pstage.number == 1 else None,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                stage=stage,
                key=item.key,
                text=item.text,
                help=item.help,
                check_ids=item.check_ids,
                position=item.position,
            )
            for item in playbook_items
            if item.stage_id == pstage.pk and item.applies_to(client.business_type, client.maturity)
        )
    activity_log(
        sprint=sprint,
        actor=by,
        kind="sprint.started",
        message=f"{_name(by)} started the sprint. Deadline: {sprint.deadline:%a %d %b %H:%M} UTC.",
    )
    return sprint


def _current_stage(sprint: Sprint) -> SprintStage:
    return sprint.stages.get(number=sprint.current_stage)


def _blocks_gate(finding: Finding | FindingRow, stage_number: int) -> bool:
    # An accepted risk (the model insists on its reason) is a decision, not a blocker:
    # it is listed at the gate (accepted_risks) instead of holding every later stage.
    return (
        finding.status == FindingStatus.OPEN
        and finding.impact == Impact.BLOCKER
        and finding.decision != Decision.ACCEPTED
        and finding.stage.number <= stage_number
    )


def stage_gate_reasons(
    *,
    sprint: Sprint,
    stages: list[SprintStage] | None = None,
    findings: Sequence[Finding | FindingRow] | None = None,
) -> list[str]:
    """Why the current stage may not be closed yet (empty when it may).

    A page that already holds the stage summaries (annotated with ``items_open``) and
    the sprint's findings (with their stages) passes them and this costs no query."""
    if stages is not None:
        open_items = next(s for s in stages if s.number == sprint.current_stage).items_open  # type: ignore[attr-defined]
    else:
        open_items = _current_stage(sprint).items.filter(state=ItemState.OPEN).count()
    if findings is None:
        findings = list(
            sprint.findings.filter(status=FindingStatus.OPEN, impact=Impact.BLOCKER).select_related(
                "stage"
            )
        )
    blockers = sum(1 for f in findings if _blocks_gate(f, sprint.current_stage))
    reasons = []
    if open_items:
        reasons.append(f"{open_items} checklist item{'s' if open_items != 1 else ''} still open")
    if blockers:
        reasons.append(f"{blockers} launch blocker{'s' if blockers != 1 else ''} still open")
    return reasons


def accepted_risks(
    *, sprint: Sprint, findings: Sequence[Finding | FindingRow] | None = None
) -> list[Finding | FindingRow]:
    """Open findings the founder and consultant chose to launch with, each with its reason
    (from ``findings``, the sprint's findings or their rows with their stages, when the
    caller has them)."""
    if findings is None:
        findings = list(
            sprint.findings.filter(
                status=FindingStatus.OPEN, decision=Decision.ACCEPTED
            ).select_related("stage")
        )
    return sorted(
        (f for f in findings if f.status == FindingStatus.OPEN and f.decision == Decision.ACCEPTED),
        key=lambda f: (f.impact, f.stage.number, f.created_at),
    )


def stage_advance(*, sprint: Sprint, by: User, override_reason: str | None = None) -> SprintStage:
    """Close the current stage and open the next one.

    Refused while the stage has open checklist items or open launch blockers, unless
    an override reason is given; both the refusal and the override are logged."""
    try:
        with transaction.atomic():
            return _stage_advance(
                sprint=sprint, by=by, override_reason=(override_reason or "").strip()
            )
    except StageGateRefused as refused:
        # Logged after the rollback so the refusal itself stays on record.
        activity_log(
            sprint=sprint,
            actor=by,
            kind="stage.refused",
            message=f"{_name(by)} tried to close stage {sprint.current_stage} but it was refused: "
            + "; ".join(refused.reasons)
            + ".",
            visible_to_founder=False,
        )
        raise


def _stage_advance(*, sprint: Sprint, by: User, override_reason: str) -> SprintStage:
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if not sprint.is_active:
        raise ServiceError("This sprint is finished.")
    if sprint.current_stage >= STAGE_COUNT:
        raise ServiceError("This is the last stage: record the go / no-go decision instead.")
    stage = _current_stage(sprint)
    reasons = stage_gate_reasons(sprint=sprint)
    if reasons and not override_reason:
        raise StageGateRefused(reasons)
    now = timezone.now()
    stage.status = StageStatus.DONE
    stage.completed_at = now
    stage.override_reason = override_reason if reasons else ""
    stage.save(update_fields=["status", "completed_at", "override_reason"])
    nxt = sprint.stages.get(number=stage.number + 1)
    nxt.status = StageStatus.ACTIVE
    nxt.started_at = now
    nxt.save(update_fields=["status", "started_at"])
    sprint.current_stage = nxt.number
    sprint.save(update_fields=["current_stage"])
    if reasons:
        activity_log(
            sprint=sprint,
            actor=by,
            kind="stage.override",
            message=f"{_name(by)} closed stage {stage.number} ({stage.title}) despite: "
            + "; ".join(reasons)
            + f". Reason: {override_reason}",
            visible_to_founder=False,
        )
    activity_log(
        sprint=sprint,
        actor=by,
        kind="stage.advanced",
        message=f"Stage {stage.number} ({stage.title}) is complete. Now on stage {nxt.number}: "
        f"{nxt.title}.",
    )
    notify(
        event=EventKind.STAGE_COMPLETED,
        sprint=sprint,
        key=f"stage:{stage.pk}",
        title=f"Stage {stage.number} ({stage.title}) is complete",
        text=f"Now on stage {nxt.number}: {nxt.title}. {nxt.founder_summary}".strip(),
        path=_portal_path(sprint),
        actor=by,
        now=now,
    )
    return nxt


def _portal_path(sprint: Sprint) -> str:
    return reverse("clients:portal_sprint", args=[sprint.code])


@transaction.atomic
def sprint_decide(*, sprint: Sprint, by: User, outcome: str, reason: str = "") -> Sprint:
    """Record go / no-go / launched with accepted risks, and close the sprint."""
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    reason = reason.strip()
    if not sprint.is_active:
        raise ServiceError("This sprint already has a decision.")
    if outcome not in {Outcome.GO, Outcome.NO_GO, Outcome.ACCEPTED_RISKS}:
        raise ServiceError("Choose go, no-go, or launched with accepted risks.")
    if sprint.current_stage != STAGE_COUNT:
        raise ServiceError("The decision is taken at the handover stage.")
    open_blockers = sprint.findings.filter(status=FindingStatus.OPEN, impact=Impact.BLOCKER)
    if outcome == Outcome.GO and open_blockers.exists():
        raise ServiceError(
            "A plain 'go' needs every launch blocker fixed. Fix them, or choose "
            "'launched with accepted risks' and say why."
        )
    if outcome in {Outcome.NO_GO, Outcome.ACCEPTED_RISKS} and not reason:
        raise ServiceError("Say why: the founder will read this reason.")
    if outcome == Outcome.ACCEPTED_RISKS:
        # A finding that already has its own reason keeps it (a specific "goes live in
        # phase 2" note says more than the sprint's reason); only the silent ones take it.
        open_blockers.filter(decision_reason="").update(
            decision=Decision.ACCEPTED, decision_reason=reason
        )
        open_blockers.exclude(decision=Decision.ACCEPTED).update(decision=Decision.ACCEPTED)
    now = timezone.now()
    stage = _current_stage(sprint)
    stage.status = StageStatus.DONE
    stage.completed_at = now
    stage.save(update_fields=["status", "completed_at"])
    sprint.outcome = outcome
    sprint.outcome_reason = reason
    sprint.finished_at = now
    sprint.save(update_fields=["outcome", "outcome_reason", "finished_at"])
    label = Outcome(outcome).label
    activity_log(
        sprint=sprint,
        actor=by,
        kind="sprint.decided",
        message=f"{_name(by)} decided: {label}." + (f" Reason: {reason}" if reason else ""),
    )
    notify(
        event=EventKind.DECISION_RECORDED,
        sprint=sprint,
        key=f"sprint:{sprint.pk}",
        title=f"{sprint.client.name}: the launch decision is {label.lower()}",
        text=sprint.outcome_reason,
        path=_portal_path(sprint),
        actor=by,
        now=now,
    )
    return sprint


# ---------------------------------------------------------------- checklist


@transaction.atomic
def item_set_state(
    *, item: ChecklistItem, by: User | None, state: str, note: str | None = None
) -> ChecklistItem:
    if state not in ItemState.values:
        raise ServiceError("Unknown state.")
    item.state = state
    item.state_by = by if by is not None and by.is_authenticated else None
    item.state_at = timezone.now()
    if note is not None:
        item.note = note.strip()
    item.save(update_fields=["state", "state_by", "state_at", "note"])
    verbs: dict[str, str] = {
        ItemState.DONE: "ticked",
        ItemState.NOT_APPLICABLE: "marked not applicable",
        ItemState.OPEN: "reopened",
    }
    verb = verbs[state]
    activity_log(
        sprint=item.stage.sprint,
        actor=by,
        kind=f"item.{state}",
        message=f"{_name(by)} {verb}: {item.text}",
    )
    return item


@transaction.atomic
def stage_items_complete(*, stage: SprintStage, by: User) -> int:
    """Mark every item still open in the stage done, with one log entry for all of them."""
    if not stage.sprint.is_active:
        raise ServiceError("This sprint is finished.")
    now = timezone.now()
    actor = by if by is not None and by.is_authenticated else None
    count = stage.items.filter(state=ItemState.OPEN).update(
        state=ItemState.DONE, state_by=actor, state_at=now
    )
    if count:
        activity_log(
            sprint=stage.sprint,
            actor=by,
            kind="item.bulk_done",
            message=f"{_name(by)} marked the {count} remaining item{'s' if count != 1 else ''} "
            f"of stage {stage.number} ({stage.title}) done.",
        )
    return count


# ---------------------------------------------------------------- findings

FINDING_FIELDS = (
    "stage",
    "title",
    "evidence",
    "founder_explanation",
    "impact",
    "decision",
    "decision_reason",
    "status",
    "staff_note",
)


def _finding_label(finding: Finding) -> str:
    return f"{finding.get_impact_display().lower()} “{finding.title}”"


def _blocker_notify(finding: Finding, by: User | None) -> None:
    """Founders hear about a launch blocker once: the key is the finding itself."""
    if finding.impact != Impact.BLOCKER or finding.status != FindingStatus.OPEN:
        return
    notify(
        event=EventKind.BLOCKER_NEW,
        sprint=finding.sprint,
        key=f"finding:{finding.pk}",
        title=f"New launch blocker: {finding.title}",
        # The founder's wording only; evidence and staff notes stay on the staff side.
        text=finding.founder_explanation,
        path=_portal_path(finding.sprint),
        actor=by,
    )


@transaction.atomic
def finding_create(*, sprint: Sprint, by: User, **fields: Any) -> Finding:
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"unknown finding fields: {sorted(unknown)}")
    finding = Finding.objects.create(sprint=sprint, created_by=by, source=MANUAL_SOURCE, **fields)
    activity_log(
        sprint=sprint,
        actor=by,
        kind="finding.created",
        message=f"{_name(by)} recorded a {_finding_label(finding)} in stage "
        f"{finding.stage.number}.",
    )
    _blocker_notify(finding, by)
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, by: User, **fields: Any) -> Finding:
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise TypeError(f"unknown finding fields: {sorted(unknown)}")
    before_status, before_impact = finding.status, finding.impact
    for name, value in fields.items():
        setattr(finding, name, value)
    finding.save()
    changes = []
    if finding.status != before_status:
        changes.append(
            f"status {FindingStatus(before_status).label.lower()} → "
            f"{finding.get_status_display().lower()}"
        )
    if finding.impact != before_impact:
        changes.append(
            f"impact {Impact(before_impact).label.lower()} → {finding.get_impact_display().lower()}"
        )
    activity_log(
        sprint=finding.sprint,
        actor=by,
        kind="finding.updated",
        message=f"{_name(by)} updated “{finding.title}”"
        + (f": {', '.join(changes)}." if changes else "."),
    )
    if finding.impact != before_impact:
        _blocker_notify(finding, by)
    return finding


@transaction.atomic
def finding_sync_automated(
    *,
    sprint: Sprint,
    source: str,
    target: str,
    failing: bool,
    title: str,
    evidence: str,
    founder_explanation: str,
    impact: str,
    stage_key: str,
    plain_title: str = "",
) -> Finding | None:
    """Keep one finding per (check id, target) in step with the latest automated result.

    A failing result opens (or re-opens) the finding; a passing result marks an open or
    fixed finding as verified. Returns the finding, or None when nothing exists and the
    check passed. The log lines founders read name the check by ``plain_title`` (its
    goal in everyday words) when given, never by its id."""
    if source == MANUAL_SOURCE:
        raise ValueError("automated findings need a check id as source")
    finding = (
        Finding.objects.select_for_update()
        .filter(sprint=sprint, source=source, target=target)
        .first()
    )
    if failing:
        if finding is None:
            finding = Finding.objects.create(
                sprint=sprint,
                stage=sprint.stages.get(key=stage_key),
                source=source,
                target=target,
                title=title,
                evidence=evidence,
                founder_explanation=founder_explanation,
                impact=impact,
            )
            activity_log(
                sprint=sprint,
                actor=None,
                kind="finding.detected",
                message=f"The automated checks found a {finding.get_impact_display().lower()} "
                f"on {target}: “{plain_title or finding.title}” does not hold yet.",
            )
            _blocker_notify(finding, None)
        else:
            reopened = finding.status != FindingStatus.OPEN
            finding.title, finding.evidence = title, evidence
            finding.founder_explanation, finding.impact = founder_explanation, impact
            finding.status = FindingStatus.OPEN
            finding.save()
            if reopened:
                activity_log(
                    sprint=sprint,
                    actor=None,
                    kind="finding.reopened",
                    message=f"The automated checks see “{plain_title or finding.title}” "
                    f"failing on {target} again.",
                )
        return finding
    if finding is not None and finding.status != FindingStatus.VERIFIED:
        finding.status = FindingStatus.VERIFIED
        finding.evidence = evidence
        finding.save(update_fields=["status", "evidence", "updated_at"])
        activity_log(
            sprint=sprint,
            actor=None,
            kind="finding.verified",
            message=f"The automated checks now pass on {target}: "
            f"“{plain_title or finding.title}” is verified fixed.",
        )
    return finding


# ---------------------------------------------------------------- comments


def comment_add(*, sprint: Sprint, by: User, text: str) -> Activity:
    text = text.strip()
    if not text:
        raise ServiceError("Write something first.")
    if len(text) > 2000:
        raise ServiceError("Keep comments under 2,000 characters.")
    return activity_log(sprint=sprint, actor=by, kind="comment", message=f"{_name(by)}: {text}")


# ---------------------------------------------------------------- removal and undo
# Staff removals are soft (clients/softdelete.py): hidden at once, restorable for the undo
# window, purged after it. Each <thing>_delete / <thing>_restore below logs what it did.


class UndoExpired(ServiceError):
    pass


def soft_remove(*, obj: SoftDeleteModel, by: User | None, kind: str, message: str):
    """Mark ``obj`` removed and log it. Shared by every ``<thing>_delete`` service."""
    if obj.deleted_at is not None:
        return obj
    obj.deleted_at = timezone.now()
    obj.save(update_fields=["deleted_at"])
    client_log(client=obj.client, actor=by, kind=kind, message=message)  # type: ignore[attr-defined]
    return obj


def soft_restore(
    *,
    obj: SoftDeleteModel,
    by: User | None,
    kind: str,
    message: str,
    clash: str,
):
    """Put a removed ``obj`` back within the undo window and log it; ``clash`` is the
    sentence for when a live row took its place meanwhile (unique name)."""
    if obj.deleted_at is None:
        return obj
    if obj.deleted_at <= timezone.now() - undo_window():
        raise UndoExpired(
            "Too late to undo: it was removed more than "
            f"{int(undo_window().total_seconds() // 60)} minutes ago."
        )
    obj.deleted_at = None
    try:
        with transaction.atomic():
            obj.save(update_fields=["deleted_at"])
    except IntegrityError:
        obj.deleted_at = type(obj).all_objects.get(pk=obj.pk).deleted_at
        raise ServiceError(clash) from None
    client_log(client=obj.client, actor=by, kind=kind, message=message)  # type: ignore[attr-defined]
    return obj


@transaction.atomic
def domain_delete(*, domain: Domain, by: User) -> Domain:
    return soft_remove(
        obj=domain,
        by=by,
        kind="domain.deleted",
        message=f"{_name(by)} removed the domain {domain.hostname}.",
    )


@transaction.atomic
def domain_restore(*, domain: Domain, by: User) -> Domain:
    return soft_restore(
        obj=domain,
        by=by,
        kind="domain.restored",
        message=f"{_name(by)} put back the domain {domain.hostname} (undo).",
        clash=f"{domain.hostname} was added again since it was removed, so it stays as it is.",
    )


@transaction.atomic
def service_account_delete(*, account: ServiceAccount, by: User) -> ServiceAccount:
    return soft_remove(
        obj=account,
        by=by,
        kind="account.deleted",
        message=f"{_name(by)} removed the account {account}.",
    )


@transaction.atomic
def service_account_restore(*, account: ServiceAccount, by: User) -> ServiceAccount:
    return soft_restore(
        obj=account,
        by=by,
        kind="account.restored",
        message=f"{_name(by)} put back the account {account} (undo).",
        clash="",
    )


def removed_purge(*, now: datetime | None = None) -> int:
    """Delete for good every removed row whose undo window is over (periodic task)."""
    return sum(
        model.all_objects.expired(now).delete()[1].get(model._meta.label, 0)
        for model in soft_delete_models()
    )
