from django.contrib import admin
from django.urls import include, path

from clients.views.health import healthz

admin.site.site_header = "Launch Ready admin"
admin.site.site_title = "Launch Ready"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("checks.urls")),
    path("", include("checks.monitoring.urls")),
    path("", include("checks.secrets.urls")),
    path("", include("handover.urls")),
    path("", include("clients.urls")),
]
