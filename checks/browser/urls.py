from django.urls import path

from checks.browser import views

urlpatterns = [
    path(
        "clients/<str:client_code>/lighthouse/", views.lighthouse_client, name="lighthouse_client"
    ),
    path(
        "clients/<str:client_code>/lighthouse/run/",
        views.lighthouse_start,
        name="lighthouse_start",
    ),
    path(
        "lighthouse/<str:audit_code>/report.json", views.lighthouse_report, name="lighthouse_report"
    ),
    path(
        "journeys/<str:journey_run_code>/screenshot.png",
        views.journey_screenshot,
        name="journey_screenshot",
    ),
]
