"""Writes for the handover: save the consultant's edits, issue (render + sign + store)
a new version, run the background job, record the founder's acknowledgement.
Views, commands and the Huey task all call these."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Sprint
from clients.services import ServiceError, activity_log
from handover.models import HandoverDraft, IssuedHandover, IssueJob, JobStatus
from handover.readiness import Readiness, readiness
from handover.rendering import render_pdf
from handover.sections import EDITABLE, MAX_EDIT_CHARS, Handover, build_handover
from handover.signing import SignerUnavailable, sha256_hex, sign_pdf, signed_timestamp, signer_info

log = logging.getLogger(__name__)
STALE_JOB = timedelta(minutes=10)


def _name(user: AbstractBaseUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "Launch Ready"
    return user.get_full_name() or user.get_username()


# ---------------------------------------------------------------- draft


@transaction.atomic
def draft_save(
    *, sprint: Sprint, by: AbstractBaseUser, values: dict[str, str], confirm: dict[str, str] | None = None
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
        raise ServiceError(f"Keep each passage under {MAX_EDIT_CHARS:,} characters ({', '.join(too_long)}).")
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


def _set_job(job: IssueJob | None, status: str, **fields: object) -> None:
    if job is None:
        return
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "updated_at", *fields])


class HandoverNotReady(ServiceError):
    """Issuing was refused: the sprint is not at the handover stage or the document has
    gaps, and no override reason was given. ``gaps`` lists what is missing."""

    def __init__(self, message: str, gaps: list[str]) -> None:
        super().__init__(message)
        self.gaps = gaps


def handover_gate(
    *, sprint: Sprint, by: AbstractBaseUser | None, override_reason: str | None = None,
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
        f"The handover is not ready to issue ({len(problems)} gap{'s' if len(problems) != 1 else ''}): "
        + " ".join(problems[:3]) + (" …" if len(problems) > 3 else "")
        + " Fix them, or give an override reason: the PDF then lists what is missing on page one."
    )
    activity_log(
        sprint=sprint, actor=by, kind="handover.refused", visible_to_founder=False,
        message=f"Issuing the handover was refused: {len(problems)} gap(s).",
    )
    raise HandoverNotReady(message, problems)


def handover_issue(
    *, sprint: Sprint, by: AbstractBaseUser | None, job: IssueJob | None = None,
    override_reason: str | None = None,
) -> IssuedHandover:
    """Render the sprint's handover as a PDF, sign it (with an RFC 3161 timestamp when a
    TSA is configured), store it as a new immutable version and log it. Refused unless
    the sprint is at stage 7 with no gaps, or an override reason is given. Rendering
    happens outside any transaction; if another issue took the version number
    meanwhile, it is rendered again with the next one."""
    try:
        signer = signer_info()
    except SignerUnavailable as exc:
        raise ServiceError(str(exc)) from exc
    reason = (override_reason or "").strip()
    for _attempt in range(3):
        version = _next_version(sprint)
        now = timezone.now()
        _set_job(job, JobStatus.RENDERING)
        document = build_handover(sprint, version=version, signer=signer, issued_at=now)
        state = handover_gate(sprint=sprint, by=by, override_reason=reason, document=document)
        if not state.ready:
            document.gaps, document.override_reason = state.for_founder, reason
        pdf = render_pdf(document)
        _set_job(job, JobStatus.SIGNING)
        try:
            signed = sign_pdf(pdf, reason=f"Launch handover for {sprint.client.name}, version {version}")
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
        issued.file.save(f"handover-v{version}-{issued.code}.pdf", ContentFile(signed), save=False)
        try:
            with transaction.atomic():
                issued.save()
                activity_log(
                    sprint=sprint,
                    actor=by,
                    kind="handover.issued",
                    message=f"{_name(by)} issued the signed handover, version {version}.",
                )
                if document.gaps:
                    activity_log(
                        sprint=sprint, actor=by, kind="handover.override", visible_to_founder=False,
                        message=f"{_name(by)} issued version {version} despite {len(document.gaps)} gap(s): {reason}",
                    )
        except IntegrityError:
            issued.file.delete(save=False)
            continue
        return issued
    raise ServiceError("Another handover was being issued at the same time; try again.")


def handover_request_issue(
    *, sprint: Sprint, by: AbstractBaseUser, override_reason: str | None = None
) -> IssueJob:
    """Queue rendering and signing in the background, after the readiness gate. A job
    already running for this sprint is returned instead of starting a second one."""
    from handover import tasks

    try:
        signer_info()
    except SignerUnavailable as exc:
        raise ServiceError(str(exc)) from exc
    handover_gate(sprint=sprint, by=by, override_reason=override_reason)
    running = (
        sprint.handover_jobs.exclude(status__in=[JobStatus.DONE, JobStatus.FAILED])
        .filter(created_at__gte=timezone.now() - STALE_JOB)
        .first()
    )
    if running is not None:
        return running
    with transaction.atomic():
        job = IssueJob.objects.create(sprint=sprint, requested_by=by, override_reason=(override_reason or "").strip())
        transaction.on_commit(lambda: tasks.issue_handover(job.pk))
    return job


def handover_run_job(*, job_id: int) -> IssueJob | None:
    """What the Huey task does: issue, and record progress and the outcome on the job."""
    job = IssueJob.objects.select_related("sprint__client", "requested_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    try:
        issued = handover_issue(
            sprint=job.sprint, by=job.requested_by, job=job, override_reason=job.override_reason
        )
    except ServiceError as exc:
        _set_job(job, JobStatus.FAILED, error=str(exc))
    except Exception as exc:
        log.exception("handover job %s failed", job.code)
        _set_job(job, JobStatus.FAILED, error=f"Unexpected error ({type(exc).__name__}); see the worker log.")
        raise
    else:
        _set_job(job, JobStatus.DONE, issued=issued)
    return job


def handover_latest_or_issue(
    *, sprint: Sprint, by: AbstractBaseUser | None, override_reason: str | None = None
) -> tuple[IssuedHandover, bool]:
    """For scripting: the latest issued version, or a new one (through the same
    readiness gate). Returns (handover, created)."""
    latest = sprint.handovers.order_by("-version").first()
    if latest is not None:
        return latest, False
    return handover_issue(sprint=sprint, by=by, override_reason=override_reason), True


# ---------------------------------------------------------------- founder


def handover_acknowledge(*, handover: IssuedHandover, by: AbstractBaseUser) -> IssuedHandover:
    """The founder confirms they received this version; the first confirmation counts."""
    if by.is_staff:
        raise ServiceError("Only the founder's team can acknowledge receipt.")
    now = timezone.now()
    with transaction.atomic():
        updated = IssuedHandover.objects.filter(pk=handover.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        )
        if updated:
            activity_log(
                sprint=handover.sprint,
                actor=by,
                kind="handover.acknowledged",
                message=f"{_name(by)} confirmed receipt of the handover, version {handover.version}.",
            )
    handover.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    return handover
