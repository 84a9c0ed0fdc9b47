from django.apps import AppConfig


class BrowserConfig(AppConfig):
    name = "checks.browser"
    label = "browser"
    verbose_name = "Browser runs (Lighthouse, journeys)"

    def ready(self) -> None:
        from checks.browser import panels
        from clients.panels import register

        register("client", panels.client_lighthouse, order=45)
        register("sprint", panels.sprint_lighthouse, order=55)
        register("portal", panels.portal_lighthouse, order=45)
