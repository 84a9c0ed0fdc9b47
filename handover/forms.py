"""Forms: the consultant's edits to one section, and the verification upload."""

from __future__ import annotations

from django import forms
from django.conf import settings

from handover.sections import MAX_EDIT_CHARS, Section
from launchready.guard.forms import GuardedForm


class SectionEditForm(GuardedForm):
    """One textarea per editable passage of a section; empty means "use the default"."""

    section = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, section: Section, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{section.key}_%s")  # several forms on one page
        super().__init__(*args, **kwargs)
        self.section_obj = section
        self.fields["section"].initial = section.key
        for text in section.texts.values():
            help_text = "One step per line." if text.steps else ""
            self.fields[text.field_name] = forms.CharField(
                label=text.label,
                required=False,
                max_length=MAX_EDIT_CHARS,
                help_text=help_text + " Leave empty to use the suggested wording.",
                initial=text.value,
                widget=forms.Textarea(attrs={"rows": 6 if text.steps else 3}),
            )
            if text.default:
                self.fields[f"confirm__{text.field_name}"] = forms.BooleanField(
                    label="The suggested wording is true for this client: print it",
                    required=False,
                    initial=text.confirmed,
                )

    def values(self) -> dict[str, str]:
        """Field key -> text, for the service. Text equal to the default is not stored."""
        out = {}
        for text in self.section_obj.texts.values():
            value = self.cleaned_data.get(text.field_name, "").replace("\r\n", "\n").strip()
            out[text.key] = "" if value == text.default else value
        return out

    def confirmations(self) -> dict[str, str]:
        """Field key -> the suggestion confirmed as true, or "" to withdraw a confirmation."""
        out = {}
        for text in self.section_obj.texts.values():
            name = f"confirm__{text.field_name}"
            if name in self.fields:
                out[text.key] = text.default if self.cleaned_data.get(name) else ""
        return out


class IssueForm(GuardedForm):
    """ "Issue": the override reason is needed only when the readiness gate lists gaps."""

    override_reason = forms.CharField(
        label="Reason to issue anyway",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Logged, and printed on page one with the list of what is missing.",
    )


class VerifyForm(GuardedForm):
    file = forms.FileField(
        label="Handover PDF", help_text="The PDF file you received or downloaded."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        cap = settings.HANDOVER_VERIFY_MAX_BYTES
        if upload.size > cap:
            raise forms.ValidationError(f"That file is larger than {cap // (1024 * 1024)} MB.")
        return upload
