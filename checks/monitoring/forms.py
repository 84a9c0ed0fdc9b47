from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from checks.monitoring.models import Monitor
from checks.monitoring.services import MONITOR_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MonitorForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    webhook_url = forms.URLField(
        label="Webhook URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text='Optional: Slack-compatible incoming webhook (receives {"text": …}).',
    )

    class Meta:
        model = Monitor
        fields = list(MONITOR_FIELDS)
        widgets = {"alert_emails": forms.Textarea(attrs={"rows": 2})}

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
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
        interval, timeout = data.get("interval_seconds"), data.get("timeout_seconds")
        if interval and timeout and timeout >= interval:
            self.add_error("timeout_seconds", "The timeout must be shorter than the interval.")
        if not data.get("alert_emails") and not data.get("webhook_url") and not self.errors:
            self.add_error(
                "alert_emails",
                "Give at least one email address or a webhook, or nobody hears about an outage.",
            )
        return data


class MaintenanceForm(forms.Form):
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
