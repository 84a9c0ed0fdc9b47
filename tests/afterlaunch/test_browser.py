"""Screens of this issue in Chromium: the public status page (signed out), the renewal
calendar, and the weekly report email as rendered HTML. Screenshots under screenshots/."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checks.monitoring.models import Incident, MaintenanceWindow, Monitor, Rollup
from checks.monitoring.services import epoch_hour
from checks.renewals.models import Registration
from checks.statuspage import services as statuspage
from clients.models import Domain, ServiceAccount
from handover.demo import made_up_hour
from handover.reports import services as reports
from tests.afterlaunch.conftest import WEEK, generate_week, roll_up_and_prune, status_page_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _year_of_rollups(monitor: Monitor, *, bad_days: set[int], seed: int) -> None:
    rng = random.Random(seed)
    now_hour = epoch_hour(timezone.now())
    rows = []
    for hour in range(now_hour - 24 * 120, now_hour):
        day_ago = (now_hour - hour) // 24
        failures = 6 if day_ago in bad_days and hour % 24 == 3 else 0
        latencies = [int(rng.lognormvariate(5, 0.3)) for _ in range(60 - failures)]
        rows.append(made_up_hour(monitor, hour, latencies_ms=latencies, failures=failures))
    Rollup.objects.bulk_create(rows)


def test_public_status_page_signed_out(
    page, live_server, screenshot, client_a, make_monitor, consultant
):
    now = timezone.now()
    site = make_monitor("https://acme.test/", name="Homepage (origin eu-1)", now=now)
    booking = make_monitor("https://acme.test/book", name="Booking form", now=now)
    admin = make_monitor("https://admin.acme.test/", name="Staff admin", now=now)
    Monitor.objects.filter(pk__in=[site.pk, booking.pk]).update(status="up", last_checked_at=now)
    Monitor.objects.filter(pk=admin.pk).update(status="down")
    _year_of_rollups(site, bad_days={3, 40}, seed=1)
    _year_of_rollups(booking, bad_days={12}, seed=2)
    incident = Incident.objects.create(
        monitor=booking,
        started_at=now - timedelta(days=2, hours=1),
        opened_at=now - timedelta(days=2, hours=1),
        closed_at=now - timedelta(days=2, minutes=22),
        first_error="upstream 502",
    )
    statuspage.incident_update_add(
        incident=incident,
        by=consultant,
        state="investigating",
        body="Some visitors cannot book a call. We are looking into it.",
        public=True,
        now=incident.started_at + timedelta(minutes=8),
    )
    statuspage.incident_update_add(
        incident=incident,
        by=consultant,
        state="resolved",
        body="The calendar provider had an outage; bookings work again.",
        public=True,
        now=incident.closed_at,
    )
    MaintenanceWindow.objects.create(
        monitor=site,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        reason="internal",
    )
    status_page_on(
        client_a,
        {site.pk: ("Website", False), booking.pk: ("Booking", True)},
        title="Acme Coaching",
        intro="Live status of our website and booking.",
    )
    page.goto(f"{live_server.url}/status/acme/")
    expect(page.get_by_text("All systems operational")).to_be_visible()
    expect(page.locator("svg.bars")).to_have_count(2)
    expect(page.locator("svg.bars").first.locator("rect")).to_have_count(90)
    assert "Staff admin" not in page.content() and "eu-1" not in page.content()
    screenshot("statuspage-01-public")
    page.fill("#id_email", "nope")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    screenshot("statuspage-02-subscribe-error")
    page.fill("#id_email", "visitor@example.test")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Check your inbox")).to_be_visible()


def test_renewal_calendar(
    page, live_server, login, screenshot, consultant, client_a, client_b, make_monitor
):
    today = timezone.localdate()
    Registration.objects.create(
        domain=Domain.objects.get(hostname="acme.test"),
        recorded_expires_on=today + timedelta(days=45),
    )
    Registration.objects.create(
        domain=Domain.objects.get(hostname="bravo.test"),
        recorded_expires_on=today + timedelta(days=200),
    )
    ServiceAccount.objects.create(
        client=client_a, kind="hosting", vendor="Render", renewal_date=today - timedelta(days=3)
    )
    ServiceAccount.objects.create(
        client=client_b, kind="ai", vendor="OpenAI", renewal_date=today + timedelta(days=12)
    )
    monitor = make_monitor("https://app.acme.test/")
    Monitor.objects.filter(pk=monitor.pk).update(cert_not_after=timezone.now() + timedelta(days=20))
    login(consultant)
    page.goto(f"{live_server.url}/renewals/")
    expect(page.get_by_text("overdue by 3 days")).to_be_visible()
    page.get_by_role("button", name="New calendar address").click()
    expect(page.get_by_text("Calendar address created")).to_be_visible()
    screenshot("renewals-01-calendar")
    page.select_option("#f-kind", "account")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("TLS certificate for app.acme.test")).to_have_count(0)
    screenshot("renewals-02-filtered")


def test_weekly_report_html(
    page, live_server, login, screenshot, consultant, berlin_client, make_monitor, sprint_a
):
    from tests.afterlaunch.conftest import BERLIN_START

    home = make_monitor("https://acme.test/", name="Homepage", now=BERLIN_START)
    api = make_monitor("https://acme.test/api/health", name="API health", now=BERLIN_START)
    generate_week(home, outages=((timedelta(days=1, hours=3), timedelta(minutes=45)),), seed=1)
    generate_week(api, seed=2, base_latency=90)
    roll_up_and_prune()
    ServiceAccount.objects.create(
        client=berlin_client, kind="hosting", vendor="Render", renewal_date=date(2026, 3, 20)
    )
    login(consultant)
    page.goto(f"{live_server.url}/clients/{berlin_client.code}/weekly-report/?week={WEEK}")
    expect(page.get_by_text("Uptime and speed")).to_be_visible()
    expect(page.locator("img[alt*='p95 latency']")).to_have_count(2)
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert widths == [552, 552]  # the PNGs decoded in the browser
    screenshot("weekly-report-01-email")
    assert (
        reports.reports_send_due(now=datetime(2026, 3, 9, 7, 5, tzinfo=UTC)) == 0
    )  # nobody opted in
