from django.apps import AppConfig


class StatusPageConfig(AppConfig):
    name = "checks.statuspage"
    label = "statuspage"
    verbose_name = "Public status pages"

    def ready(self) -> None:
        from checks.statuspage import panels
        from clients.panels import register

        register("client", panels.client_status_page, order=45)
