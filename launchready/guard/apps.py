from __future__ import annotations

from django.apps import AppConfig


class GuardConfig(AppConfig):
    name = "launchready.guard"
    label = "guard"
    verbose_name = "Secret-value guard"

    def ready(self) -> None:
        from launchready.guard import checks  # noqa: F401  (registers the system check)
        from launchready.guard.fields import guard_third_party_models

        guard_third_party_models()
