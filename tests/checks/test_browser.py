"""Staff press "Run checks" on the sprint page, watch progress, read the results."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.checks.servers import add_good_domain, good_site


@pytest.mark.browser
def test_staff_runs_checks_and_sees_progress_and_results(
    lab, live_server, page, login, screenshot, consultant, client_a, sprint_a, real_queue
):
    add_good_domain(lab, "acme.test")
    # Slow the site a little so the progress bar is on screen long enough to see.
    for host in ("acme.test", "www.acme.test"):
        lab.web.routes[host] = good_site("acme.test", latency=0.08)
    lab.web.certs["www.acme.test"] = (("www.acme.test",), "expiring")

    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    panel = page.locator("#checks-panel")
    expect(panel).to_contain_text("Nothing has been run yet")
    panel.get_by_role("button", name="Run checks").click()
    expect(panel.get_by_role("progressbar")).to_be_visible()
    screenshot("checks-progress")

    expect(panel).to_contain_text("passed", timeout=60_000)
    # Each stage lists the checks behind its own items: the audit stage shows the DKIM
    # warning, not the certificate expiry (that is stage 3's, below).
    expect(panel).to_contain_text("checks behind this stage's items")
    expect(panel).to_contain_text("DKIM keys valid")
    expect(panel).not_to_contain_text("Certificate not about to expire")
    screenshot("checks-results")

    # No reload: the finished run tells the checklist to refresh its badges in place.
    expect(page.locator("#checklist")).to_contain_text("verified by checks")
    expect(page.locator("#checklist")).to_have_count(1)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/?stage=3")
    expect(page.locator("#checklist")).to_contain_text("checks: 1 failing")
    expect(page.locator("#findings-section")).to_contain_text("Certificate not about to expire")
    stage3_panel = page.locator("#checks-panel")
    expect(stage3_panel).to_contain_text("Certificate not about to expire")
    expect(stage3_panel).to_contain_text("expires in 5 days")
    screenshot("checks-stage3-badges-and-finding")
