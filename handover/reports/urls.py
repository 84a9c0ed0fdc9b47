from django.urls import path

from handover.reports import views

urlpatterns = [
    path("clients/<str:client_code>/weekly-report/", views.report_preview, name="report_preview"),
    path(
        "clients/<str:client_code>/weekly-report/subscription/",
        views.report_subscription,
        name="report_subscription",
    ),
    path("reports/unsubscribe/<str:token>/", views.report_unsubscribe, name="report_unsubscribe"),
]
