from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from clients.models import (
    Client,
    Decision,
    Domain,
    DomainRole,
    Finding,
    ItemState,
    Outcome,
    ServiceAccount,
    Sprint,
    SprintStage,
)
from clients.validators import normalise_hostname
from launchready.guard.forms import GuardedForm, GuardedModelForm


class ClientForm(GuardedModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "business_type",
            "maturity",
            "contact_name",
            "contact_email",
            "contact_phone",
            "deploy_owner",
            "rollback_owner",
            "alerts_owner",
            "renewals_owner",
            "time_zone",
            "staff_notes",
        ]
        widgets = {"staff_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the client keeps UTC (the model's default) until staff set it.
        self.fields["time_zone"].required = False

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or "UTC"


class DomainForm(GuardedModelForm):
    redirect_to = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="For campaign and old domains: where visitors should end up.",
    )

    class Meta:
        model = Domain
        fields = ["hostname", "role", "purpose", "redirect_to"]

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_hostname(self) -> str:
        hostname = normalise_hostname(self.cleaned_data["hostname"])
        clash = Domain.objects.filter(hostname__iexact=hostname)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        other = clash.select_related("client").first()
        if other is not None:
            if self.client is not None and other.client_id == self.client.pk:
                raise ValidationError(f"{hostname} is already listed for this client.")
            raise ValidationError(
                f"{hostname} already belongs to another client. A domain can belong to one client "
                "only."
            )
        return hostname

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") in {DomainRole.CAMPAIGN, DomainRole.OLD} and not data.get(
            "redirect_to"
        ):
            self.add_error(
                "redirect_to", "Campaign and old domains need the address visitors should land on."
            )
        return data


class DomainInlineForm(DomainForm):
    """Domain fields shown on the new-client form; all optional there."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["role"].initial = DomainRole.CANONICAL

    def clean_hostname(self) -> str:
        if not self.cleaned_data.get("hostname"):
            return ""
        return super().clean_hostname()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("hostname") and not data.get("role"):
            self.add_error("role", "Choose what this domain is for.")
        return data


class FounderForm(GuardedForm):
    full_name = forms.CharField(max_length=120, required=False, label="Name")
    email = forms.EmailField(label="Email (their login)")
    title = forms.CharField(max_length=80, required=False, initial="Founder")
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text="Leave empty to email them a link to choose their own password.",
    )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password)
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        staff = get_user_model().objects.filter(email__iexact=email, is_staff=True).exists()
        if staff:
            raise ValidationError("That address belongs to a staff account.")
        return email


class FounderInlineForm(FounderForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False


class ServiceAccountForm(GuardedModelForm):
    class Meta:
        model = ServiceAccount
        fields = [
            "kind",
            "vendor",
            "purpose",
            "owner_name",
            "owner_email",
            "login_location",
            "renewal_date",
            "support_contact",
            "notes",
        ]
        widgets = {
            "renewal_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ItemStateForm(GuardedForm):
    state = forms.ChoiceField(choices=ItemState.choices)
    note = forms.CharField(required=False, max_length=2000)


class FindingForm(GuardedModelForm):
    class Meta:
        model = Finding
        fields = [
            "title",
            "stage",
            "impact",
            "evidence",
            "founder_explanation",
            "decision",
            "decision_reason",
            "status",
            "staff_note",
        ]
        widgets = {
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "founder_explanation": forms.Textarea(attrs={"rows": 2}),
            "decision_reason": forms.Textarea(attrs={"rows": 2}),
            "staff_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, sprint: Sprint, stages: list[SprintStage] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = SprintStage.objects.filter(sprint=sprint).order_by("number")
        self.fields["stage"].label_from_instance = lambda s: f"{s.number}. {s.title}"
        if stages is not None:
            # The page already holds the seven stages: offer them without a query (the
            # queryset still validates what is posted).
            self.fields["stage"].choices = self.stage_choices(stages)
        if not self.instance.pk and "stage" not in self.initial:
            self.fields["stage"].initial = sprint.stages.filter(number=sprint.current_stage).first()

    @classmethod
    def stage_choices(cls, stages: list[SprintStage]) -> list[tuple[Any, str]]:
        """The stage field's choices for these stages (the blank form's fields are cached
        by them: clients.views.sprints.finding_fields)."""
        empty = cls.base_fields["stage"].empty_label  # type: ignore[attr-defined]
        return [("", empty)] * (empty is not None) + [
            (s.pk, f"{s.number}. {s.title}") for s in stages
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("decision") == Decision.ACCEPTED
            and not (data.get("decision_reason") or "").strip()
        ):
            self.add_error(
                "decision_reason", "An accepted risk needs a reason the founder can read."
            )
        return data


class AdvanceForm(GuardedForm):
    override_reason = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(GuardedForm):
    outcome = forms.ChoiceField(
        choices=[c for c in Outcome.choices if c[0] != Outcome.PENDING], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(GuardedForm):
    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Your message"
    )
