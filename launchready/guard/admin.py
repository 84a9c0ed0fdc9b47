"""Django's own User and Group admins, with the guarded forms."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from launchready.guard.forms import (
    GuardedModelForm,
    GuardedUserChangeForm,
    GuardedUserCreationForm,
)

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class GuardedUserAdmin(UserAdmin):
    form = GuardedUserChangeForm
    add_form = GuardedUserCreationForm


@admin.register(Group)
class GuardedGroupAdmin(GroupAdmin):
    form = GuardedModelForm
