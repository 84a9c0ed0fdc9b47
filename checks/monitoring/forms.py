from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from checks.monitoring.models import Monitor
from checks.monitoring.services import MONITOR_FIELDS
from launchready.guard.crypto import redact_url
from launchready.guard.forms import GuardedForm, GuardedModelForm

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
JOURNEY_INTERVAL = 900  # a new journey runs every 15 minutes unless staff choose otherwise


class MonitorForm(GuardedModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="For a journey, leave it empty: the first visit step is used.",
    )
    # The webhook URL is a credential: never rendered back, only its redacted form.
    webhook_url = forms.URLField(
        label="Webhook URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            'Optional: Slack-compatible incoming webhook (receives {"text": …}). '
            "Stored encrypted and never shown again."
        ),
    )
    remove_webhook = forms.BooleanField(label="Remove the webhook", required=False)
    steps = forms.CharField(
        label="Journey steps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 7, "spellcheck": "false"}),
        help_text=(
            "One step a line: visit URL · click TEXT or SELECTOR · fill FIELD = VALUE · "
            "submit [BUTTON] · expect text TEXT · expect element SELECTOR · expect url PART. "
            "{marker} in a value becomes the test marker; submitted forms also carry a hidden "
            "test field and every request a test header, so the CRM can drop test leads. "
            "A new journey left at the 60 s interval runs every 15 minutes."
        ),
    )
    secret_fields = ("webhook_url",)

    class Meta:
        model = Monitor
        fields = list(MONITOR_FIELDS)
        widgets = {"alert_emails": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.webhook_url if self.instance.pk else ""
        if current:
            self.fields[
                "webhook_url"
            ].help_text = (
                f"Currently {redact_url(current)}. Leave blank to keep it, or type a new one."
            )
        else:
            del self.fields["remove_webhook"]
        self.fields["url"].required = False  # a journey's address is its first visit step
        if self.instance.pk and self.instance.kind == "journey" and not self.is_bound:
            from checks.browser.journeys import steps_text

            self.initial["steps"] = steps_text(self.instance.journey_steps.all())

    def clean_steps(self) -> list:
        if self.data.get("kind") != "journey":
            return []
        from checks.browser.journeys import StepError, steps_parse

        try:
            return steps_parse(self.cleaned_data.get("steps") or "")
        except StepError as exc:
            raise ValidationError(str(exc)) from None

    def clean_webhook_url(self) -> str:
        # Blank on an edit keeps the stored URL ("remove" is applied in clean()).
        typed = self.cleaned_data.get("webhook_url") or ""
        return typed or (self.instance.webhook_url if self.instance.pk else "")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url and self.data.get("kind") == "journey":
            return url  # filled from the first step in clean()
        if not url:
            raise ValidationError("This field is required.")
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError("Monitors probe http:// or https:// addresses.")
        return url

    def clean_alert_emails(self) -> str:
        raw = self.cleaned_data["alert_emails"]
        emails = Monitor(alert_emails=raw).alert_email_list()
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}")
        return ", ".join(emails)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.pop("remove_webhook", False):
            data["webhook_url"] = ""
        if data.get("kind") == "journey" and data.get("steps"):
            data["url"] = data["steps"][0].target
            if not self.instance.pk and data.get("interval_seconds") == 60:
                data["interval_seconds"] = (
                    JOURNEY_INTERVAL  # the URL default is too often for a browser
                )
        interval, timeout = data.get("interval_seconds"), data.get("timeout_seconds")
        if interval and timeout and timeout >= interval:
            self.add_error("timeout_seconds", "The timeout must be shorter than the interval.")
        if not data.get("alert_emails") and not data.get("webhook_url") and not self.errors:
            self.add_error(
                "alert_emails",
                "Give at least one email address or a webhook, or nobody hears about an outage.",
            )
        return data


class MaintenanceForm(GuardedForm):
    starts_at = forms.DateTimeField(
        label="Starts (UTC)",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label="Ends (UTC)",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    reason = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The window must end after it starts.")
        return data


def monitor_form_initial(*, user: Any, client: Any) -> dict[str, str]:
    """A new monitor alerts the consultant adding it and the client's contact address."""
    return {"alert_emails": ", ".join(filter(None, [user.email, client.contact_email]))}
