"""Recording a secret (and having a pasted value refused) and running a repository scan
whose progress updates in place, clicked through in Debian's chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from checks.secrets import services, tasks
from checks.secrets.models import ScanRun
from tests.secrets.conftest import OLD_DELETED, make_repo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.long
def test_consultant_records_a_secret_and_scans_the_repository(
    page, live_server, login, screenshot, consultant, client_a, sprint_a, scan_root, monkeypatch
):
    repo = make_repo(scan_root / "acme-app")
    # Keep the scan queued so the page shows it waiting; the test runs it when it chooses.
    monkeypatch.setattr(tasks, "scan_run_task", lambda run_pk: None)
    login(consultant)
    page.goto(f"{live_server.url}/secrets/{client_a.code}/")
    expect(page.get_by_role("heading", name="Secrets and configuration")).to_be_visible()

    # A pasted value is refused; the other fields keep what was typed.
    page.get_by_role("link", name="Record a secret").click()
    page.fill("#id_name", "STRIPE_SECRET_KEY")
    page.select_option("#id_kind", "api_key")
    page.fill("#id_unlocks", "Charging customers and refunds")
    page.select_option("#id_storage", "platform")
    page.fill("#id_storage_detail", "Vercel project 'web'")
    page.fill("#id_environments", "production, staging")
    page.fill("#id_owner", "Ann Acme")
    page.fill("#id_notes", f"current value {OLD_DELETED}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Launch Ready never stores secret values").first).to_be_visible()
    expect(page.locator("#id_unlocks")).to_have_value("Charging customers and refunds")
    expect(page.locator("#id_notes")).to_have_value("")
    screenshot("secrets-01-pasted-value-refused")
    page.fill("#id_notes", "Rotate from the Stripe dashboard, Developers > API keys")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#inventory").get_by_text("STRIPE_SECRET_KEY")).to_be_visible()
    screenshot("secrets-02-inventory")

    # Start a scan: the page polls the progress partial.
    page.fill("#id_source", str(repo.path))
    page.get_by_role("button", name="Scan for secrets").click()
    expect(page.get_by_role("heading", name="Scanning…")).to_be_visible()
    run = ScanRun.objects.get()
    ScanRun.objects.filter(pk=run.pk).update(
        status="running", progress_phase="history", progress_done=3, progress_total=6
    )
    expect(page.locator("#scan-status [role=progressbar]")).to_have_attribute("aria-valuenow", "50")
    screenshot("secrets-03-scan-progress")
    ScanRun.objects.filter(pk=run.pk).update(status="queued")
    services.scan_run_execute(run_pk=run.pk)
    expect(page.get_by_role("heading", name="4 secrets found in 5 places")).to_be_visible()
    expect(page.get_by_text("sk…dc")).to_be_visible()
    screenshot("secrets-04-scan-results")

    # The sprint page shows the blocker findings and the secrets panel on stage 5.
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/?stage=5")
    expect(
        page.get_by_text("Rotate the Stripe secret key found in the code history").first
    ).to_be_visible()
    screenshot("secrets-05-sprint-stage5")
