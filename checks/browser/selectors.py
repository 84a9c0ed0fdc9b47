"""What the browser app tells other apps (the handover) about page speed: the newest
Lighthouse audit of each route, as typed rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from checks.browser.services import latest_audits
from clients.models import Client


@dataclass(frozen=True)
class PageSpeedRow:
    url: str
    route: str
    audited_at: datetime
    status: str  # the verdict of perf.lighthouse: pass / fail / error
    target: int
    performance: int | None
    accessibility: int | None
    best_practices: int | None
    seo: int | None
    error: str


def page_speed_rows(client: Client) -> list[PageSpeedRow]:
    """The newest audit of each route, the home page first."""
    return [
        PageSpeedRow(
            url=a.url,
            route=a.route,
            audited_at=a.audited_at,
            status=a.status,
            target=a.target,
            performance=a.performance,
            accessibility=a.accessibility,
            best_practices=a.best_practices,
            seo=a.seo,
            error=a.error,
        )
        for a in latest_audits(client)
    ]
