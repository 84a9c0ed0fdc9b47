from django.apps import AppConfig


class SecretsConfig(AppConfig):
    name = "checks.secrets"
    label = "secrets"
    verbose_name = "Secrets and configuration"

    def ready(self) -> None:
        from checks.secrets import panels
        from clients.panels import register

        register("client", panels.client_panel, order=45)
        register("sprint", panels.sprint_panel, order=55)
        register("portal", panels.portal_panel, order=45)
        register("item_badges", panels.item_badges, order=50)
