"""What the handover app owns: the consultant's edits to a sprint's handover (the draft),
the issue jobs that render and sign it in the background, and the issued, signed,
immutable versions the founder downloads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clients.codes import new_code
from clients.jobs.models import Job
from clients.models import Sprint
from launchready.guard.fields import (
    GuardedJSONField,
    GuardedTextField,
    RedactedCharField,
    RedactedJSONField,
)


class HandoverDraft(models.Model):
    """Staff-only: the consultant's wording for the editable parts of a sprint's handover.

    ``edits`` maps a field key (``"deployment.redeploy"``) to the text that replaces the
    generated default; a key that is absent means "use the default"."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="handover_draft")
    edits = GuardedJSONField(default=dict, blank=True)
    # Field key -> the suggested wording the consultant confirmed as true. A confirmation
    # lapses when the suggestion changes (new data), so a stale one is never printed.
    confirmed = GuardedJSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Handover draft for {self.sprint}"


class IssueJob(Job):
    """One press of "Issue": the Huey task reports its progress here for the page to poll.
    Phases: writing the PDF (1 of 2), signing (2 of 2)."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="handover_jobs")
    override_reason = GuardedTextField(
        blank=True, help_text="Why it was issued despite the readiness gaps."
    )
    issued = models.OneToOneField(
        "IssuedHandover", null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )

    job_kind = "handover"
    job_doing = "issuing the handover"
    job_title = "Signed handover"
    job_unit = "steps"
    job_task = "handover.tasks.issue_handover"
    job_scope = "sprint__client"
    stale_setting = "HANDOVER_STALE_SECONDS"

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"Issue job {self.code} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("handover:handover_draft", args=[self.sprint.code]) + "#issue"


def _issued_path(instance: IssuedHandover, filename: str) -> str:
    return f"handover/{instance.sprint.client.code}/{instance.sprint.code}/{filename}"


class IssuedHandover(models.Model):
    """A signed handover PDF exactly as issued. Never edited: re-issuing adds a version.
    Only the founder's acknowledgement is recorded on the row afterwards."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    sprint = models.ForeignKey(Sprint, on_delete=models.PROTECT, related_name="handovers")
    version = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=_issued_path, max_length=300)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_name = RedactedCharField(max_length=200)
    signer_subject = RedactedCharField(max_length=500)
    signer_fingerprint = models.CharField(max_length=100)
    signer_self_signed = models.BooleanField()
    signer_cert_pem = models.TextField()
    # Readiness at issue time: what was missing, and the consultant's reason to issue anyway.
    gaps = RedactedJSONField(default=list, blank=True)
    override_reason = GuardedTextField(blank=True)
    # RFC 3161 timestamp from an independent authority; empty when the time is the signer's claim.
    timestamp_at = models.DateTimeField(null=True, blank=True)
    timestamp_authority = RedactedCharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sprint", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["sprint", "version"], name="handover_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="handover_version_positive"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="handover_ack_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sprint.client} handover v{self.version}"

    @property
    def filename(self) -> str:
        return f"handover-{self.sprint.client.name}-v{self.version}.pdf".replace(" ", "-").lower()
