from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "checks.monitoring"
    label = "monitoring"
    verbose_name = "Uptime monitoring"

    def ready(self) -> None:
        from checks.monitoring import panels, services
        from clients.panels import register
        from clients.views.health import register_health_probe

        register("dashboard", panels.dashboard_down, order=20)
        register("client", panels.client_monitors, order=40)
        register("sprint", panels.sprint_monitors, order=60)
        register("portal", panels.portal_monitors, order=40)
        register_health_probe("scheduler", services.scheduler_health)
