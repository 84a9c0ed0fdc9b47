"""Remove, confirm and undo, clicked through in Debian's chromium with JavaScript off
(the confirmation is a page, not a script dialog); and a secret marked suspected
exposed reaching the founder's risk list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clients.models import Domain
from tests.conftest import SCREENSHOT_DIR, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1300, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


def test_consultant_removes_a_domain_confirms_and_undoes_it_without_javascript(
    no_js_page, live_server, consultant, client_a, sprint_a
):
    page = no_js_page
    sign_in(page, live_server.url, consultant)
    page.goto(f"{live_server.url}/clients/{client_a.code}/")
    row = page.locator("tr", has_text="www.acme.test")
    row.get_by_role("link", name="Remove").click()

    expect(page.get_by_role("heading", name="Remove the domain www.acme.test?")).to_be_visible()
    _shot(page, "remove-01-confirm")
    assert Domain.objects.filter(hostname="www.acme.test").exists()
    page.get_by_role("button", name="Remove the domain").click()

    expect(page.get_by_text("Removed the domain www.acme.test.")).to_be_visible()
    expect(page.locator("td.mono", has_text="www.acme.test")).to_have_count(0)
    undo = page.locator(".removed li", has_text="www.acme.test")
    expect(undo).to_be_visible()
    _shot(page, "remove-02-removed-with-undo")
    assert not Domain.objects.filter(hostname="www.acme.test").exists()

    undo.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Put back the domain www.acme.test.")).to_be_visible()
    expect(page.locator("td.mono", has_text="www.acme.test")).to_be_visible()
    expect(page.locator(".removed")).to_have_count(0)
    _shot(page, "remove-03-undone")
    assert Domain.objects.filter(hostname="www.acme.test").exists()
    kinds = list(sprint_a.activities.values_list("kind", flat=True)[:2])
    assert kinds == ["domain.restored", "domain.deleted"]


def test_the_undo_button_in_the_removed_message_puts_the_record_back(
    no_js_page, live_server, consultant, client_a, sprint_a
):
    from checks.secrets.models import SecretRecord

    SecretRecord.objects.create(client=client_a, name="POSTMARK_TOKEN", kind="api_key")
    page = no_js_page
    sign_in(page, live_server.url, consultant)
    page.goto(f"{live_server.url}/secrets/{client_a.code}/")
    page.locator("tr", has_text="POSTMARK_TOKEN").get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove the secret record").click()

    flash = page.locator(".messages li", has_text="Removed the secret record POSTMARK_TOKEN")
    expect(flash).to_contain_text("You can undo it for 10 minutes")
    _shot(page, "remove-05-undo-in-message")
    assert not SecretRecord.objects.filter(name="POSTMARK_TOKEN").exists()
    flash.get_by_role("button", name="Undo").click()

    expect(page.get_by_text("Put back the secret record POSTMARK_TOKEN.")).to_be_visible()
    assert SecretRecord.objects.filter(name="POSTMARK_TOKEN").exists()
    kinds = list(sprint_a.activities.values_list("kind", flat=True)[:2])
    assert kinds == ["secrets.record_restored", "secrets.record_deleted"]


def test_keep_it_leaves_the_secret_record_in_place(no_js_page, live_server, consultant, client_a):
    from checks.secrets.models import SecretRecord

    SecretRecord.objects.create(client=client_a, name="SENDGRID_API_KEY", kind="api_key")
    page = no_js_page
    sign_in(page, live_server.url, consultant)
    page.goto(f"{live_server.url}/secrets/{client_a.code}/")
    page.locator("tr", has_text="SENDGRID_API_KEY").get_by_role("link", name="Remove").click()
    expect(page.get_by_text("removing the record does not do that")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "remove-04-confirm-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Keep it").click()
    expect(page.locator("#inventory").get_by_text("SENDGRID_API_KEY")).to_be_visible()
    assert SecretRecord.objects.filter(name="SENDGRID_API_KEY").exists()


def test_suspected_exposed_secret_reaches_the_founders_risk_list(
    page, live_server, login, screenshot, consultant, founder, client_a, sprint_a
):
    login(consultant)
    page.goto(f"{live_server.url}/secrets/{client_a.code}/")
    page.get_by_role("link", name="Record a secret").click()
    page.fill("#id_name", "OPENAI_API_KEY")
    page.select_option("#id_kind", "api_key")
    page.fill("#id_unlocks", "the chatbot's answers")
    page.select_option("#id_exposure", "suspected")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#inventory").get_by_text("Suspected exposed")).to_be_visible()
    screenshot("suspected-01-inventory")

    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    expect(
        page.get_by_text("Rotate OPENAI_API_KEY: it may have been exposed").first
    ).to_be_visible()
    screenshot("suspected-02-sprint-finding")

    page.context.clear_cookies()
    login(founder)
    page.goto(f"{live_server.url}/portal/{sprint_a.code}/")
    risk = page.get_by_text("Rotate OPENAI_API_KEY: it may have been exposed").first
    expect(risk).to_be_visible()
    expect(
        page.get_by_text("The key that unlocks the chatbot's answers may have been seen").first
    ).to_be_visible()
    screenshot("suspected-03-portal")
