from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "Handover"

    def ready(self) -> None:
        from clients.panels import register
        from handover import panels

        register("sprint", panels.sprint_panel, order=90)
        register("portal", panels.portal_panel, order=10)
