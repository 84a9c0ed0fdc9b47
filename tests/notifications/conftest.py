from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail

from clients.notifications import delivery

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://launchready.test"
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def deliver():
    """One run of the minute tick's delivery step; returns the emails it sent."""

    def run(now=None) -> list:
        before = len(mail.outbox)
        delivery.notifications_deliver_due(now=now)
        return mail.outbox[before:]

    return run
