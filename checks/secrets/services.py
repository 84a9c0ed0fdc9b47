"""Writes for the secrets app: inventory, env map and its exposure findings, scans and
the findings they raise, allowlist, deploy tokens and the deploy gate."""

from __future__ import annotations

import hashlib
import logging
import secrets as pysecrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from checks.secrets.models import (
    AllowlistEntry,
    DeployEvent,
    DeployResult,
    DeployToken,
    EnvVar,
    ExposedKey,
    Exposure,
    ScanHit,
    ScanRun,
    SecretRecord,
)
from checks.secrets.scan import Hit, ScanError, ScanReport, SourceRefused, scan_repository
from checks.secrets.validators import browser_prefix, looks_sensitive
from clients.jobs.services import job_claim, job_done, job_enqueue, job_fail, job_progress
from clients.models import Client, Impact, Sprint
from clients.notifications.models import EventKind
from clients.notifications.services import notify
from clients.services import (
    activity_log,
    client_log,
    finding_sync_automated,
    soft_remove,
    soft_restore,
)
from launchready.guard.rules import rule_label

logger = logging.getLogger(__name__)

SCAN_SOURCE = "secrets.scan"
SUSPECTED_SOURCE = "secrets.suspected_exposed"
ENV_SOURCE = "secrets.env_exposure"
STAGE_KEY = "secrets"
TOKEN_PREFIX = "lrd_"  # noqa: S105 - a prefix, not a secret


def active_sprint(client: Client) -> Sprint | None:
    return client.sprints.filter(finished_at__isnull=True).first()


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


# ---------------------------------------------------------------- inventory


@transaction.atomic
def secret_record_save(*, record: SecretRecord, by: User | None) -> SecretRecord:
    """Create or update an inventory record and keep its "rotate this key" finding in
    step with its exposure status."""
    created = record.pk is None
    record.save()
    secret_record_sync_finding(record=record)
    client_log(
        client=record.client,
        actor=by,
        kind="secrets.record_added" if created else "secrets.record_updated",
        message=f"The secret record {record.name} was "
        + ("added to the inventory." if created else "edited."),
    )
    return record


def secret_record_sync_finding(*, record: SecretRecord) -> None:
    """A record marked suspected exposed files one launch-blocker finding on the running
    sprint (the path scan hits take); marking it fine or rotated verifies it. The
    finding names the secret and where it is kept, never anything of its value."""
    sprint = active_sprint(record.client)
    if sprint is None:
        return
    suspected = record.exposure == Exposure.SUSPECTED
    where = record.get_storage_display() + (
        f" ({record.storage_detail})" if record.storage_detail else ""
    )
    unlocks = record.unlocks or "one of your services"
    finding_sync_automated(
        sprint=sprint,
        source=SUSPECTED_SOURCE,
        target=f"secret {record.code}",
        failing=suspected,
        title=f"Rotate {record.name}: it may have been exposed",
        evidence=(
            f"{record.name} ({record.get_kind_display()}, kept in: {where}) is marked "
            "suspected exposed in the secrets inventory."
            if suspected
            else f"{record.name} is now marked {record.get_exposure_display().lower()}."
        ),
        founder_explanation=(
            f"The key that unlocks {unlocks} may have been seen by someone who should not "
            "have it. Until it is replaced, whoever has it can use it. It needs rotating: "
            "create a new key, store it in your secret store, and revoke the old one."
        ),
        impact=Impact.BLOCKER,
        stage_key=STAGE_KEY,
    )


@transaction.atomic
def secret_record_delete(*, record: SecretRecord, by: User) -> SecretRecord:
    """Remove a record (undoable for the undo window). Its "rotate" finding, if any,
    stays open: removing the record does not rotate the key."""
    return soft_remove(
        obj=record,
        by=by,
        kind="secrets.record_deleted",
        message=f"The secret record {record.name} was removed from the inventory.",
    )


@transaction.atomic
def secret_record_restore(*, record: SecretRecord, by: User) -> SecretRecord:
    return soft_restore(
        obj=record,
        by=by,
        kind="secrets.record_restored",
        message=f"The secret record {record.name} was put back in the inventory (undo).",
        clash=f"A secret named {record.name} was recorded again since, so this one stays removed.",
    )


# ---------------------------------------------------------------- env map


def env_exposed(var: EnvVar) -> bool:
    """A secret under a prefix that bundlers copy into the browser's JavaScript."""
    return bool(browser_prefix(var.name)) and (var.sensitive or looks_sensitive(var.name))


def envmap_sync_findings(*, client: Client, names: list[str] | None = None) -> None:
    """Open a launch-blocker finding for each exposed variable on the active sprint, and
    verify the ones that were renamed, made non-sensitive or removed."""
    sprint = active_sprint(client)
    if sprint is None:
        return
    current = {var.name: var for var in client.env_vars.all()}
    targets = (
        set(names)
        if names is not None
        else set(current)
        | set(sprint.findings.filter(source=ENV_SOURCE).values_list("target", flat=True))
    )
    for name in sorted(targets):
        var = current.get(name)
        failing = var is not None and env_exposed(var)
        prefix = browser_prefix(name) or ""
        finding_sync_automated(
            sprint=sprint,
            source=ENV_SOURCE,
            target=name,
            failing=failing,
            title=f"Secret {name} would ship to the browser",
            evidence=(
                f"{name} is marked sensitive (or its name says it is) and starts with {prefix}, "
                "which the front-end build copies into the JavaScript every visitor downloads."
                if failing
                else f"{name} is no longer a sensitive variable under a browser prefix."
            ),
            founder_explanation=(
                "A secret setting is named so that your website's build would publish it to every "
                "visitor. Anyone could copy it and use your account. It must be renamed (and the "
                "key rotated if it was ever deployed)."
            ),
            impact=Impact.BLOCKER,
            stage_key=STAGE_KEY,
        )


@transaction.atomic
def envvar_save(*, var: EnvVar, by: User, old_name: str | None = None) -> EnvVar:
    """Create or update a variable on the map and keep its exposure finding in step."""
    created = var.pk is None
    var.save()
    names = [var.name] + ([old_name] if old_name and old_name != var.name else [])
    envmap_sync_findings(client=var.client, names=names)
    client_log(
        client=var.client,
        actor=by,
        kind="secrets.envvar_added" if created else "secrets.envvar_updated",
        message=f"{var.name} was " + ("added to" if created else "edited on") + " the env map.",
    )
    return var


@transaction.atomic
def envvar_delete(*, var: EnvVar, by: User) -> None:
    client, name = var.client, var.name
    var.delete()
    envmap_sync_findings(client=client, names=[name])
    client_log(
        client=client,
        actor=by,
        kind="secrets.envvar_deleted",
        message=f"{name} was removed from the env map.",
    )


def required_names(*, client: Client, environment: str) -> list[str]:
    return sorted(var.name for var in client.env_vars.all() if environment in var.environments)


def known_environments(*, client: Client) -> list[str]:
    """The environments the variable map names: the only ones the gate can vouch for."""
    envs = client.env_vars.values_list("environments", flat=True)
    return sorted({env for names in envs for env in names})


# ---------------------------------------------------------------- scans


def scan_request(*, client: Client, by: User | None, source: str) -> ScanRun:
    """Record a scan and enqueue it once the transaction commits (the task gets the key
    only). Raises QueueUnavailable, the scan recorded as failed, when the queue is down."""
    with transaction.atomic():
        run = ScanRun.objects.create(
            client=client,
            sprint=active_sprint(client),
            source=source.strip(),
            requested_by=_actor(by),
        )
        if run.sprint is not None:
            activity_log(
                sprint=run.sprint,
                actor=by,
                kind="secrets.scan_requested",
                message="A secret scan of the code repository started.",
                visible_to_founder=False,
            )
        job_enqueue(job=run)
    return run


def _progress_writer(run: ScanRun):
    def write(phase: str, done: int, total: int) -> None:
        job_progress(job=run, phase=phase, done=done, total=total)

    return write


def scan_run_execute(*, run_pk: int) -> None:
    """Run a queued scan from the start. Never raises: a failure is recorded on the run
    with a message we wrote, and logged without a traceback (git's or a plugin's error
    text could quote the repository's content). Hits are stored in one transaction at
    the end, so a scan whose worker died left nothing behind and a re-run starts clean."""
    claimed = job_claim(ScanRun, pk=run_pk)
    if claimed is None:
        return
    run = ScanRun.objects.select_related("client").get(pk=claimed.pk)
    allow = frozenset(run.client.secret_allowlist.values_list("fingerprint", flat=True))
    try:
        report = scan_repository(
            run.source,
            local_roots=list(settings.SECRETS_SCAN_LOCAL_ROOTS),
            allow=allow,
            timeout=settings.SECRETS_SCAN_TIMEOUT,
            max_bytes=settings.SECRETS_SCAN_MAX_MB * 1_000_000,
            progress=_progress_writer(run),
        )
    except (ScanError, SourceRefused) as exc:
        _scan_failed(run, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - the message of an unknown error may quote content
        _scan_failed(run, f"Unexpected {type(exc).__name__} while scanning.")
        return
    scan_store(run=run, report=report)


def _scan_failed(run: ScanRun, message: str) -> None:
    logger.warning("secret scan %s failed: %s", run.code, message)
    job_fail(job=run, error=message[:300])


@transaction.atomic
def scan_store(*, run: ScanRun, report: ScanReport) -> ScanRun:
    """Save the redacted hits, track exposed keys across scans, and raise or verify the
    sprint's findings: one per distinct key, verified when a re-scan no longer sees it."""
    client = run.client
    keys = {k.fingerprint: k for k in ExposedKey.objects.filter(client=client, source=run.source)}
    by_fp: dict[str, list[Hit]] = {}
    for hit in report.hits:
        by_fp.setdefault(hit.fingerprint, []).append(hit)
    for fp, hits in by_fp.items():
        key = keys.get(fp)
        if key is None:
            key = keys[fp] = ExposedKey.objects.create(
                client=client,
                source=run.source,
                fingerprint=fp,
                rule=hits[0].rule,
                last_seen_run=run,
            )
        else:
            key.last_seen_run, key.still_present = run, True
            key.save(update_fields=["last_seen_run", "still_present"])
        ScanHit.objects.bulk_create(
            ScanHit(
                run=run,
                key=key,
                rule=h.rule,
                path=h.path[:1000],
                line=h.line,
                commit=h.commit,
                author_date=h.author_date,
                preview=h.preview,
                fingerprint=h.fingerprint,
                occurrences=h.occurrences,
                in_worktree=h.in_worktree,
            )
            for h in hits
        )
    gone = [key for fp, key in keys.items() if fp not in by_fp]
    for key in gone:
        key.still_present = False
        key.save(update_fields=["still_present"])
    run.progress_total = max(run.progress_total, report.commits)
    job_done(
        job=run,
        commits=report.commits,
        worktree_files=report.worktree_files,
        allowlisted=report.allowlisted,
        progress_total=run.progress_total,
    )
    sprint = run.sprint
    if sprint is None or not sprint.is_active:
        sprint = active_sprint(client)
    if sprint is not None:
        for fp, key in keys.items():
            _sync_key_finding(sprint=sprint, key=key, hits=by_fp.get(fp, []))
        activity_log(
            sprint=sprint,
            actor=None,
            kind="secrets.scan_done",
            message=f"Secret scan finished: {len(by_fp)} key{'s' if len(by_fp) != 1 else ''} "
            f"need{'s' if len(by_fp) == 1 else ''} rotating."
            if by_fp
            else "Secret scan finished: no secrets found.",
        )
    return run


def _sync_key_finding(*, sprint: Sprint, key: ExposedKey, hits: list[Hit]) -> None:
    label = rule_label(key.rule)
    if hits:
        first = min(hits, key=lambda h: (h.author_date is None, h.author_date or timezone.now()))
        where = (
            f"commit {first.commit[:10]} ({first.author_date:%Y-%m-%d})"
            if first.commit
            else "the working tree"
        )
        evidence = (
            f"{label} in {first.path} line {first.line}, {where}; "
            f"{len(hits)} file{'s' if len(hits) != 1 else ''}. See the scan for the redacted "
            "preview."
        )
    else:
        evidence = "The latest scan no longer finds this key in the repository's history."
    finding_sync_automated(
        sprint=sprint,
        source=SCAN_SOURCE,
        target=f"key {key.code}",
        failing=bool(hits),
        title=f"Rotate the {label} found in the code history",
        evidence=evidence,
        founder_explanation=(
            "A key that unlocks one of your services was saved into your code's history. Anyone "
            "who "
            "can read the repository, now or later, can use it. It needs rotating: create a new "
            "key, "
            "store it in your secret store, and revoke the old one."
        ),
        impact=Impact.BLOCKER,
        stage_key=STAGE_KEY,
    )


@transaction.atomic
def allowlist_add(*, client: Client, by: User, fingerprint: str, reason: str) -> AllowlistEntry:
    entry, _ = AllowlistEntry.objects.update_or_create(
        client=client,
        fingerprint=fingerprint,
        defaults={"reason": reason.strip(), "created_by": _actor(by)},
    )
    sprint = active_sprint(client)
    if sprint is not None:
        activity_log(
            sprint=sprint,
            actor=by,
            kind="secrets.allowlisted",
            message=f"A scan hit was allowlisted: {entry.reason}",
            visible_to_founder=False,
        )
    return entry


@transaction.atomic
def allowlist_entry_delete(*, entry: AllowlistEntry, by: User) -> AllowlistEntry:
    """Stop skipping a fingerprint (undoable for the undo window); the next scan reports it."""
    return soft_remove(
        obj=entry,
        by=by,
        kind="secrets.allowlist_deleted",
        message=(
            f"An allowlist entry was removed ({entry.reason}); the next scan reports that value."
        ),
    )


@transaction.atomic
def allowlist_entry_restore(*, entry: AllowlistEntry, by: User) -> AllowlistEntry:
    return soft_restore(
        obj=entry,
        by=by,
        kind="secrets.allowlist_restored",
        message=f"An allowlist entry was put back ({entry.reason}) (undo).",
        clash="That value was allowlisted again since, so this entry stays removed.",
    )


# ---------------------------------------------------------------- deploy gate


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class IssuedToken:
    token: DeployToken
    plaintext: str = field(repr=False)


@transaction.atomic
def deploy_token_create(*, client: Client, by: User, label: str) -> IssuedToken:
    """A new random token; the caller shows ``plaintext`` once, only its hash is kept."""
    plaintext = TOKEN_PREFIX + pysecrets.token_urlsafe(32)
    token = DeployToken.objects.create(
        client=client,
        label=label.strip(),
        token_hash=_hash_token(plaintext),
        hint=plaintext[:8],
        created_by=_actor(by),
    )
    sprint = active_sprint(client)
    if sprint is not None:
        activity_log(
            sprint=sprint,
            actor=by,
            kind="secrets.token_created",
            message=f"A deploy gate token was created for {token.label}.",
            visible_to_founder=False,
        )
    return IssuedToken(token, plaintext)


@transaction.atomic
def deploy_token_revoke(*, token: DeployToken, by: User) -> DeployToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        sprint = active_sprint(token.client)
        if sprint is not None:
            activity_log(
                sprint=sprint,
                actor=by,
                kind="secrets.token_revoked",
                message=f"The deploy gate token for {token.label} was revoked.",
                visible_to_founder=False,
            )
    return token


def deploy_token_check(*, client_code: str, presented: str) -> DeployToken | None:
    """The active token of that client matching ``presented``, or None."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        return None
    token = (
        DeployToken.objects.filter(token_hash=_hash_token(presented), revoked_at__isnull=True)
        .select_related("client")
        .first()
    )
    if token is None or token.client.code != client_code:
        return None
    return token


@dataclass(frozen=True)
class GateAnswer:
    ok: bool
    required: list[str]
    missing: list[str]
    exposed: list[str]
    known: list[str]
    unknown_environment: bool = False


def deploy_gate_check(
    *, token: DeployToken, environment: str, version: str, names: list[str]
) -> GateAnswer:
    """Compare the names the CI has with the map, record the event, answer. An
    environment the map does not name is refused: "0 required variables" there would
    wave through a typo (``prod`` for ``production``) or a map nobody filled in."""
    client = token.client
    known = known_environments(client=client)
    if environment not in known:
        deploy_gate_refused(token=token, environment=environment, version=version)
        return GateAnswer(
            ok=False, required=[], missing=[], exposed=[], known=known, unknown_environment=True
        )
    present = set(names)
    required = required_names(client=client, environment=environment)
    missing = [name for name in required if name not in present]
    exposed = sorted(name for name in present if browser_prefix(name) and looks_sensitive(name))
    DeployEvent.objects.create(
        client=client,
        token=token,
        environment=environment,
        version=version,
        result=DeployResult.MISSING if missing else DeployResult.OK,
        missing=missing,
        names_received=len(present),
    )
    DeployToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    if missing:
        _deploy_refused_notify(
            client=client,
            environment=environment,
            version=version,
            why=f"{len(missing)} required variable(s) missing: {', '.join(missing[:10])}"
            + (" …" if len(missing) > 10 else ""),
        )
    return GateAnswer(
        ok=not missing, required=required, missing=missing, exposed=exposed, known=known
    )


def _deploy_refused_notify(*, client: Client, environment: str, version: str, why: str) -> None:
    """The consultant and the founders who own deploys hear once per client, environment
    and version, however often the CI retries it. A client with no sprint has nobody to tell."""
    sprint = client.sprints.order_by("finished_at", "-started_at").first()
    if sprint is None:
        return
    where = " ".join(part for part in (environment, version) if part) or "unnamed deploy"
    with transaction.atomic():
        notify(
            event=EventKind.DEPLOY_REFUSED,
            sprint=sprint,
            key=f"deploy:{client.pk}:{environment}:{version}:{why}",
            title=f"{client.name}: deploy stopped by the gate ({where})",
            text=f"The deploy gate stopped {where}: {why}. Add them where the deploy runs, "
            "then deploy again.",
            path=reverse("secrets:secrets_inventory", args=[client.code]),
        )


def deploy_gate_refused(*, token: DeployToken, environment: str = "", version: str = "") -> None:
    DeployEvent.objects.create(
        client=token.client,
        token=token,
        environment=environment,
        version=version,
        result=DeployResult.REFUSED,
    )
    _deploy_refused_notify(
        client=token.client,
        environment=environment,
        version=version,
        why="the request it sent could not be read",
    )
