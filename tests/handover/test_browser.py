"""The handover flow clicked through in Debian's chromium: the consultant edits and
issues, watches the progress turn into a download; the founder downloads and
acknowledges receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from handover.models import IssuedHandover
from tests.conftest import SCREENSHOT_DIR


def _viewport(page, name: str) -> None:
    """The first screenful as the person sees it (the full page is very tall)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.long
def test_consultant_issues_and_founder_acknowledges(
    page, live_server, login, screenshot, consultant, founder, full_sprint
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{full_sprint.code}/handover/")
    expect(page.get_by_role("heading", name="1. Summary")).to_be_visible()
    expect(page.get_by_text("self-signed").first).to_be_visible()

    # Edit one passage; the page shows the new wording.
    page.locator("#sec-deployment details.edit summary").click()
    page.fill("#id_deployment_deployment__who", "Only Ann and Sam may deploy.")
    page.get_by_role("button", name="Save deployment").click()
    expect(page.get_by_text("Only Ann and Sam may deploy.").first).to_be_visible()
    screenshot("handover-01-draft")
    vendors = page.locator("#sec-contacts")
    expect(vendors.locator("table.vendors tbody tr")).to_have_count(
        full_sprint.client.accounts.count()
    )
    vendors.screenshot(path=str(SCREENSHOT_DIR / "handover-01b-vendors.png"))

    # Issue: the job box shows progress, then the download.
    page.get_by_role("button", name="Issue the handover").click()
    # With HUEY_IMMEDIATE the work is done before the answer, which still shows the job
    # as it was queued; the next poll (one second later) reloads the page with the download.
    expect(page.locator("#issue-job")).to_contain_text("Waiting for a worker", timeout=60_000)
    _viewport(page, "handover-02-progress")
    download_link = page.locator("#download-latest")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("#versions")).to_contain_text("Version 1")
    screenshot("handover-03-issued")
    page.evaluate("window.scrollTo(0, 0)")
    _viewport(page, "handover-03-issued-top")
    with page.expect_download() as download_info:
        download_link.click()
    assert download_info.value.suggested_filename.endswith("-v1.pdf")
    assert IssuedHandover.objects.filter(sprint=full_sprint, version=1).exists()

    # The founder sees it on the portal and confirms receipt.
    page.context.clear_cookies()
    login(founder)
    page.goto(f"{live_server.url}/portal/{full_sprint.code}/")
    expect(page.get_by_role("link", name="Download the handover (PDF, version 1)")).to_be_visible()
    page.get_by_role("button", name="I have received the handover").click()
    expect(page.locator("#handover-ack")).to_be_visible()
    screenshot("handover-04-founder-acknowledged")
    assert IssuedHandover.objects.get(sprint=full_sprint).acknowledged_at is not None


def test_consultant_sees_the_gaps_and_issues_early_only_with_a_reason(
    page, live_server, login, consultant, sprint_b
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_b.code}/handover/")
    readiness = page.locator("#readiness")
    expect(readiness.get_by_text("Not ready")).to_be_visible()
    expect(readiness.get_by_text("The sprint is at stage 1 of 7")).to_be_visible()
    expect(page.get_by_text("to confirm").first).to_be_visible()
    page.locator("#issue").screenshot(path=str(SCREENSHOT_DIR / "handover-05-readiness.png"))
    page.locator("#sec-emergency").screenshot(
        path=str(SCREENSHOT_DIR / "handover-06-to-confirm.png")
    )
    page.fill("#id_override_reason", "The founder wants an early copy for the investor call")
    page.get_by_role("button", name="Issue anyway").click()
    expect(page.get_by_text("is signed and ready")).to_be_visible(timeout=30_000)
    issued = IssuedHandover.objects.get(sprint=sprint_b)
    assert issued.override_reason.startswith("The founder wants") and issued.gaps
