"""Founder posts on the portal; the consultant's dashboard shows the unread badge; the
sprint page marks it read once the activity is on screen; the reply reaches the portal."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from clients.notifications import services as notifications
from tests.conftest import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.long
def test_founder_posts_and_the_consultant_sees_the_unread_badge(
    page, live_server, login, screenshot, founder, consultant, sprint_a
):
    login(founder)
    expect(page.get_by_role("heading", name="Acme Coaching: launch readiness")).to_be_visible()
    page.fill("#id_text", "Can we keep the old domain for the newsletter?")
    screenshot("notify-01-founder-writes")
    # The portal records the visit a second after it loads (an htmx POST); wait for it, or
    # signing out sooner leaves no visit for "New since your last visit" to count from.
    with page.expect_response(lambda r: r.url.endswith("/seen/") and r.request.method == "POST"):
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("your consultant is told")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[consultant.email]]
    html = mail.outbox[0].alternatives[0][0]
    page.get_by_role("button", name="Sign out").click()
    # The email's HTML part, in a page of its own (no app origin, no app CSP).
    email_page = page.context.new_page()
    email_page.set_content(html)
    expect(email_page.get_by_role("link", name="Reply")).to_be_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    email_page.screenshot(path=str(SCREENSHOT_DIR / "notify-00-email-to-consultant.png"))
    email_page.close()

    login(consultant)
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("table.dashboard tr", has_text="Acme Coaching")
    expect(row.locator(".pill-unread")).to_have_text("1 new message")
    screenshot("notify-02-dashboard-unread-badge")

    row.get_by_role("link", name="Acme Coaching").click()
    card = page.locator("#activity-card")
    card.scroll_into_view_if_needed()
    expect(card.get_by_text("1 new message from the founder")).to_be_visible()
    screenshot("notify-03-sprint-unread")
    # Once the activity is on screen the messages are marked read (an htmx POST).
    expect(card.locator(".pill-unread")).to_have_count(0, timeout=10000)
    assert notifications.unread_count(sprint_a) == 0

    card.locator("summary", has_text="Reply to the founder").click()
    card.locator("#id_text").fill("Yes: it keeps its own mail records.")
    screenshot("notify-04-reply-form")
    card.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent")).to_be_visible()
    assert mail.outbox[-1].to == [founder.email]
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator(".pill-unread")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    login(founder)
    expect(page.get_by_text("New since your last visit")).to_be_visible()
    expect(page.locator("#new-since").get_by_text("it keeps its own mail records")).to_be_visible()
    screenshot("notify-05-portal-new-since")
    page.goto(f"{live_server.url}/settings/notifications/")
    screenshot("notify-06-founder-settings")


def test_settings_and_unsubscribe_pages(page, live_server, login, screenshot, consultant):
    from clients.notifications import delivery

    login(consultant)
    page.goto(f"{live_server.url}/settings/notifications/")
    page.get_by_label("Important only (blockers, handover, decision, deadline)").first.check()
    page.fill("#id_chat_webhook_url", "https://hooks.slack.com/services/T1/B1/zzzzzzzz")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    screenshot("notify-07-staff-settings")
    page.get_by_role("button", name="Sign out").click()
    token = delivery.unsubscribe_token(consultant.pk, "email")
    page.goto(f"{live_server.url}/unsubscribe/{token}/")
    screenshot("notify-08-unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    screenshot("notify-09-unsubscribed")
