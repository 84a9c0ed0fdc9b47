from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clients.notifications.channels import validate_chat_target
from clients.notifications.models import Level
from launchready.guard.crypto import redact_url
from launchready.guard.forms import GuardedForm


class PreferenceForm(GuardedForm):
    email = forms.ChoiceField(
        label="Email", choices=Level.choices, widget=forms.RadioSelect, initial=Level.ALL
    )
    chat = forms.ChoiceField(
        label="Chat", choices=Level.choices, widget=forms.RadioSelect, initial=Level.ALL
    )
    # The webhook URL is a credential: never rendered back, only its redacted form.
    chat_webhook_url = forms.URLField(
        label="Chat webhook URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text='Optional: a Slack-compatible incoming webhook (receives {"text": …}). '
        "Stored encrypted and never shown again.",
    )
    remove_webhook = forms.BooleanField(label="Remove the webhook", required=False)
    secret_fields = ("chat_webhook_url",)

    def __init__(self, *args: Any, staff: bool, current_webhook: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_webhook = current_webhook
        if not staff:
            # Founders hear by email; the chat channel is the consultant's.
            for name in ("chat", "chat_webhook_url", "remove_webhook"):
                del self.fields[name]
            return
        if current_webhook:
            self.fields["chat_webhook_url"].help_text = (
                f"Currently {redact_url(current_webhook)}. Leave blank to keep it, "
                "or type a new one."
            )
        else:
            del self.fields["remove_webhook"]

    def clean_chat_webhook_url(self) -> str:
        url = self.cleaned_data.get("chat_webhook_url") or ""
        if url and not url.lower().startswith("https://"):
            raise ValidationError("Chat webhooks are https:// addresses.")
        validate_chat_target(url)
        return url or self.current_webhook

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.pop("remove_webhook", False):
            data["chat_webhook_url"] = ""
        return data


class ReplyForm(GuardedForm):
    text = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Your reply",
        help_text="Shown on the founder's launch page and emailed to them.",
    )
