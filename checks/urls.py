from django.urls import path

from checks import views

app_name = "checks"

urlpatterns = [
    path("sprints/<str:sprint_code>/checks/run/", views.run_start, name="checks_run"),
    path(
        "clients/<str:client_code>/redirect-map/",
        views.redirect_rule_add,
        name="checks_redirect_add",
    ),
    path(
        "clients/<str:client_code>/redirect-map/<str:rule_code>/delete/",
        views.redirect_rule_delete,
        name="checks_redirect_delete",
    ),
    path(
        "domains/<str:domain_code>/check-settings/",
        views.domain_settings,
        name="checks_domain_settings",
    ),
]
