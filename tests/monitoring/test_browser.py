"""Add a monitor in the browser, let a few probes run, see the charts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checks.monitoring import services
from checks.monitoring.models import Monitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consultant_adds_a_monitor_and_sees_its_chart(
    page, live_server, login, screenshot, consultant, founder, client_a, site
):
    login(consultant)
    page.goto(f"{live_server.url}/clients/{client_a.code}/")
    page.get_by_role("link", name="Add a monitor").first.click()
    page.fill("#id_name", "Homepage")
    page.fill("#id_url", "not a url")
    page.get_by_role("button", name="Start monitoring").click()
    expect(page.get_by_text("Enter a valid URL.")).to_be_visible()
    screenshot("monitor-01-form-error")

    page.fill("#id_url", site.url)
    page.fill("#id_expected_text", "Book a call")
    page.get_by_role("button", name="Start monitoring").click()
    expect(page.locator("h1", has_text="Homepage")).to_be_visible()

    # A few scheduler periods' worth of probes (controlled clock), one outage among them.
    monitor = Monitor.objects.get()
    now = timezone.now()
    for minutes_ago in range(60, 0, -5):
        if minutes_ago == 25:
            site.stop()
        if minutes_ago == 15:
            site.start()
        services.monitor_check_now(monitor=monitor, now=now - timedelta(minutes=minutes_ago))
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_text("Check now: up, HTTP 200")).to_be_visible()
    # A flat line has a zero-height box, which Playwright calls hidden: check the points instead.
    p95_line = page.locator("svg.chart polyline.line-p95").first
    expect(p95_line).to_be_attached()
    assert len(p95_line.get_attribute("points").split()) >= 2
    expect(page.locator("svg.bars rect.bar")).to_have_count(30)
    screenshot("monitor-02-detail")

    page.goto(f"{live_server.url}/clients/{client_a.code}/monitors/")
    expect(page.get_by_text("Uptime 24 h").first).to_be_visible()
    screenshot("monitor-03-client-monitors")

    # The founder sees the same charts on the portal, without staff buttons.
    page.context.clear_cookies()
    login(founder)
    page.goto(f"{live_server.url}/portal/uptime/{client_a.code}/")
    p50_line = page.locator("svg.chart polyline.line-p50").first
    expect(p50_line).to_be_attached()
    assert len(p50_line.get_attribute("points").split()) >= 2
    expect(page.get_by_role("button", name="Check now")).to_have_count(0)
    screenshot("monitor-04-founder-portal")
