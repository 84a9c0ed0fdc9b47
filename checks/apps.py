from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Automated checks"

    def ready(self) -> None:
        from checks import panels, tasks  # noqa: F401 - tasks registers the Huey tasks
        from checks.chat import chat_send
        from checks.monitoring.validators import validate_public_target
        from clients.notifications.channels import register_chat_sender, register_target_validator
        from clients.panels import register

        register_chat_sender(chat_send)
        register_target_validator(validate_public_target)

        register("sprint", panels.sprint_panel, order=10)
        register("item_badges", panels.item_badges)
        register("client", panels.client_panel, order=20)
        register("portal", panels.portal_panel, order=20)
        register("founder_labels", panels.founder_labels)
