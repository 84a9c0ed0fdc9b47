from __future__ import annotations

from django import forms

from checks.models import RedirectRule
from launchready.guard.forms import GuardedForm, GuardedModelForm


class RedirectRuleForm(GuardedModelForm):
    class Meta:
        model = RedirectRule
        fields = ["source_url", "target_url"]
        labels = {"source_url": "Old or campaign URL", "target_url": "Must redirect to"}


class DomainCheckSettingsForm(GuardedForm):
    dkim_selectors = forms.CharField(
        required=False, help_text="Comma-separated, as the email provider names them."
    )
    health_path = forms.RegexField(
        regex=r"^/[^\s]*$",
        required=False,
        max_length=200,
        help_text="A path starting with /, e.g. /healthz",
        error_messages={"invalid": "Start the path with / and use no spaces."},
    )
    key_routes = forms.CharField(
        required=False, help_text="Comma-separated paths to time, e.g. /pricing, /login"
    )

    def clean_dkim_selectors(self) -> list[str]:
        values = [v.strip() for v in self.cleaned_data["dkim_selectors"].split(",") if v.strip()]
        for v in values:
            if not all(c.isalnum() or c in "-_." for c in v):
                raise forms.ValidationError(f"{v!r} is not a DKIM selector.")
        return values

    def clean_key_routes(self) -> list[str]:
        values = [v.strip() for v in self.cleaned_data["key_routes"].split(",") if v.strip()]
        bad = [v for v in values if not v.startswith("/") or " " in v]
        if bad:
            raise forms.ValidationError(f"Routes must start with /: {', '.join(bad)}")
        return values[:10]
