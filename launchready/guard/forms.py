"""Forms refuse a pasted secret in any field, say what it looks like and what to do,
and never send the value back: the refused field is blanked before the form is shown
again, every other error on it is dropped (some validators quote the input), and every
other field keeps what was typed.

Every form in the project inherits ``GuardedFormMixin`` (``tests/guard`` sweeps them),
and every ModelAdmin is a ``GuardedModelAdmin``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from launchready.guard.fields import _strings, refusal_for


class GuardedFormMixin:
    # Fields that hold a credential the app keeps encrypted (a webhook URL): not refused,
    # but blanked whenever the form is shown again, like a password box.
    secret_fields: tuple[str, ...] = ()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        refused: dict[str, Any] = {}
        for name in self.fields:  # type: ignore[attr-defined]
            if name in self.secret_fields:
                continue
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            raw = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key)
            for text in _strings(raw):
                refusal = refusal_for(text) if text.strip() else None
                if refusal is not None:
                    refused[name] = refusal
                    break
        if self._errors and any(  # type: ignore[attr-defined]
            self.add_prefix(n) in self.data  # type: ignore[attr-defined]
            for n in self.secret_fields
        ):
            data = self.data.copy()  # type: ignore[attr-defined]
            for name in self.secret_fields:
                data[self.add_prefix(name)] = ""  # type: ignore[attr-defined]
            self.data = data
        if not refused:
            return
        if self._errors is None:  # type: ignore[has-type]
            self._errors = self.error_class()  # pragma: no cover
        data = self.data.copy()  # type: ignore[attr-defined]
        for name, refusal in refused.items():
            self._errors[name] = self.error_class(refusal.error_list, renderer=self.renderer)  # type: ignore[attr-defined]
            self.cleaned_data.pop(name, None)  # type: ignore[attr-defined]
            data[self.add_prefix(name)] = ""  # type: ignore[attr-defined]
        self.data = data

    @property
    def refused_fields(self) -> list[str]:
        errors = self._errors or {}  # type: ignore[attr-defined]
        return [
            name
            for name, errs in errors.as_data().items()
            if any(getattr(e, "code", None) == "secret_value" for e in errs)
        ]


class GuardedForm(GuardedFormMixin, forms.Form):
    pass


class GuardedModelForm(GuardedFormMixin, forms.ModelForm):
    pass


class GuardedModelAdmin(admin.ModelAdmin):
    form = GuardedModelForm


class GuardedTabularInline(admin.TabularInline):
    form = GuardedModelForm
