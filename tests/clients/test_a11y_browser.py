"""Accessibility and phone layout of every screen a consultant or founder lives on:
axe-core (the pinned copy in node_modules, injected by Playwright) finds no serious or
critical violation, and at 390x844 nothing scrolls sideways and every tap target is at
least 24x24 CSS px (WCAG 2.2 target size; links inside running text are exempt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from checks.catalogue import CHECKS
from checks.models import CheckResult, CheckRun
from checks.monitoring.models import Monitor
from checks.secrets.models import SecretRecord
from clients import services
from clients.jobs.models import JobStatus
from clients.models import Decision, Impact, Outcome, Sprint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The app's CSP forbids inline scripts, rightly; axe is injected as one.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(autouse=True)
def _patient(page):
    # A shared two-core machine can take long over the first request of a live server.
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)


@pytest.fixture
def pages(consultant, founder, client_a, client_b, sprint_a, add_finding):
    """A sprint with something on every panel, a finished one, and the URLs to visit
    as (name, user, path)."""
    add_finding(
        "Booking form has no rate limit",
        Impact.BLOCKER,
        decision=Decision.ACCEPTED,
        decision_reason="Goes live in phase 2",
        founder_explanation="Anyone could send the form thousands of times.",
    )
    add_finding("Old staging site", Impact.CLEANUP)
    services.comment_add(sprint=sprint_a, by=founder, text="Is the DNS change done?")
    run = CheckRun.objects.create(
        sprint=sprint_a, status=JobStatus.DONE, finished_at=timezone.now()
    )
    CheckResult.objects.bulk_create(
        CheckResult(
            run=run,
            check_id=cid,
            target="acme.test",
            status=["fail", "error", "warn", "pass"][i % 4],
            summary="Could not tell: acme.test does not resolve" if i % 4 == 1 else "Seen.",
            evidence={"reason": "acme.test does not resolve"} if i % 4 == 1 else {},
        )
        for i, cid in enumerate(CHECKS)
    )
    SecretRecord.objects.create(client=client_a, name="STRIPE_SECRET_KEY", owner="Ann Acme")
    Monitor.objects.create(
        client=client_a, name="Homepage", url="https://acme.test/", next_due_at=timezone.now()
    )
    finished = services.sprint_start(client=client_b, by=consultant)
    Sprint.objects.filter(pk=finished.pk).update(
        finished_at=finished.started_at, outcome=Outcome.GO, current_stage=7
    )
    s, c = sprint_a.code, client_a.code
    return {
        "dashboard": (consultant, "/dashboard/"),
        "sprint": (consultant, f"/sprints/{s}/?stage=2"),
        "sprint-stage-5": (consultant, f"/sprints/{s}/?stage=5"),
        "sprint-stage-6": (consultant, f"/sprints/{s}/?stage=6"),
        "client": (consultant, f"/clients/{c}/"),
        "secrets": (consultant, f"/secrets/{c}/"),
        "monitors": (consultant, f"/clients/{c}/monitors/"),
        "handover": (consultant, f"/sprints/{s}/handover/"),
        "past-sprints": (consultant, "/past-sprints/"),
        "portal": (founder, f"/portal/{s}/"),
    }


PAGES = [
    "dashboard",
    "sprint",
    "sprint-stage-5",
    "sprint-stage-6",
    "client",
    "secrets",
    "monitors",
    "handover",
    "past-sprints",
    "portal",
]

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
    }));
}"""

SMALL_TARGETS = """() => [
    ...document.querySelectorAll('a, button, input, select, textarea, summary'),
  ]
  .filter(e => e.offsetParent !== null && e.type !== 'hidden')
  // WCAG 2.5.8 exempts targets inside a sentence or a block of text.
  .filter(e => !e.closest('p, li:not(.step), td, dd, .small, .crumbs'))
  .map(e => [e.getBoundingClientRect(), e.outerHTML.slice(0, 90)])
  .filter(([r]) => r.width > 0 && (r.width < 24 || r.height < 24))
  .map(([r, html]) => `${Math.round(r.width)}x${Math.round(r.height)} ${html}`)"""


WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391 && e.offsetParent !== null)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > 391))
  .slice(0, 8)
  .map(e => `${Math.round(e.getBoundingClientRect().right)} ${e.outerHTML.slice(0, 120)}`)"""


def _each_page(page, live_server, login, pages, check) -> dict[str, object]:
    """Visit every page in PAGES (signing in again only when the person changes) and
    return what `check(name)` found on each page where it found something. One sign-in
    and one set of data for all pages: the pages are what is swept, not the sign-in."""
    problems: dict[str, object] = {}
    signed_in = None
    for name in PAGES:
        user, path = pages[name]
        if user != signed_in:
            page.context.clear_cookies()
            login(user)
            signed_in = user
        response = page.goto(live_server.url + path)
        if response.status != 200:
            problems[name] = f"answered {response.status}"
            continue
        # goto() returns after the load event: the pages fetch nothing later that they
        # show (their delayed requests only record a visit or mark messages read), so
        # there is no need to wait for the network to be quiet for half a second.
        found = check(name)
        if found:
            problems[name] = found
    return problems


@pytest.mark.long
def test_no_serious_or_critical_axe_violations(page, live_server, login, pages, screenshot):
    assert AXE.exists(), "run npm ci: axe-core is pinned in package.json"

    def axe(name: str) -> list:
        # Open every disclosure so what it hides is checked too.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.add_script_tag(path=str(AXE))
        screenshot(f"a11y-desktop-{name}")
        return page.evaluate(AXE_RUN)

    assert _each_page(page, live_server, login, pages, axe) == {}


@pytest.mark.long
def test_phone_no_sideways_scroll_and_tap_targets_24px(page, live_server, login, pages, screenshot):
    page.set_viewport_size(PHONE)

    def phone(name: str) -> list[str]:
        screenshot(f"a11y-phone-{name}")
        width = page.evaluate("document.documentElement.scrollWidth")
        found = []
        if width > 390:
            found.append(f"the page is {width}px wide at 390px: {page.evaluate(WIDE)}")
        small = page.evaluate(SMALL_TARGETS)
        if small:
            found.append(f"tap targets under 24x24 px: {small}")
        return found

    assert _each_page(page, live_server, login, pages, phone) == {}
