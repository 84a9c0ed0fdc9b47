"""Issue 13 in Chromium: live counts after ticks, the bulk tick, override marks, phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import Activity, ItemState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_ticking_every_item_refreshes_the_close_stage_panel_and_stepper(
    page, live_server, login, screenshot, consultant, sprint_a
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    open_ids = page.locator(".checklist .item-open").evaluate_all("els => els.map(e => e.id)")
    assert open_ids
    expect(page.locator("#advance")).to_contain_text(f"{len(open_ids)} checklist item")
    for item_id in open_ids:
        page.locator(f"#{item_id}").get_by_role("button", name="Done").click()
        expect(page.locator(f"#{item_id}")).to_have_class(re.compile("item-done"))
    expect(page.locator("#advance")).to_contain_text("Everything in this stage is done")
    expect(page.locator("#stepper .step").first).not_to_contain_text("open")
    expect(
        page.locator("#advance").get_by_role("button", name=re.compile("Advance anyway"))
    ).to_have_count(0)
    screenshot("i13-ticks-refresh-gate")


def test_bulk_done_asks_then_ticks_the_rest_with_one_log_entry(
    page, live_server, login, screenshot, consultant, sprint_a
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    before = Activity.objects.filter(sprint=sprint_a).count()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    page.locator("#bulk-done").get_by_role("button").click()
    expect(page.locator(".checklist .item-open")).to_have_count(0)
    assert dialogs and "remaining" in dialogs[0]
    assert not sprint_a.stages.get(number=1).items.filter(state=ItemState.OPEN).exists()
    assert Activity.objects.filter(sprint=sprint_a).count() == before + 1
    expect(page.locator("#advance")).to_contain_text("Everything in this stage is done")
    screenshot("i13-bulk-done")


def test_override_only_after_refusal_and_stage_marked(
    page, live_server, login, screenshot, consultant, sprint_a
):
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/")
    gate = page.locator("#advance")
    expect(gate.get_by_role("button", name=re.compile("Advance anyway"))).to_have_count(0)
    gate.get_by_role("button", name="Advance to stage 2").click()
    expect(page.get_by_text("This stage cannot close yet")).to_be_visible()
    page.locator("#advance textarea").fill("Agreed with the founder on the call")
    page.locator("#advance").get_by_role("button", name=re.compile("Advance anyway")).click()
    first = page.locator("#stepper .step").first
    expect(first).to_have_class(re.compile("step-override"))
    expect(first.locator("a")).to_have_attribute(
        "title", "Closed by override: Agreed with the founder on the call"
    )
    screenshot("i13-override-marked")


def _phone_checks(page, screenshot, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: {width}px wide"
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    small = page.evaluate(
        """() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
        .filter(e => e.offsetParent !== null
                     && !e.closest('p, li:not(.step), td, .small, .crumbs, span'))
        .map(e => [e.getBoundingClientRect(), e.outerHTML.slice(0, 80)])
        .filter(([r]) => r.width > 0 && (r.width < 24 || r.height < 24))
        .map(([, html]) => html)"""
    )
    assert small == [], f"{name}: tap targets under 24px: {small}"
    screenshot(f"i13-phone-{name}")


def test_phone_layout_staff_pages(page, live_server, login, screenshot, consultant, sprint_a):
    page.set_viewport_size(PHONE)
    login(consultant)
    for name, url in [
        ("dashboard", "/dashboard/"),
        ("sprint", f"/sprints/{sprint_a.code}/"),
        ("client", f"/clients/{sprint_a.client.code}/"),
        ("secrets", f"/secrets/{sprint_a.client.code}/"),
    ]:
        page.goto(live_server.url + url)
        _phone_checks(page, screenshot, name)


def test_phone_layout_founder_portal(page, live_server, login, screenshot, founder, sprint_a):
    page.set_viewport_size(PHONE)
    login(founder)
    page.goto(f"{live_server.url}/portal/{sprint_a.code}/")
    _phone_checks(page, screenshot, "portal")
