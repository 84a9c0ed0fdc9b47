"""A pasted secret refused in the browser: in the sprint page's inline (htmx) finding
form, and in the founder's portal message box. The other fields keep what was typed;
the value is neither saved nor shown back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clients.models import Activity, Finding
from tests.guard.planted import PLANTED, leaked

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSAL = "Launch Ready never stores secret values"


def test_inline_finding_form_refuses_a_pasted_key_and_keeps_the_rest(
    page, live_server, login, screenshot, consultant, sprint_a
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    page.get_by_text("Record a finding").click()
    form = page.locator("#findings-section form")
    form.locator("[name=title]").fill("Checkout key is in the page source")
    form.locator("[name=evidence]").fill(f"view-source shows {PLANTED['stripe']}")
    form.locator("[name=founder_explanation]").fill("A payment key can be read by anyone.")
    form.locator("[name=impact]").select_option(index=1)
    form.get_by_role("button", name="Save finding").click()

    expect(page.get_by_text(REFUSAL).first).to_be_visible()
    expect(page.get_by_text("looks like a Stripe secret key").first).to_be_visible()
    form = page.locator("#findings-section form")
    expect(form.locator("[name=title]")).to_have_value("Checkout key is in the page source")
    expect(form.locator("[name=founder_explanation]")).to_have_value(
        "A payment key can be read by anyone."
    )
    expect(form.locator("[name=evidence]")).to_have_value("")
    assert not leaked(page.content())
    screenshot("guard-01-inline-finding-refused")
    assert not Finding.objects.exists()

    form.locator("[name=evidence]").fill("view-source shows a live Stripe key (redacted: sk…gJ)")
    form.get_by_role("button", name="Save finding").click()
    expect(
        page.locator("#findings").get_by_text("Checkout key is in the page source")
    ).to_be_visible()
    assert Finding.objects.count() == 1


def test_founder_message_with_a_token_is_refused_and_not_logged(
    page, live_server, login, screenshot, founder, sprint_a
):
    login(founder)
    page.goto(f"{live_server.url}/portal/{sprint_a.code}/")
    box = page.locator("textarea[name=text]")
    box.fill(f"Here is our GitHub token so you can deploy: {PLANTED['github']}")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(REFUSAL).first).to_be_visible()
    expect(page.locator("textarea[name=text]")).to_have_value("")
    assert not leaked(page.content())
    screenshot("guard-02-portal-message-refused")
    assert not Activity.objects.filter(kind__startswith="portal").exists()
    assert not leaked(" ".join(Activity.objects.values_list("message", flat=True)))
