"""Forms for the secrets screens and the admin. Every text field refuses a pasted secret
(``launchready.guard.forms``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from checks.secrets.models import AllowlistEntry, DeployToken, EnvVar, SecretRecord
from checks.secrets.probe import SourceRefused, validate_source
from checks.secrets.validators import parse_environments
from clients.models import Client
from launchready.guard.forms import GuardedFormMixin


class EnvironmentsField(forms.CharField):
    """A JSON list of environment names, typed as "production, staging"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, e.g. production, staging, preview")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return parse_environments(value if isinstance(value, list) else str(value or ""))

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        return None  # names are checked by parse_environments


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SecretRecordForm(GuardedFormMixin, forms.ModelForm):
    environments = EnvironmentsField()

    class Meta:
        model = SecretRecord
        fields = [
            "name",
            "kind",
            "unlocks",
            "storage",
            "storage_detail",
            "environments",
            "owner",
            "access",
            "last_rotated",
            "rotation_due",
            "exposure",
            "notes",
        ]
        widgets = {
            "access": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "last_rotated": _DATE,
            "rotation_due": _DATE,
        }

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        client = self.client or data.get("client")
        name = data.get("name")
        if client is not None and name:
            clash = SecretRecord.objects.filter(client=client, name__iexact=name).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("name", "This client already has a secret with that name.")
        rotated, due = data.get("last_rotated"), data.get("rotation_due")
        if rotated and due and due < rotated:
            self.add_error("rotation_due", "The rotation due date is before the last rotation.")
        return data


class EnvVarForm(GuardedFormMixin, forms.ModelForm):
    environments = EnvironmentsField(required=True)

    class Meta:
        model = EnvVar
        fields = ["name", "environments", "phase", "sensitive", "owner", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client or (self.instance.client if self.instance.client_id else None)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        client = self.client or data.get("client")
        name = data.get("name")
        if client is not None and name:
            if (
                EnvVar.objects.filter(client=client, name=name)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("name", "This variable is already on the map.")
        return data


class SecretRecordAdminForm(SecretRecordForm):
    class Meta(SecretRecordForm.Meta):
        fields = ["client", *SecretRecordForm.Meta.fields]


class EnvVarAdminForm(EnvVarForm):
    class Meta(EnvVarForm.Meta):
        fields = ["client", *EnvVarForm.Meta.fields]


class AllowlistAdminForm(GuardedFormMixin, forms.ModelForm):
    class Meta:
        model = AllowlistEntry
        fields = ["client", "fingerprint", "reason"]


class DeployTokenAdminForm(GuardedFormMixin, forms.ModelForm):
    class Meta:
        model = DeployToken
        fields = ["label"]


class ScanStartForm(GuardedFormMixin, forms.Form):
    source = forms.CharField(
        label="Repository",
        max_length=500,
        help_text="A clone URL (https://… or git@host:org/repo.git) or a path on the worker.",
        widget=forms.TextInput(attrs={"placeholder": "https://github.com/acme/app.git"}),
    )

    def clean_source(self) -> str:
        value = self.cleaned_data["source"].strip()
        try:
            validate_source(value, local_roots=list(settings.SECRETS_SCAN_LOCAL_ROOTS))
        except SourceRefused as exc:
            raise ValidationError(str(exc), code="source") from None
        return value


class AllowForm(GuardedFormMixin, forms.Form):
    hit = forms.CharField(widget=forms.HiddenInput, max_length=16)
    reason = forms.CharField(
        max_length=300, help_text="Why this is not a real secret, e.g. test fixture."
    )


class DeployTokenForm(GuardedFormMixin, forms.Form):
    label = forms.CharField(
        max_length=80, initial="GitHub Actions", help_text="Where the token will live."
    )
