from django.urls import path

from checks.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("clients/<str:client_code>/monitors/", views.monitor_list, name="monitor_list"),
    path("clients/<str:client_code>/monitors/new/", views.monitor_add, name="monitor_add"),
    path("monitors/<str:monitor_code>/", views.monitor_detail, name="monitor_detail"),
    path("monitors/<str:monitor_code>/edit/", views.monitor_edit, name="monitor_edit"),
    path("monitors/<str:monitor_code>/pause/", views.monitor_pause, name="monitor_pause"),
    path("monitors/<str:monitor_code>/resume/", views.monitor_resume, name="monitor_resume"),
    path("monitors/<str:monitor_code>/check/", views.monitor_check, name="monitor_check"),
    path(
        "monitors/<str:monitor_code>/check/status/",
        views.monitor_check_status,
        name="monitor_check_status",
    ),
    path("monitors/<str:monitor_code>/maintenance/", views.maintenance_add, name="maintenance_add"),
    path(
        "maintenance/<str:window_code>/delete/", views.maintenance_delete, name="maintenance_delete"
    ),
    path("portal/uptime/<str:client_code>/", views.monitor_portal, name="monitor_portal"),
]
