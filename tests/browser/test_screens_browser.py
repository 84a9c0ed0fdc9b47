"""The screens this app adds or changes, in Chromium, with screenshots: the journey form
with an error, a journey monitor's page after a failure, and the Lighthouse history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checks.browser.models import JourneyRun, LighthouseAudit, LighthouseRun
from clients.jobs.models import JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEBP = "Serve images as WebP or AVIF: they are much smaller than JPEG or PNG at the same quality."

STEPS = (
    "visit https://acme.test/\nclick Contact us\nfill Email = lead+{marker}@acme.test\n"
    "submit Send\nexpect text Thanks"
)


def test_consultant_writes_a_journey_and_reads_its_failure(
    page, live_server, login, screenshot, consultant, client_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(consultant)
    page.goto(f"{live_server.url}/clients/{client_a.code}/monitors/new/")
    page.fill("#id_name", "Lead form")
    page.select_option("#id_kind", "journey")
    page.fill("#id_steps", "visit https://acme.test/\njump to the form")
    page.fill("#id_alert_emails", "ops@acme.test")
    page.get_by_role("button", name="Start monitoring").click()
    expect(page.get_by_text("Line 2: start with visit")).to_be_visible()
    expect(page.locator("#id_steps")).to_have_value("visit https://acme.test/\njump to the form")
    screenshot("journey-01-form-error")

    page.fill("#id_steps", STEPS)
    page.get_by_role("button", name="Start monitoring").click()
    expect(page.locator("h1", has_text="Lead form")).to_be_visible()

    monitor = client_a.monitors.get(name="Lead form")
    shot = tmp_path / "browser" / "journeys" / "1" / "x" / "failure.png"
    shot.parent.mkdir(parents=True)
    from tests.browser.sites import _png

    shot.write_bytes(_png(320, 200))
    JourneyRun.objects.create(
        monitor=monitor, checked_at=timezone.now(), ok=False, duration_ms=2300, failed_step=4,
        failed_step_text="4. Submit the form (optional button) Send",
        error="Could not submit the form with “Send”: the submission answered HTTP 500.",
        console_errors=["Failed to load resource: the server responded with a status of 500"],
        failed_requests=["POST https://acme.test/lead: HTTP 500"],
        screenshot=str(shot.relative_to(tmp_path)),
    )  # fmt: skip
    page.reload()
    expect(page.get_by_text("Step 4 (4. Submit the form")).to_be_visible()
    screenshot("journey-02-monitor-failure")


def test_lighthouse_history_page(
    page, live_server, login, screenshot, consultant, client_a, sprint_a
):
    run = LighthouseRun.objects.create(sprint=sprint_a, status=JobStatus.DONE)
    now = timezone.now()
    for days, perf, route in (
        (4, 52, "/"),
        (3, 68, "/"),
        (2, 81, "/"),
        (1, 91, "/"),
        (1, 44, "/pricing"),
    ):
        LighthouseAudit.objects.create(
            run=run, client=client_a, url=f"https://acme.test{route}", route=route,
            audited_at=now - timedelta(days=days), status="pass" if perf >= 85 else "fail",
            target=85, performance=perf, accessibility=93, best_practices=78, seo=90,
            lcp_ms=1900 + 100 * days, cls=0.02, tbt_ms=120,
            opportunities=[{"id": "modern-image-formats", "plain": WEBP, "savings_ms": 2400}],
        )  # fmt: skip
    login(consultant)
    page.goto(f"{live_server.url}/clients/{client_a.code}/lighthouse/")
    expect(page.locator("h1", has_text="Page speed")).to_be_visible()
    screenshot("lighthouse-01-history")
    page.goto(f"{live_server.url}/clients/{client_a.code}/")
    expect(page.get_by_role("heading", name="Page speed (Lighthouse, mobile)")).to_be_visible()
    page.get_by_role("heading", name="Page speed (Lighthouse, mobile)").scroll_into_view_if_needed()
    screenshot("lighthouse-02-client-panel")
