"""What the renewals app tells other apps (the weekly report): a client's renewals due
soon, as the typed, frozen ``Renewal`` rows the renewals list is made of."""

from __future__ import annotations

from datetime import date, timedelta

from checks.renewals.services import Renewal, renewals_list
from clients.models import Client

__all__ = ["Renewal", "renewals_due"]


def renewals_due(client: Client, *, today: date, within_days: int) -> list[Renewal]:
    """Renewals with a known date on or before ``today + within_days`` (overdue ones too)."""
    horizon = today + timedelta(days=within_days)
    return [
        r
        for r in renewals_list(clients=[client], today=today)
        if r.due is not None and r.due <= horizon
    ]
