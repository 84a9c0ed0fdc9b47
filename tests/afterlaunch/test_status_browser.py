"""The public status page in Chromium with its bars read from the day table, on a desktop
and on a 390x844 phone (nothing wider than the screen). Screenshots under screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checks.monitoring.models import Incident, Monitor
from checks.statuspage import services as statuspage
from checks.statuspage import uptime
from checks.statuspage.models import DailyUptime
from tests.afterlaunch.conftest import status_page_on
from tests.afterlaunch.test_browser import _year_of_rollups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_page_from_the_day_table_on_desktop_and_phone(
    page, live_server, screenshot, client_a, make_monitor, consultant
):
    now = timezone.now()
    monitors = [
        make_monitor(f"https://acme.test/{i}", name=f"Internal svc-{i} eu-1", now=now)
        for i in range(4)
    ]
    Monitor.objects.filter(pk__in=[m.pk for m in monitors]).update(status="up", last_checked_at=now)
    for i, monitor in enumerate(monitors):
        _year_of_rollups(monitor, bad_days={3 + i, 40 + 7 * i}, seed=i)
    Monitor.objects.filter(pk=monitors[2].pk).update(status="down")
    incident = Incident.objects.create(
        monitor=monitors[2],
        started_at=now - timedelta(minutes=12),
        opened_at=now - timedelta(minutes=10),
        first_error="upstream 502 from pool eu-1",
    )
    statuspage.incident_update_add(
        incident=incident,
        by=consultant,
        state="investigating",
        body="Payments fail for some visitors. We are looking into it.",
        public=True,
    )
    assert uptime.days_summarise() > 0 and DailyUptime.objects.exists()
    status_page_on(
        client_a,
        {
            m.pk: (name, False)
            for m, name in zip(monitors, ["Website", "Booking", "Payments", "API"], strict=True)
        },
        title="Acme Coaching",
        intro="Live status of our website, booking and payments.",
    )
    response = page.goto(f"{live_server.url}/status/acme/")
    assert response is not None and response.headers["cache-control"] == "public, max-age=30"
    expect(page.get_by_text("Some systems are having problems")).to_be_visible()
    expect(page.locator("svg.bars")).to_have_count(4)
    expect(page.locator("svg.bars").first.locator("rect")).to_have_count(90)
    assert "eu-1" not in page.content() and "svc-" not in page.content()
    screenshot("statuspage-03-day-table-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("svg.bars")).to_have_count(4)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    screenshot("statuspage-04-day-table-phone")
