"""What the handover app owns: the consultant's edits to a sprint's handover (the draft),
the issue jobs that render and sign it in the background, and the issued, signed,
immutable versions the founder downloads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clients.codes import new_code
from clients.models import Sprint


class HandoverDraft(models.Model):
    """Staff-only: the consultant's wording for the editable parts of a sprint's handover.

    ``edits`` maps a field key (``"deployment.redeploy"``) to the text that replaces the
    generated default; a key that is absent means "use the default"."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="handover_draft")
    edits = models.JSONField(default=dict, blank=True)
    # Field key -> the suggested wording the consultant confirmed as true. A confirmation
    # lapses when the suggestion changes (new data), so a stale one is never printed.
    confirmed = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Handover draft for {self.sprint}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RENDERING = "rendering", "Writing the PDF"
    SIGNING = "signing", "Signing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class IssueJob(models.Model):
    """One press of "Issue": the Huey task reports its progress here for the page to poll."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="handover_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    error = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why it was issued despite the readiness gaps."
    )
    issued = models.OneToOneField(
        "IssuedHandover", null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Issue job {self.code} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def step(self) -> int:
        """0 queued, 1 rendering, 2 signing, 3 done: drives the progress bar."""
        order = [JobStatus.QUEUED, JobStatus.RENDERING, JobStatus.SIGNING, JobStatus.DONE]
        return order.index(self.status) if self.status in order else 0


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
    signer_name = models.CharField(max_length=200)
    signer_subject = models.CharField(max_length=500)
    signer_fingerprint = models.CharField(max_length=100)
    signer_self_signed = models.BooleanField()
    signer_cert_pem = models.TextField()
    # Readiness at issue time: what was missing, and the consultant's reason to issue anyway.
    gaps = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    # RFC 3161 timestamp from an independent authority; empty when the time is the signer's claim.
    timestamp_at = models.DateTimeField(null=True, blank=True)
    timestamp_authority = models.CharField(max_length=300, blank=True)
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
