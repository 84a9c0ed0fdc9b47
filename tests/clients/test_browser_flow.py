"""The consultant's and the founder's main flow, clicked through in Debian's chromium."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from clients.models import Client, Sprint
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.long
def test_consultant_runs_a_stage_and_founder_sees_it(
    page, live_server, login_form, screenshot, consultant
):
    login_form(consultant)
    expect(page.get_by_role("heading", name="Active sprints")).to_be_visible()
    screenshot("01-dashboard-empty")

    # Create a client with a domain and a founder login.
    page.get_by_role("link", name="New client").first.click()
    page.fill("#id_client-name", "Sunrise Studio")
    page.select_option("#id_client-business_type", "coach")
    page.select_option("#id_client-maturity", "launch")
    page.fill("#id_domain-hostname", "sunrise.example")
    page.fill("#id_founder-full_name", "Sunny Founder")
    page.fill("#id_founder-email", "sunny@sunrise.example")
    page.fill("#id_founder-password", PASSWORD)
    screenshot("02-new-client-form")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("heading", name="Sunrise Studio")).to_be_visible()
    expect(page.get_by_text("sunrise.example").first).to_be_visible()
    screenshot("03-client-page")

    # Start a sprint.
    page.get_by_role("button", name="Start a 48-hour sprint").click()
    expect(page.get_by_text("h left")).to_be_visible()
    sprint = Sprint.objects.get(client__name="Sunrise Studio")

    # Tick the first item through htmx: the row updates in place.
    first_item = page.locator(".checklist .item").first
    first_item.get_by_role("button", name="Done").click()
    expect(page.locator(".checklist .item").first).to_have_class(re.compile("item-done"))

    # Record a launch blocker inline.
    page.get_by_text("Record a finding").click()
    page.fill("#id_title", "Booking page returns 500")
    page.select_option("#id_impact", "1_blocker")
    page.fill("#id_founder_explanation", "Visitors cannot book a call yet.")
    page.get_by_role("button", name="Save finding").click()
    expect(page.locator("#findings").get_by_text("Booking page returns 500")).to_be_visible()
    screenshot("04-sprint-with-blocker")

    # The dashboard shows the sprint as blocked, with its clock and latest log line.
    page.get_by_role("link", name="Sprints").first.click()
    row = page.locator("table.dashboard tr", has_text="Sunrise Studio")
    expect(row).to_have_class("row-blocked")
    expect(row.locator(".pill-bad")).to_have_text("1")
    expect(row).to_contain_text("Booking page returns 500")
    screenshot("04b-dashboard")
    page.goto(f"{live_server.url}/sprints/{sprint.code}/")

    # Advancing is refused while items and the blocker are open.
    page.locator("#advance button[type=submit]").click()
    expect(page.get_by_text("This stage cannot close yet")).to_be_visible()
    screenshot("05-advance-refused")

    # Resolve: tick every item, mark the blocker fixed, then advance.
    open_ids = page.locator(".checklist .item-open").evaluate_all("els => els.map(e => e.id)")
    for item_id in open_ids:
        page.locator(f"#{item_id}").get_by_role("button", name="Done").click()
        expect(page.locator(f"#{item_id}")).to_have_class(re.compile("item-done"))
    page.locator("#findings .finding").first.get_by_role("link", name="Edit").click()
    page.locator("#findings select[name$='-status']").select_option("fixed")
    page.locator("#findings").get_by_role("button", name="Save").click()
    expect(page.locator("#findings .pill-fixed")).to_have_text("Fixed")
    # The last full page load was the refused POST: navigate rather than reload it.
    page.goto(f"{live_server.url}/sprints/{sprint.code}/")
    page.get_by_role("button", name="Advance to stage 2").click()
    expect(page.get_by_text("Moved on to stage 2")).to_be_visible()
    screenshot("06-stage-2")
    sprint.refresh_from_db()
    assert sprint.current_stage == 2

    # The founder signs in and sees the change, in plain language.
    page.get_by_role("button", name="Sign out").click()
    founder = get_user_model().objects.get(email="sunny@sunrise.example")
    login_form(founder)
    expect(page.get_by_role("heading", name=re.compile("Sunrise Studio"))).to_be_visible()
    expect(page.get_by_text("Now: DNS and redirects", exact=False)).to_be_visible()
    page.get_by_text("1 fixed").click()
    expect(page.locator("details ul.plain")).to_contain_text("Booking page returns 500")
    expect(page.get_by_text("is complete. Now on stage 2").first).to_be_visible()
    page.fill("#id_text", "Great, thanks!")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("your message is on the sprint log")).to_be_visible()
    screenshot("07-founder-portal")
    assert Client.objects.get(name="Sunrise Studio").members.get() == founder
