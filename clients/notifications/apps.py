from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clients.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from clients.notifications import tasks  # noqa: F401 - registers the Huey tasks
