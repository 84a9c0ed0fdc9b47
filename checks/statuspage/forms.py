from __future__ import annotations

from django import forms

from checks.statuspage.models import StatusPage, UpdateState
from launchready.guard.forms import GuardedForm, GuardedModelForm

# Paths under /status/ that are not pages.
RESERVED_SLUGS = {"confirm", "leave"}


class StatusPageForm(GuardedModelForm):
    class Meta:
        model = StatusPage
        fields = ["enabled", "slug", "title", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 2})}
        labels = {"enabled": "Publish the page (anyone with the address can read it)"}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("That address is taken by the page itself; choose another.")
        return slug


class SubscribeForm(GuardedForm):
    email = forms.EmailField(max_length=254, label="Email me about incidents")


class IncidentUpdateForm(GuardedForm):
    state = forms.ChoiceField(choices=UpdateState.choices)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    public = forms.BooleanField(
        required=False, initial=True, label="Show on the status page and email subscribers"
    )
