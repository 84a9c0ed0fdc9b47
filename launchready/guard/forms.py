"""Forms refuse a pasted secret in any field, say what it looks like and what to do,
and never send the value back: the refused field is blanked before the form is shown
again, every other error on it is dropped (some validators quote the input), and every
other field keeps what was typed.

Every form in the project inherits ``GuardedFormMixin`` (``tests/guard`` sweeps them),
and every ModelAdmin is a ``GuardedModelAdmin``.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms

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
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if name in self.secret_fields:
                continue
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            # The widget knows its own keys (a split date and time posts name_0, name_1).
            raw = [field.widget.value_from_datadict(self.data, self.files, key)]  # type: ignore[attr-defined]
            if hasattr(self.data, "getlist"):
                raw.append(self.data.getlist(key))
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
        if isinstance(self, forms.ModelForm):
            # The ModelForm has already copied the typed value onto its instance; put the
            # stored one back so a page that shows the object does not show the value.
            concrete = {f.name for f in self.instance._meta.concrete_fields if not f.is_relation}
            for name in refused.keys() & concrete:
                setattr(self.instance, name, self.initial.get(name, ""))
        data = self.data.copy()  # type: ignore[attr-defined]
        for name, refusal in refused.items():
            self._errors[name] = self.error_class(refusal.error_list, renderer=self.renderer)  # type: ignore[attr-defined]
            if hasattr(self, "cleaned_data"):
                self.cleaned_data.pop(name, None)
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            for posted in list(data):
                if re.fullmatch(rf"{re.escape(key)}(_\d+)?", posted):
                    data[posted] = ""
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


# Django's own account forms, guarded the same way; password boxes are the one place a
# secret is expected, so they are passed through (and never rendered back by Django).
class GuardedAuthenticationForm(GuardedFormMixin, auth_forms.AuthenticationForm):
    secret_fields = ("password",)


class GuardedPasswordResetForm(GuardedFormMixin, auth_forms.PasswordResetForm):
    pass


class GuardedSetPasswordForm(GuardedFormMixin, auth_forms.SetPasswordForm):
    secret_fields = ("new_password1", "new_password2")


class GuardedPasswordChangeForm(GuardedFormMixin, auth_forms.PasswordChangeForm):
    secret_fields = ("old_password", "new_password1", "new_password2")


class GuardedAdminAuthenticationForm(GuardedFormMixin, AdminAuthenticationForm):
    secret_fields = ("password",)


class GuardedUserCreationForm(GuardedFormMixin, auth_forms.AdminUserCreationForm):
    secret_fields = ("password1", "password2")


class GuardedUserChangeForm(GuardedFormMixin, auth_forms.UserChangeForm):
    secret_fields = ("password",)
