from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clients.views.health import healthz
from launchready.guard import forms as guarded

admin.site.site_header = "Launch Ready admin"
admin.site.site_title = "Launch Ready"
admin.site.login_form = guarded.GuardedAdminAuthenticationForm

# Django's account views with the secret-value guard on their forms; the rest of
# django.contrib.auth.urls (logout, done pages) has no form that stores text.
accounts = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=guarded.GuardedAuthenticationForm),
        name="login",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=guarded.GuardedPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=guarded.GuardedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=guarded.GuardedSetPasswordForm),
        name="password_reset_confirm",
    ),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    *accounts,
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("checks.urls")),
    path("", include("checks.monitoring.urls")),
    path("", include("checks.secrets.urls")),
    path("", include("checks.browser.urls")),
    path("", include("checks.statuspage.urls")),
    path("", include("checks.renewals.urls")),
    path("", include("handover.urls")),
    path("", include("handover.reports.urls")),
    path("", include("clients.notifications.urls")),
    path("", include("clients.urls")),
]
