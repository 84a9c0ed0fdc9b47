from django.urls import path

from checks.statuspage import views

urlpatterns = [
    path("status/<slug:status_slug>/", views.status_public, name="status_public"),
    path("status/<slug:status_slug>/subscribe/", views.status_subscribe, name="status_subscribe"),
    path("status/confirm/<str:token>/", views.status_confirm, name="status_confirm"),
    path("status/leave/<str:token>/", views.status_leave, name="status_leave"),
    path("clients/<str:client_code>/status-page/", views.status_settings, name="status_settings"),
    path(
        "incidents/<str:incident_code>/updates/",
        views.incident_update_new,
        name="incident_update_new",
    ),
]
