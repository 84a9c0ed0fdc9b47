"""Issue 13 in Chromium: checks grouped by cause, stage 5 and 6 inline panels, past
sprints, and the founder portal after the sprint closes (desktop and phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from checks.catalogue import CHECKS
from checks.models import CheckResult, CheckRun
from checks.monitoring.models import Monitor
from checks.secrets.models import SecretRecord
from clients import services
from clients.jobs.models import JobStatus
from clients.models import Decision, Impact, Outcome, Sprint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CAUSE = "acme.test does not resolve (NXDOMAIN)"


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)


def _unresolvable_run(sprint):
    run = CheckRun.objects.create(sprint=sprint, status=JobStatus.DONE)
    CheckResult.objects.bulk_create(
        CheckResult(
            run=run,
            check_id=cid,
            target="acme.test",
            status="error",
            summary=f"Could not tell: {CAUSE}",
            evidence={"reason": CAUSE},
        )
        for cid in CHECKS
    )


def test_checks_that_could_not_tell_are_one_line_with_the_list_behind_a_disclosure(
    page, live_server, login, screenshot, consultant, sprint_a
):
    _unresolvable_run(sprint_a)
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/?stage=2")
    unknown = page.locator("#checks-unknown > li")
    expect(unknown).to_have_count(1)
    expect(unknown).to_contain_text(CAUSE)
    listed = unknown.locator("details li")
    expect(listed.first).not_to_be_visible()
    unknown.get_by_text("Which checks").click()
    expect(listed.first).to_be_visible()
    stage_ids = {
        cid for item in sprint_a.stages.get(number=2).items.all() for cid in item.check_ids
    } & set(CHECKS)
    expect(listed).to_have_count(len(stage_ids))
    expect(page.locator("#checks-problems > li")).to_have_count(0)
    screenshot("i13-checks-grouped")
    page.set_viewport_size(PHONE)
    screenshot("i13-checks-grouped-phone")


def test_stage_five_records_a_secret_inline(
    page, live_server, login, screenshot, consultant, sprint_a, client_a
):
    SecretRecord.objects.create(client=client_a, name="STRIPE_SECRET_KEY", owner="Ann Acme")
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/?stage=5")
    panel = page.locator("#secrets-panel")
    expect(panel.locator("#secret-records")).to_contain_text("STRIPE_SECRET_KEY")
    panel.get_by_text("Record a secret").click()
    panel.get_by_label("Name").fill("POSTMARK_SERVER_TOKEN")
    panel.get_by_label("Kind").select_option("api_key")
    panel.get_by_label("Environments").fill("production")
    panel.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"\?stage=5$"))
    expect(page.locator("#secret-records")).to_contain_text("POSTMARK_SERVER_TOKEN")
    expect(page.locator(".messages")).to_contain_text("Recorded POSTMARK_SERVER_TOKEN")
    screenshot("i13-stage5-secrets")
    page.set_viewport_size(PHONE)
    screenshot("i13-stage5-secrets-phone")


def test_stage_six_adds_a_monitor_inline(
    page, live_server, login, screenshot, consultant, sprint_a, client_a
):
    Monitor.objects.create(
        client=client_a,
        name="API health",
        url="https://api.acme.test/health",
        next_due_at=sprint_a.started_at,
    )
    login(consultant)
    page.goto(f"{live_server.url}/sprints/{sprint_a.code}/?stage=6")
    panel = page.locator("#monitors-panel")
    expect(panel).to_contain_text("API health")
    expect(panel).to_contain_text("Waiting for first check")
    panel.locator("summary", has_text="Add a monitor").click()
    panel.get_by_label("Name").fill("Homepage")
    panel.locator("#id_url").fill("https://acme.test/")
    panel.get_by_role("button", name="Start monitoring").click()
    expect(page).to_have_url(re.compile(r"\?stage=6$"))
    expect(page.locator("#monitors-panel")).to_contain_text("Homepage")
    assert Monitor.objects.filter(client=client_a, name="Homepage").exists()
    screenshot("i13-stage6-monitors")
    page.set_viewport_size(PHONE)
    screenshot("i13-stage6-monitors-phone")


def test_past_sprints_from_the_nav_and_searched(
    page, live_server, login, screenshot, consultant, client_a, client_b
):
    for client, outcome in ((client_a, Outcome.ACCEPTED_RISKS), (client_b, Outcome.NO_GO)):
        sprint = services.sprint_start(client=client, by=consultant)
        Sprint.objects.filter(pk=sprint.pk).update(
            finished_at=sprint.started_at, outcome=outcome, current_stage=7
        )
    login(consultant)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("navigation").get_by_role("link", name="Past sprints").click()
    rows = page.locator("#past-sprints tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Client name or code").fill("bravo")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bravo Bots")
    expect(rows.first).to_contain_text("No-go")
    screenshot("i13-past-sprints")
    page.set_viewport_size(PHONE)
    screenshot("i13-past-sprints-phone")


def test_founder_portal_after_launch_and_message_box_on_top_on_a_phone(
    page, live_server, login, screenshot, consultant, founder, sprint_a, add_finding
):
    add_finding(
        "Booking form has no rate limit",
        Impact.BLOCKER,
        decision=Decision.ACCEPTED,
        decision_reason="Goes live in phase 2",
    )
    for _ in range(6):
        services.stage_advance(sprint=sprint_a, by=consultant, override_reason="test")
    services.sprint_decide(
        sprint=sprint_a, by=consultant, outcome="accepted_risks", reason="Launching for the fair"
    )
    login(founder)
    page.goto(f"{live_server.url}/portal/{sprint_a.code}/")
    expect(page.locator("#outcome")).to_contain_text("Launched, with risks you accepted")
    expect(page.locator("#accepted-list")).to_contain_text("Goes live in phase 2")
    expect(page.get_by_text("Being fixed now")).to_have_count(0)
    expect(page.get_by_text(re.compile("working through seven stages"))).to_have_count(0)
    page.locator("#outcome").get_by_role("link", name="Your handover document").click()
    expect(page).to_have_url(re.compile("#handover$"))
    screenshot("i13-portal-closed")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/portal/{sprint_a.code}/")
    message = page.locator("#message").bounding_box()
    risks = page.get_by_role("heading", name=re.compile("Risks still open")).bounding_box()
    stages = page.get_by_role("heading", name="The seven stages").bounding_box()
    assert message["y"] < risks["y"] and message["y"] < stages["y"]
    assert message["y"] < 844, "the message box is on the first screen"
    screenshot("i13-portal-closed-phone")
