from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = "Handover"

    def ready(self) -> None:
        from clients import demo
        from clients.panels import register
        from handover import demo as handover_demo
        from handover import panels

        register("sprint", panels.sprint_panel, order=90)
        register("portal", panels.portal_panel, order=10)
        # Last, so the passages it confirms read the data the other apps recorded.
        demo.register(handover_demo.fill_demo_sprint, order=90)
        checks.register(check_site_url, checks.Tags.security, deploy=True)


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104 (names refused, not bound)


def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The handover PDF prints and links SITE_URL (the verification address): a
    production install without it would sign a useless or localhost address into it."""
    if settings.DEBUG:
        return []
    url = settings.SITE_URL
    parts = urlsplit(url)
    if not url:
        return [
            checks.Error(
                "SITE_URL is not set.",
                hint="Set SITE_URL to the public https:// address of this app; "
                "handover PDFs and emails link to it.",
                id="launchready.E001",
            )
        ]
    if parts.scheme not in {"http", "https"} or (parts.hostname or "") in LOCAL_HOSTS:
        return [
            checks.Error(
                f"SITE_URL is {url!r}, which nobody else can open.",
                hint="Set SITE_URL to the public https:// address of this app.",
                id="launchready.E002",
            )
        ]
    return []
