"""What the clients app owns: clients, their domains, people and accounts; sprints with
their seven stages, checklist items, findings and activity log; and the playbook the
checklists are drawn from."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from clients.codes import new_code
from clients.softdelete import SoftDeleteModel
from clients.validators import validate_time_zone
from launchready.guard.fields import (
    GuardedCharField,
    GuardedEmailField,
    GuardedJSONField,
    GuardedSlugField,
    GuardedTextField,
    GuardedURLField,
    RedactedCharField,
    RedactedTextField,
)


class BusinessType(models.TextChoices):
    COACH = "coach", "Coach or consultant"
    B2B = "b2b", "B2B service firm"
    INTERNAL = "internal", "Internal ops tool or client portal"
    CHATBOT = "chatbot", "AI chatbot"


class Maturity(models.TextChoices):
    IDEA = "idea", "Idea to prototype"
    DEMO = "demo", "Demo to launch"
    LAUNCH = "launch", "Launch to first customers"


# ---------------------------------------------------------------- playbook


class PlaybookStage(models.Model):
    """One of the seven stages every sprint goes through, as the playbook describes it."""

    number = models.PositiveSmallIntegerField(unique=True)
    key = GuardedSlugField(max_length=30, unique=True)
    title = GuardedCharField(max_length=80)
    goal = GuardedTextField()
    founder_summary = GuardedTextField(help_text="What the founder reads about this stage.")
    deliverable = GuardedTextField()
    failure_signals = GuardedJSONField(default=list, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=7), name="playbookstage_number_1_7"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PlaybookItem(models.Model):
    """A checklist line; copied into a sprint when it starts, filtered by client profile."""

    stage = models.ForeignKey(PlaybookStage, on_delete=models.CASCADE, related_name="items")
    key = GuardedCharField(max_length=80, unique=True)
    text = GuardedCharField(max_length=200)
    help = GuardedTextField(blank=True)
    business_types = GuardedJSONField(default=list, blank=True, help_text="Empty means all.")
    maturities = GuardedJSONField(default=list, blank=True, help_text="Empty means all.")
    check_ids = GuardedJSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage__number", "position", "id"]

    def __str__(self) -> str:
        return self.text

    def applies_to(self, business_type: str, maturity: str) -> bool:
        return (
            self.active
            and (not self.business_types or business_type in self.business_types)
            and (not self.maturities or maturity in self.maturities)
        )


class MaturityTarget(models.Model):
    """The numbers a client of a given maturity should reach before launch."""

    maturity = models.CharField(max_length=10, choices=Maturity.choices, unique=True)
    p95_latency_ms = models.PositiveIntegerField()
    error_rate_pct = models.DecimalField(max_digits=5, decimal_places=2)
    alert_delay_minutes = models.PositiveIntegerField()
    lighthouse_min = models.PositiveSmallIntegerField()
    uptime_pct = models.DecimalField(max_digits=6, decimal_places=3)
    notes = GuardedTextField(blank=True)

    def __str__(self) -> str:
        return self.get_maturity_display()


class GlossaryTerm(models.Model):
    term = GuardedCharField(max_length=60, unique=True)
    plain = GuardedTextField()

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


# ---------------------------------------------------------------- clients


class Client(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = GuardedCharField(max_length=120)
    business_type = models.CharField(max_length=12, choices=BusinessType.choices)
    maturity = models.CharField(max_length=10, choices=Maturity.choices)
    contact_name = GuardedCharField("main contact", max_length=120, blank=True)
    contact_email = GuardedEmailField("contact email", blank=True)
    contact_phone = GuardedCharField("contact phone", max_length=40, blank=True)
    # Named people the handover tells the founder to call for each job.
    deploy_owner = GuardedCharField(
        "who deploys", max_length=200, blank=True, help_text="Name and phone or email."
    )
    rollback_owner = GuardedCharField(
        "who rolls back", max_length=200, blank=True, help_text="Name and phone or email."
    )
    alerts_owner = GuardedCharField(
        "who answers alerts", max_length=200, blank=True, help_text="Name and phone or email."
    )
    renewals_owner = GuardedCharField(
        "who handles renewals", max_length=200, blank=True, help_text="Name and phone or email."
    )
    staff_notes = GuardedTextField(blank=True, help_text="Only staff see this.")
    time_zone = GuardedCharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin: when the weekly report arrives.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="clients", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A founder (or a founder's teammate) belongs to exactly the clients listed here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    title = GuardedCharField(max_length=80, blank=True, help_text="e.g. Founder, CTO")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.client}"


class DomainRole(models.TextChoices):
    CANONICAL = "canonical", "Canonical site"
    WWW = "www", "www (redirects to canonical)"
    APP = "app", "Web app"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    MAIL = "mail", "Mail"
    CAMPAIGN = "campaign", "Campaign domain (redirects)"
    OLD = "old", "Old domain (redirects)"
    OTHER = "other", "Other"


class Domain(SoftDeleteModel):
    """A hostname and what it is meant to be, so checks can compare intent with reality."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="domains")
    hostname = GuardedCharField(max_length=253)
    role = models.CharField(max_length=12, choices=DomainRole.choices)
    redirect_to = GuardedURLField(
        blank=True, help_text="For campaign and old domains: where visitors should end up."
    )
    purpose = GuardedCharField(max_length=200, blank=True, help_text="What this name is for.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hostname"]
        constraints = [
            # Removed rows wait for their undo window without holding the name.
            models.UniqueConstraint(
                Lower("hostname"),
                condition=Q(deleted_at__isnull=True),
                name="domain_hostname_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.hostname

    @property
    def redirects(self) -> bool:
        return self.role in {DomainRole.CAMPAIGN, DomainRole.OLD}


class AccountKind(models.TextChoices):
    REGISTRAR = "registrar", "Domain registrar"
    DNS = "dns", "DNS provider"
    EDGE = "edge", "CDN / edge (e.g. Cloudflare)"
    HOSTING = "hosting", "Hosting / deployment"
    DATABASE = "database", "Database"
    EMAIL = "email", "Email sending"
    MAILBOX = "mailbox", "Mailboxes"
    CODE = "code", "Code repository"
    MONITORING = "monitoring", "Monitoring / alerts"
    PAYMENTS = "payments", "Payments"
    ANALYTICS = "analytics", "Analytics"
    AI = "ai", "AI / LLM provider"
    OTHER = "other", "Other"


class ServiceAccount(SoftDeleteModel):
    """An outside account the product depends on: who owns it and where to log in.
    Never a password: only the location of the login."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="accounts")
    kind = models.CharField(max_length=12, choices=AccountKind.choices)
    vendor = GuardedCharField(max_length=80, help_text="e.g. Cloudflare, Namecheap, Render")
    purpose = GuardedCharField(max_length=200, blank=True)
    owner_name = GuardedCharField(max_length=120, blank=True)
    owner_email = GuardedEmailField(blank=True)
    login_location = GuardedCharField(
        max_length=300,
        blank=True,
        help_text="Where to sign in (URL or account name), never a password.",
    )
    renewal_date = models.DateField(null=True, blank=True)
    support_contact = GuardedCharField(max_length=200, blank=True)
    notes = GuardedTextField(blank=True)

    class Meta:
        ordering = ["kind", "vendor"]

    def __str__(self) -> str:
        return f"{self.vendor} ({self.get_kind_display()})"


# ---------------------------------------------------------------- sprints


class Outcome(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    GO = "go", "Go"
    NO_GO = "no_go", "No-go"
    ACCEPTED_RISKS = "accepted_risks", "Launched with accepted risks"


class Sprint(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sprints")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    current_stage = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reason = GuardedTextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # The newest log line, cut to what the dashboard shows, so it need not look it up
    # (or shorten it) per sprint.
    last_activity = RedactedCharField(max_length=90, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_stage__gte=1, current_stage__lte=7), name="sprint_stage_1_7"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("started_at")), name="sprint_deadline_after_start"
            ),
            # A client runs one sprint at a time.
            models.UniqueConstraint(
                fields=["client"], condition=Q(finished_at__isnull=True), name="one_active_sprint"
            ),
        ]
        indexes = [models.Index(fields=["finished_at", "deadline"])]

    def __str__(self) -> str:
        return f"{self.client} sprint {self.started_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.finished_at is None

    def time_left(self, now=None) -> timedelta:
        return self.deadline - (now or timezone.now())

    def hours_left(self, now=None) -> float:
        return self.time_left(now).total_seconds() / 3600

    def is_overdue(self, now=None) -> bool:
        return self.is_active and self.time_left(now) < timedelta(0)

    def elapsed_fraction(self, now=None) -> float:
        total = (self.deadline - self.started_at).total_seconds()
        done = ((now or timezone.now()) - self.started_at).total_seconds()
        return max(0.0, min(1.0, done / total)) if total > 0 else 1.0


class StageStatus(models.TextChoices):
    PENDING = "pending", "Not started"
    ACTIVE = "active", "In progress"
    DONE = "done", "Done"


class SprintStage(models.Model):
    """A stage of one sprint: a copy of the playbook stage, so editing the playbook
    later does not rewrite a sprint that already happened."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    key = GuardedSlugField(max_length=30)
    title = GuardedCharField(max_length=80)
    goal = GuardedTextField(blank=True)
    founder_summary = GuardedTextField(blank=True)
    deliverable = GuardedTextField(blank=True)
    failure_signals = GuardedJSONField(default=list, blank=True)
    status = models.CharField(
        max_length=8, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    override_reason = GuardedTextField(blank=True)

    class Meta:
        ordering = ["sprint", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sprint", "number"], name="sprintstage_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ItemState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    NOT_APPLICABLE = "na", "Not applicable"


class ChecklistItem(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    stage = models.ForeignKey(SprintStage, on_delete=models.CASCADE, related_name="items")
    key = GuardedCharField(max_length=80)
    text = GuardedCharField(max_length=200)
    help = GuardedTextField(blank=True)
    check_ids = GuardedJSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=4, choices=ItemState.choices, default=ItemState.OPEN)
    state_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state_at = models.DateTimeField(null=True, blank=True)
    note = GuardedTextField(blank=True)

    class Meta:
        ordering = ["stage__number", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "key"], name="item_unique_key")]

    def __str__(self) -> str:
        return self.text


class Impact(models.TextChoices):
    # Ordered by weight: the value sorts blockers first.
    BLOCKER = "1_blocker", "Launch blocker"
    TRUST = "2_trust", "Trust issue"
    CLEANUP = "3_cleanup", "Cleanup"


class Decision(models.TextChoices):
    MUST_NOW = "now", "Must do now"
    CAN_WAIT = "later", "Can wait"
    ACCEPTED = "accepted", "Accepted risk"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    FIXED = "fixed", "Fixed"
    VERIFIED = "verified", "Verified fixed"


MANUAL_SOURCE = "manual"


class Finding(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="findings")
    stage = models.ForeignKey(SprintStage, on_delete=models.CASCADE, related_name="findings")
    title = GuardedCharField(max_length=200)
    evidence = GuardedTextField("what was seen", blank=True)
    founder_explanation = GuardedTextField(
        "what it means for the founder",
        blank=True,
        help_text="Plain language, shown on the portal.",
    )
    impact = models.CharField(max_length=10, choices=Impact.choices)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.MUST_NOW)
    decision_reason = GuardedTextField(blank=True)
    status = models.CharField(
        max_length=8, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    source = GuardedCharField(
        max_length=80, default=MANUAL_SOURCE, help_text="'manual' or the id of an automated check."
    )
    target = GuardedCharField(
        max_length=300, blank=True, help_text="What an automated check looked at."
    )
    staff_note = GuardedTextField(blank=True, help_text="Only staff see this.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "impact", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="accepted") | ~Q(decision_reason=""),
                name="accepted_risk_needs_reason",
            ),
            # Automated findings are deduplicated by check id and target within a sprint.
            models.UniqueConstraint(
                fields=["sprint", "source", "target"],
                condition=~Q(source=MANUAL_SOURCE),
                name="finding_unique_automated",
            ),
        ]
        indexes = [models.Index(fields=["sprint", "status", "impact"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN

    @property
    def is_blocker(self) -> bool:
        return self.impact == Impact.BLOCKER


class Activity(models.Model):
    """Append-only log of who did what, when. Nothing updates or deletes a row."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = GuardedCharField(max_length=40)
    message = RedactedTextField()
    visible_to_founder = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        # "Latest entry of each sprint" (dashboard, sprint page) reads this index only.
        indexes = [
            models.Index(fields=["sprint", "-created_at", "-id"], name="activity_sprint_latest")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
