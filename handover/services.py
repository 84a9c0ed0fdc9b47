"""Writes for the handover: save the consultant's edits, issue (render + sign + store)
a new version, run the background job, record the founder's acknowledgement.
Views, commands and the Huey task all call these."""

from __future__ import annotations

import logging
import subprocess

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clients.jobs.models import ACTIVE
from clients.jobs.services import job_claim, job_done, job_enqueue, job_fail, job_progress
from clients.models import Sprint
from clients.notifications.models import EventKind
from clients.notifications.services import notify
from clients.services import ServiceError, activity_log
from handover.models import HandoverDraft, IssuedHandover, IssueJob
from handover.readiness import Readiness, readiness
from handover.rendering import SecretInDocument, render_pdf
from handover.sections import EDITABLE, MAX_EDIT_CHARS, Handover, build_handover
from handover.signing import (
    SignerUnavailable,
    load_signer,
    sha256_hex,
    sign_pdf,
    signed_timestamp,
    signer_info,
)
from launchready.guard.rules import rule_label
from launchready.guard.sweep import text_hits

log = logging.getLogger(__name__)


def _name(user: User | None) -> str:
    if user is None or not user.is_authenticated:
        return "Launch Ready"
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------- draft


@transaction.atomic
def draft_save(
    *,
    sprint: Sprint,
    by: User,
    values: dict[str, str],
    confirm: dict[str, str] | None = None,
) -> HandoverDraft:
    """Store the consultant's wording for some editable fields. An empty value puts the
    suggestion back. ``confirm`` maps a field to the suggestion the consultant confirmed
    as true (an empty string withdraws the confirmation); only confirmed or rewritten
    passages are printed."""
    confirm = confirm or {}
    unknown = (set(values) | set(confirm)) - set(EDITABLE)
    if unknown:
        raise ServiceError(f"Unknown handover fields: {', '.join(sorted(unknown))}.")
    too_long = [EDITABLE[k][0] for k, v in values.items() if len(v) > MAX_EDIT_CHARS]
    if too_long:
        raise ServiceError(
            f"Keep each passage under {MAX_EDIT_CHARS:,} characters ({', '.join(too_long)})."
        )
    draft, _ = HandoverDraft.objects.select_for_update().get_or_create(sprint=sprint)
    edits = dict(draft.edits)
    for key, value in values.items():
        value = value.replace("\r\n", "\n").strip()
        if value:
            edits[key] = value
        else:
            edits.pop(key, None)
    confirmed = dict(draft.confirmed)
    for key, suggestion in confirm.items():
        if suggestion:
            confirmed[key] = suggestion.replace("\r\n", "\n").strip()
        else:
            confirmed.pop(key, None)
    draft.edits = edits
    draft.confirmed = confirmed
    draft.updated_by = by
    draft.save()
    labels = ", ".join(EDITABLE[k][0] for k in {**values, **confirm})
    activity_log(
        sprint=sprint,
        actor=by,
        kind="handover.edited",
        message=f"{_name(by)} edited the handover draft: {labels}.",
        visible_to_founder=False,
    )
    return draft


# ---------------------------------------------------------------- issue


def _next_version(sprint: Sprint) -> int:
    latest = sprint.handovers.order_by("-version").values_list("version", flat=True).first()
    return (latest or 0) + 1


def _set_phase(job: IssueJob | None, step: int, phase: str) -> None:
    if job is not None:
        job_progress(job=job, done=step - 1, total=2, phase=phase)


class HandoverNotReady(ServiceError):
    """Issuing was refused: the sprint is not at the handover stage or the document has
    gaps, and no override reason was given. ``gaps`` lists what is missing."""

    def __init__(self, message: str, gaps: list[str]) -> None:
        super().__init__(message)
        self.gaps = gaps


def handover_gate(
    *,
    sprint: Sprint,
    by: User | None,
    override_reason: str | None = None,
    document: Handover | None = None,
) -> Readiness:
    """Apply the readiness gate: return the readiness if issuing may go ahead, raise
    HandoverNotReady (and log the refusal) if not. An override is logged by the issue."""
    document = document or build_handover(sprint)
    state = readiness(document)
    reason = (override_reason or "").strip()
    if state.ready or reason:
        return state
    problems = state.lines
    message = (
        f"The handover is not ready to issue ({len(problems)} "
        f"gap{'s' if len(problems) != 1 else ''}): "
        + " ".join(problems[:3])
        + (" …" if len(problems) > 3 else "")
        + " Fix them, or give an override reason: the PDF then lists what is missing on page one."
    )
    activity_log(
        sprint=sprint,
        actor=by,
        kind="handover.refused",
        visible_to_founder=False,
        message=f"Issuing the handover was refused: {len(problems)} gap(s).",
    )
    raise HandoverNotReady(message, problems)


def handover_issue(
    *,
    sprint: Sprint,
    by: User | None,
    job: IssueJob | None = None,
    override_reason: str | None = None,
) -> IssuedHandover:
    """Render the sprint's handover as a PDF, sign it (with an RFC 3161 timestamp when a
    TSA is configured), store it as a new immutable version and log it. Refused unless
    the sprint is at stage 7 with no gaps, or an override reason is given. Rendering
    happens outside any transaction; if another issue took the version number
    meanwhile, it is rendered again with the next one."""
    try:
        signer = signer_info()
        load_signer()  # the key and its passphrase too, before a second goes on rendering
    except SignerUnavailable as exc:
        raise ServiceError(str(exc)) from exc
    reason = (override_reason or "").strip()
    for _attempt in range(3):
        version = _next_version(sprint)
        now = timezone.now()
        _set_phase(job, 1, "writing the PDF")
        document = build_handover(sprint, version=version, signer=signer, issued_at=now)
        state = handover_gate(sprint=sprint, by=by, override_reason=reason, document=document)
        if not state.ready:
            document.gaps, document.override_reason = state.for_founder, reason
        try:
            pdf = render_pdf(document)
        except SecretInDocument as exc:
            raise ServiceError(str(exc)) from exc
        _set_phase(job, 2, "signing")
        try:
            signed = sign_pdf(
                pdf, reason=f"Launch handover for {sprint.client.name}, version {version}"
            )
        except SignerUnavailable as exc:
            raise ServiceError(str(exc)) from exc
        stamp = signed_timestamp(signed)
        issued = IssuedHandover(
            sprint=sprint,
            version=version,
            sha256=sha256_hex(signed),
            size=len(signed),
            issued_at=now,
            issued_by=by if by is not None and by.is_authenticated else None,
            signer_name=signer.name,
            signer_subject=signer.subject,
            signer_fingerprint=signer.fingerprint,
            signer_self_signed=signer.self_signed,
            signer_cert_pem=signer.cert_pem,
            gaps=document.gaps,
            override_reason=document.override_reason,
            timestamp_at=stamp[0] if stamp else None,
            timestamp_authority=stamp[1] if stamp else "",
        )
        filename = f"handover-v{version}-{issued.code}.pdf"
        try:
            issued.file.save(filename, ContentFile(signed), save=False)
        except OSError:
            # A full disk leaves a truncated file behind; the name is unique (the code).
            issued.file.storage.delete(issued.file.field.generate_filename(issued, filename))
            raise
        try:
            with transaction.atomic():
                issued.save()
                activity_log(
                    sprint=sprint,
                    actor=by,
                    kind="handover.issued",
                    message=f"{_name(by)} issued the signed handover, version {version}.",
                )
                notify(
                    event=EventKind.HANDOVER_ISSUED,
                    sprint=sprint,
                    key=f"handover:{issued.pk}",
                    title=f"{sprint.client.name}: your signed handover, version {version}",
                    text="The handover lists what was checked, who owns each account and "
                    "what to do when something breaks. Download it from your launch page.",
                    path=reverse("clients:portal_sprint", args=[sprint.code]),
                    actor=by,
                    now=now,
                )
                if document.gaps:
                    activity_log(
                        sprint=sprint,
                        actor=by,
                        kind="handover.override",
                        visible_to_founder=False,
                        message=f"{_name(by)} issued version {version} despite "
                        f"{len(document.gaps)} "
                        f"gap(s): {reason}",
                    )
        except IntegrityError:
            issued.file.delete(save=False)
            continue
        return issued
    raise ServiceError("Another handover was being issued at the same time; try again.")


def handover_request_issue(
    *, sprint: Sprint, by: User, override_reason: str | None = None
) -> IssueJob:
    """Queue rendering and signing in the background, after the readiness gate. A job
    already queued or running for this sprint is returned instead of starting a second
    one (a dead one is failed by the reaper, never here). Raises QueueUnavailable, the
    job recorded as failed, when the queue cannot be reached."""
    try:
        signer_info()
    except SignerUnavailable as exc:
        raise ServiceError(str(exc)) from exc
    handover_gate(sprint=sprint, by=by, override_reason=override_reason)
    with transaction.atomic():
        running = sprint.handover_jobs.filter(status__in=ACTIVE).first()
        if running is not None:
            return running
        job = IssueJob.objects.create(
            sprint=sprint, requested_by=by, override_reason=(override_reason or "").strip()
        )
        job_enqueue(job=job)
    return job


def handover_run_job(*, job_id: int) -> IssueJob | None:
    """What the Huey task does: issue, and record progress and the outcome on the job.
    The version number is taken when the signed file is stored, so a job tried again
    after its worker died issues the next version."""
    claimed = job_claim(IssueJob, pk=job_id)
    if claimed is None:
        return None
    job = IssueJob.objects.select_related("sprint__client", "requested_by").get(pk=claimed.pk)
    try:
        issued = handover_issue(
            sprint=job.sprint, by=job.requested_by, job=job, override_reason=job.override_reason
        )
    except ServiceError as exc:
        job_fail(job=job, error=str(exc))
    except OSError as exc:
        log.warning("handover job %s could not store the PDF: %s", job.code, exc)
        job_fail(
            job=job,
            error=f"The PDF could not be saved ({exc.strerror or type(exc).__name__}); nothing was "
            "issued. Free some disk space, then try again.",
        )
    except Exception as exc:
        log.exception("handover job %s failed", job.code)
        job_fail(job=job, error=f"Unexpected error ({type(exc).__name__}); see the worker log.")
        raise
    else:
        job.progress_phase = ""
        job_done(job=job, issued=issued)
    return job


def handover_latest_or_issue(
    *, sprint: Sprint, by: User | None, override_reason: str | None = None
) -> tuple[IssuedHandover, bool]:
    """For scripting: the latest issued version, or a new one (through the same
    readiness gate). Returns (handover, created)."""
    latest = sprint.handovers.order_by("-version").first()
    if latest is not None:
        return latest, False
    return handover_issue(sprint=sprint, by=by, override_reason=override_reason), True


# ---------------------------------------------------------------- founder


def handover_acknowledge(*, handover: IssuedHandover, by: User) -> IssuedHandover:
    """The founder confirms they received this version; the first confirmation counts."""
    if by.is_staff:
        raise ServiceError("Only the founder's team can acknowledge receipt.")
    now = timezone.now()
    with transaction.atomic():
        updated = IssuedHandover.objects.filter(
            pk=handover.pk, acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=by)
        if updated:
            activity_log(
                sprint=handover.sprint,
                actor=by,
                kind="handover.acknowledged",
                message=f"{_name(by)} confirmed receipt of the handover, version "
                f"{handover.version}.",
            )
    handover.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    return handover


# ---------------------------------------------------------------- exposed versions


def handover_pdf_secrets(*, handover: IssuedHandover) -> list[tuple[str, str]]:
    """(rule, redacted preview) for every secret value in an issued PDF's text."""
    try:
        with handover.file.open("rb") as handle:
            data = handle.read()
        # A fixed program from PATH; the PDF arrives on stdin.
        command = ["pdftotext", "-q", "-", "-"]
        result = subprocess.run(command, input=data, capture_output=True, timeout=60)  # noqa: S603
    except FileNotFoundError as exc:
        raise ServiceError("Reading a PDF needs pdftotext (Debian package poppler-utils).") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"Reading version {handover.version} took too long.") from exc
    return text_hits(result.stdout.decode("utf-8", "replace"))


def handover_delete_exposed(*, handover: IssuedHandover, by: User) -> int:
    """Delete a signed version, for one reason only: its text holds a secret value
    (issued before the guard existed). The deletion is logged; returns the version."""
    if not by.is_staff:
        raise ServiceError("Only staff can delete a signed handover.")
    hits = handover_pdf_secrets(handover=handover)
    if not hits:
        raise ServiceError(
            f"Version {handover.version} holds no secret value. Signed versions are kept; "
            "only one that exposes a secret may be deleted."
        )
    version, sprint = handover.version, handover.sprint
    kinds = ", ".join(sorted({rule_label(rule) for rule, _ in hits}))
    with transaction.atomic():
        handover.delete()
        activity_log(
            sprint=sprint,
            actor=by,
            kind="handover.deleted",
            message=(
                f"{_name(by)} deleted signed handover version {version}: it contained a "
                f"secret value ({kinds}). Rotate it if it was shared."
            ),
        )
        transaction.on_commit(lambda: handover.file.delete(save=False))
    return version
