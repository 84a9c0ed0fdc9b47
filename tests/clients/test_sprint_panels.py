"""Issue 13: the checks panel grouped by cause and limited to each stage's own checks,
stage 5 and 6 panels inline, and the founder portal after the sprint closes, in plain
words."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checks import services as check_services
from checks.catalogue import CHECKS
from checks.evaluation import Result, Status
from checks.models import CheckResult, CheckRun
from checks.monitoring.models import Monitor
from checks.secrets.models import SecretRecord
from clients import services
from clients.jobs.models import JobStatus
from clients.models import Decision, Impact

pytestmark = pytest.mark.django_db

CAUSE = "acme.test does not resolve (NXDOMAIN)"


def _run(sprint, rows: dict[str, str], *, cause: str = CAUSE) -> CheckRun:
    run = CheckRun.objects.create(sprint=sprint, status=JobStatus.DONE)
    CheckResult.objects.bulk_create(
        CheckResult(
            run=run,
            check_id=check_id,
            target="acme.test",
            status=status,
            summary=f"Could not tell: {cause}"
            if status == "error"
            else f"{check_id} said {status}",
            evidence={"reason": cause} if status == "error" else {},
        )
        for check_id, status in rows.items()
    )
    return run


def _stage_ids(sprint, number: int) -> set[str]:
    stage = sprint.stages.get(number=number)
    return {cid for item in stage.items.all() for cid in item.check_ids if cid in CHECKS}


def _panel(html: str) -> str:
    match = re.search(r'<section class="card" id="checks-panel".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_checks_that_could_not_tell_for_one_cause_are_one_line_with_a_disclosure(
    staff_client, sprint_a
):
    _run(sprint_a, dict.fromkeys(CHECKS, "error"))
    ids = _stage_ids(sprint_a, 2)
    html = staff_client.get(f"/sprints/{sprint_a.code}/?stage=2").content.decode()
    panel = _panel(html)
    attention = panel.split("<h3>Needs attention</h3>")[1].split("What changed since")[0]
    assert attention.count(CAUSE) == 1, "the cause is said once, not once per check"
    assert f"<strong>{len(ids)} checks</strong>: {CAUSE}" in panel
    disclosure = re.search(
        r"<details class=\"small\"><summary>Which checks</summary>(.*?)</details>", panel, re.S
    )
    assert disclosure and all(cid in disclosure.group(1) for cid in ids)


def test_causes_that_differ_get_a_line_each(staff_client, sprint_a):
    run = _run(sprint_a, {"dns.apex.resolves": "error", "dns.www.resolves": "error"})
    CheckResult.objects.filter(run=run, check_id="dns.www.resolves").update(
        evidence={"reason": "SERVFAIL from every nameserver"}
    )
    panel = _panel(staff_client.get(f"/sprints/{sprint_a.code}/?stage=2").content.decode())
    assert "<strong>1 check</strong>: SERVFAIL from every nameserver" in panel
    assert f"<strong>1 check</strong>: {CAUSE}" in panel


@pytest.mark.parametrize("number", [1, 2, 3, 4, 6, 7])
def test_each_stage_shows_only_the_checks_that_verify_its_items(staff_client, sprint_a, number):
    _run(sprint_a, dict.fromkeys(CHECKS, "fail"))
    ids = _stage_ids(sprint_a, number)
    assert ids, "the playbook links this stage's items to checks"
    panel = _panel(staff_client.get(f"/sprints/{sprint_a.code}/?stage={number}").content.decode())
    shown = set(re.findall(r"<code>([a-z_]+\.[a-z_.]+)</code>", panel))
    assert shown == ids
    assert f"{len(ids)} failed" in panel


def test_a_stage_no_check_verifies_has_no_checks_panel(staff_client, sprint_a):
    _run(sprint_a, dict.fromkeys(CHECKS, "fail"))
    assert not _stage_ids(sprint_a, 5)
    html = staff_client.get(f"/sprints/{sprint_a.code}/?stage=5").content.decode()
    assert 'id="checks-panel"' not in html


def test_changes_since_the_last_run_are_the_stages_own(staff_client, sprint_a):
    _run(sprint_a, dict.fromkeys(CHECKS, "pass"))
    _run(sprint_a, dict.fromkeys(CHECKS, "fail"))
    panel = _panel(staff_client.get(f"/sprints/{sprint_a.code}/?stage=3").content.decode())
    changes = re.search(r'id="checks-changes">(.*?)</ul>', panel, re.S).group(1)
    assert set(re.findall(r"<code>(.*?)</code>", changes)) == _stage_ids(sprint_a, 3)


def test_a_new_finished_run_shows_at_once_and_a_repeat_view_does_not_reload_results(
    staff_client, sprint_a
):
    """The results of finished runs are kept per process (checks/panels.py): the next
    run is a new key, so the page never shows a run it has replaced."""
    page = f"/sprints/{sprint_a.code}/?stage=3"
    _run(sprint_a, dict.fromkeys(CHECKS, "pass"))
    first = _panel(staff_client.get(page).content.decode())
    assert "Every check passed." in first
    with CaptureQueriesContext(connection) as ctx:
        again = _panel(staff_client.get(page).content.decode())
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", again) == token.sub("", first)
    assert not [q for q in ctx.captured_queries if "checks_checkresult" in q["sql"]]
    _run(sprint_a, dict.fromkeys(CHECKS, "fail"))
    panel = _panel(staff_client.get(page).content.decode())
    assert "Every check passed." not in panel
    assert f"{len(_stage_ids(sprint_a, 3))} failed" in panel
    assert "now fails" in panel


# ------------------------------------------------------------- stages 5 and 6 inline


def test_stage_five_shows_the_inventory_and_records_a_secret_without_leaving(
    staff_client, sprint_a, client_a
):
    SecretRecord.objects.create(client=client_a, name="STRIPE_SECRET_KEY", owner="Ann")
    page = f"/sprints/{sprint_a.code}/?stage=5"
    html = staff_client.get(page).content.decode()
    assert 'id="secrets-panel"' in html and "STRIPE_SECRET_KEY" in html
    assert "1 secret recorded" in html
    form = re.search(r'<details class="add-inline" id="add-secret">.*?</details>', html, re.S)
    assert form and f'value="{page}"' in form.group(0)
    response = staff_client.post(
        reverse("secrets:secrets_record_new", args=[client_a.code]),
        {
            "name": "POSTMARK_TOKEN",
            "kind": "api_key",
            "storage": "platform",
            "environments": "production",
            "exposure": "fine",
            "next": page,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == page
    assert SecretRecord.objects.filter(client=client_a, name="POSTMARK_TOKEN").exists()
    assert "POSTMARK_TOKEN" in staff_client.get(page).content.decode()


def test_stage_six_lists_monitors_with_their_state_and_adds_one_without_leaving(
    staff_client, sprint_a, client_a
):
    page = f"/sprints/{sprint_a.code}/?stage=6"
    html = staff_client.get(page).content.decode()
    assert 'id="monitors-panel"' in html and "No monitors yet." in html
    assert 'id="add-monitor"' in html
    response = staff_client.post(
        reverse("monitoring:monitor_add", args=[client_a.code]),
        {
            "name": "Homepage",
            "kind": "url",
            "url": "https://acme.test/",
            "method": "GET",
            "expected_status": 200,
            "interval_seconds": 60,
            "timeout_seconds": 10,
            "failures_before_alert": 2,
            "reminder_hours": 0,
            "alert_emails": "ops@acme.test",
            "next": page,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == page
    monitor = Monitor.objects.get(client=client_a)
    html = staff_client.get(page).content.decode()
    assert "Homepage" in html and "Waiting for first check" in html
    assert monitor.url in html


def test_a_return_address_elsewhere_is_ignored(staff_client, client_a):
    response = staff_client.post(
        reverse("secrets:secrets_record_new", args=[client_a.code]),
        {
            "name": "OTHER_KEY",
            "kind": "api_key",
            "storage": "platform",
            "environments": "production",
            "exposure": "fine",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("secrets:secrets_inventory", args=[client_a.code])


def test_founder_gets_404_on_the_inline_forms_targets(founder_client, client_b, sprint_a):
    assert (
        founder_client.post(reverse("secrets:secrets_record_new", args=[client_b.code])).status_code
        == 404
    )
    assert (
        founder_client.post(reverse("monitoring:monitor_add", args=[client_b.code])).status_code
        == 404
    )


# ------------------------------------------------------------- the portal after the sprint


def _close(sprint, by, *, outcome="accepted_risks", reason="Launching for the conference"):
    for _ in range(6):
        services.stage_advance(sprint=sprint, by=by, override_reason="test")
    services.sprint_decide(sprint=sprint, by=by, outcome=outcome, reason=reason)
    sprint.refresh_from_db()
    return sprint


def test_portal_after_launch_says_what_launched_what_was_accepted_and_where_the_handover_is(
    founder_client, sprint_a, consultant, add_finding
):
    add_finding(
        "Booking form has no rate limit",
        Impact.BLOCKER,
        decision=Decision.ACCEPTED,
        decision_reason="Goes live in phase 2",
    )
    add_finding("Old staging site", Impact.CLEANUP)
    _close(sprint_a, consultant)
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert "Being fixed now" not in html
    assert "working through seven stages" not in html
    assert "Launched, with risks you accepted" in html and "acme.test" in html
    accepted = re.search(r'id="accepted-list">(.*?)</ul>', html, re.S).group(1)
    assert "Booking form has no rate limit" in accepted and "Goes live in phase 2" in accepted
    assert 'href="#handover"' in html and 'id="handover"' in html
    assert "not fixed before the sprint ended" in html  # the cleanup left open


def test_portal_after_a_no_go_says_it_did_not_launch(founder_client, sprint_a, consultant):
    _close(sprint_a, consultant, outcome="no_go", reason="Payments are not ready")
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert "Not launched yet" in html and "Payments are not ready" in html
    assert "working through seven stages" not in html


def test_portal_while_running_still_says_the_work_is_under_way(founder_client, sprint_a):
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert "working through seven stages" in html and 'id="outcome"' not in html


def test_every_check_has_a_plain_title_for_founders():
    for check_id, info in CHECKS.items():
        assert info.plain, check_id
        assert info.plain != info.title, check_id
        assert check_id not in info.plain and not re.search(r"\w\.\w", info.plain), check_id
        assert info.plain[0].isupper(), check_id


def test_the_portal_never_shows_a_check_id_and_names_every_check_in_plain_words(
    founder_client, sprint_a
):
    # Every check fails on one address: each is a finding and a line in the checks panel.
    run = _run(sprint_a, dict.fromkeys(CHECKS, "fail"))
    check_services._sync_findings(
        sprint_a,
        [Result(r.check_id, r.target, Status.FAIL, r.summary) for r in run.results.all()],
    )
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    for check_id, info in CHECKS.items():
        assert check_id not in html, f"the portal shows the raw id {check_id}"
        assert escape(info.plain) in html, f"the portal does not name {check_id} in plain words"
    for staff_title in ("Nameservers known", "Main domain resolves", "HSTS set"):
        assert staff_title not in html
