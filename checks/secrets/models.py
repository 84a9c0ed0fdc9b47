"""What the secrets app owns: a client's inventory of secrets (names, owners, rotation,
never a value), the environment variable map, secret scans of a git repository with
their redacted hits and allowlist, the keys those scans found exposed, and the deploy
gate's tokens and events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from checks.secrets.validators import validate_env_name
from clients.codes import new_code
from clients.jobs.models import Job
from clients.models import Client, Sprint
from clients.softdelete import SoftDeleteModel
from launchready.guard.fields import (
    GuardedCharField,
    GuardedJSONField,
    GuardedTextField,
    RedactedCharField,
)


class SecretKind(models.TextChoices):
    API_KEY = "api_key", "API key"
    DATABASE = "database", "Database credentials"
    SMTP = "smtp", "SMTP / email sending"
    WEBHOOK = "webhook", "Webhook signing secret"
    OAUTH = "oauth", "OAuth client"
    PRIVATE_KEY = "private_key", "Private key / certificate"
    SIGNING = "signing", "App signing / session key"
    PASSWORD = "password", "Account password"
    OTHER = "other", "Other"


class SecretStorage(models.TextChoices):
    PLATFORM = "platform", "Hosting platform's environment settings"
    MANAGER = "manager", "Secret manager (Vault, AWS/GCP secret manager, Doppler…)"
    PASSWORD_MANAGER = "password_manager", "Team password manager"
    CI = "ci", "CI secrets (e.g. GitHub Actions)"
    LOCAL = "local", "Local .env file only"
    UNKNOWN = "unknown", "Unknown"


class Exposure(models.TextChoices):
    FINE = "fine", "Fine"
    SUSPECTED = "suspected", "Suspected exposed"
    ROTATED = "rotated", "Rotated after exposure"


class _NamedEntry(models.Model):
    """What an entry of a client's secrets inventory and env map has besides its own
    fields: notes and timestamps, listed and shown by its name."""

    notes = GuardedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    name: str

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SecretRecord(SoftDeleteModel, _NamedEntry):
    """One secret the product uses. There is deliberately no field for its value."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="secret_records")
    name = GuardedCharField(max_length=120, help_text="e.g. STRIPE_SECRET_KEY")
    kind = models.CharField(max_length=16, choices=SecretKind.choices)
    unlocks = GuardedCharField("what it unlocks", max_length=300, blank=True)
    storage = models.CharField(
        "where it is stored",
        max_length=20,
        choices=SecretStorage.choices,
        default=SecretStorage.UNKNOWN,
    )
    storage_detail = GuardedCharField(
        "storage detail",
        max_length=200,
        blank=True,
        help_text="e.g. Vercel project 'web', 1Password vault 'Ops'",
    )
    environments = GuardedJSONField(default=list, blank=True)
    owner = GuardedCharField(max_length=120, blank=True)
    access = GuardedTextField("who has access", blank=True)
    last_rotated = models.DateField(null=True, blank=True)
    rotation_due = models.DateField(null=True, blank=True)
    exposure = models.CharField(max_length=10, choices=Exposure.choices, default=Exposure.FINE)

    class Meta(_NamedEntry.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"],
                condition=Q(deleted_at__isnull=True),
                name="secretrecord_unique_name",
            ),
        ]


class Phase(models.TextChoices):
    BUILD = "build", "Build time"
    RUN = "run", "Run time"
    BOTH = "both", "Build and run time"


class EnvVar(_NamedEntry):
    """A variable the product needs, per environment. Names only, never values."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="env_vars")
    name = GuardedCharField(max_length=120, validators=[validate_env_name])
    environments = GuardedJSONField(default=list, blank=True, help_text="Where it must exist.")
    phase = models.CharField(max_length=5, choices=Phase.choices, default=Phase.RUN)
    sensitive = models.BooleanField(default=False, help_text="Its value is a secret.")
    owner = GuardedCharField(max_length=120, blank=True)

    class Meta(_NamedEntry.Meta):
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="envvar_unique_name")
        ]


class ScanRun(Job):
    """One scan of one repository. The Huey task receives only this row's key."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="scan_runs")
    sprint = models.ForeignKey(
        Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = GuardedCharField("repository", max_length=500)
    commits = models.PositiveIntegerField(default=0)
    worktree_files = models.PositiveIntegerField(default=0)
    allowlisted = models.PositiveIntegerField(default=0)

    job_kind = "scan"
    job_doing = "scanning the repository"
    job_title = "Secret scan"
    job_unit = "commits"
    job_task = "checks.secrets.tasks.scan_run_task"
    job_scope = "client"
    stale_setting = "SECRETS_SCAN_STALE_SECONDS"

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"scan of {self.source}"

    def get_absolute_url(self) -> str:
        return reverse("secrets:secrets_scan_detail", args=[self.code])


class ExposedKey(models.Model):
    """A distinct secret a scan found in a client's repository, tracked across scans.
    Its code (not its fingerprint) names the finding founders see."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="exposed_keys")
    source = RedactedCharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    rule = models.CharField(max_length=40)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen_run = models.ForeignKey(
        ScanRun, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    still_present = models.BooleanField(default=True)

    class Meta:
        ordering = ["-first_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "fingerprint"], name="exposedkey_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.code}"


class ScanHit(models.Model):
    """Where a secret was seen: never its value, only a redacted preview and a keyed hash."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    run = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="hits")
    key = models.ForeignKey(ExposedKey, null=True, on_delete=models.SET_NULL, related_name="hits")
    rule = models.CharField(max_length=40)
    path = RedactedCharField(max_length=1000)
    line = models.PositiveIntegerField()
    commit = models.CharField(
        max_length=64, blank=True, help_text="Empty: only in the working tree."
    )
    author_date = models.DateTimeField(null=True, blank=True)
    preview = models.CharField(max_length=8)
    fingerprint = models.CharField(max_length=64, db_index=True)
    occurrences = models.PositiveIntegerField(default=1)
    in_worktree = models.BooleanField(default=False)

    class Meta:
        ordering = ["path", "line"]

    def __str__(self) -> str:
        return f"{self.rule} in {self.path}:{self.line}"


class AllowlistEntry(SoftDeleteModel):
    """A fingerprint the scan skips for this client (test fixtures, revoked sample keys)."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="secret_allowlist")
    fingerprint = models.CharField(max_length=64)
    reason = GuardedCharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "allowlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "fingerprint"],
                condition=Q(deleted_at__isnull=True),
                name="allowlist_unique",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="allowlist_needs_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint[:12]}… ({self.reason})"


class DeployToken(models.Model):
    """A client's CI credential for the deploy gate: shown once, stored as sha256."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deploy_tokens")
    label = GuardedCharField(max_length=80, help_text="e.g. GitHub Actions")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell tokens apart."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DeployResult(models.TextChoices):
    OK = "ok", "Allowed"
    MISSING = "missing", "Stopped: variables missing"
    REFUSED = "refused", "Refused: bad request"


class DeployEvent(models.Model):
    """One call of the deploy gate by the client's CI."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deploy_events")
    token = models.ForeignKey(
        DeployToken, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    environment = GuardedCharField(max_length=40, blank=True)
    version = GuardedCharField(max_length=100, blank=True)
    result = models.CharField(max_length=8, choices=DeployResult.choices)
    missing = GuardedJSONField(default=list, blank=True)
    names_received = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.environment} {self.version}: {self.result}"
