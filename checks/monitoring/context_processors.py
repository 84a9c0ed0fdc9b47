from __future__ import annotations

from django.http import HttpRequest


def staff_banners(request: HttpRequest) -> dict[str, object]:
    """Staff see a red banner when the monitoring scheduler has stopped running."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    from checks.monitoring.services import scheduler_stale_banner

    banner = scheduler_stale_banner()
    return {"staff_banners": [banner]} if banner else {}
