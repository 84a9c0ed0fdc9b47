from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "handover.reports"
    label = "reports"
    verbose_name = "Weekly reports"

    def ready(self) -> None:
        from clients.panels import register
        from handover.reports import panels

        register("client", panels.client_report_panel, order=48)
        register("portal", panels.portal_report_panel, order=70)
