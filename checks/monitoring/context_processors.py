from __future__ import annotations

from django.http import HttpRequest


def staff_banners(request: HttpRequest) -> dict[str, object]:
    """Staff see a red banner when the monitoring scheduler has stopped running."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    from checks.monitoring.services import request_scheduler_health, scheduler_stale_banner

    # Panels render their own templates with the request: look once per request.
    banner = scheduler_stale_banner(health=request_scheduler_health(request))
    return {"staff_banners": [banner]} if banner else {}
