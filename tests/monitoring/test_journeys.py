"""Journey monitors against a loopback lead-capture site: the journey fills and submits
the form; when the form breaks (the server answers 500, the button disappears) it fails
at the right step with a screenshot; an incident opens after the threshold, one alert
goes out quoting the step; recovery closes it. Driven by the scheduler's own services
with a controlled clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from checks.browser.journeys import StepError, StepInput, journey_steps_set, steps_parse, steps_text
from checks.browser.models import JourneyRun
from checks.monitoring import services
from checks.monitoring.models import AlertKind, Incident, Monitor, MonitorStatus
from tests.browser.conftest import allowed_site, guard_on  # noqa: F401 - fixtures
from tests.monitoring.conftest import T0

pytestmark = pytest.mark.django_db

STEPS = """visit {url}
click Contact us
fill Name = Test lead
fill Email = lead+{{marker}}@acme.test
submit Send
expect text Thanks"""


@pytest.fixture
def journey(guard_on, allowed_site, client_a, consultant):  # noqa: F811
    monitor = services.monitor_create(
        client=client_a, by=consultant, now=T0, name="Lead form", kind="journey",
        url=allowed_site.url("/"), interval_seconds=900, timeout_seconds=4,
        failures_before_alert=2, alert_emails="ops@launchready.test",
    )  # fmt: skip
    journey_steps_set(monitor=monitor, steps=steps_parse(STEPS.format(url=allowed_site.url("/"))))
    return monitor


def probe(monitor: Monitor, at):
    services.monitor_check_now(monitor=monitor, now=at)
    monitor.refresh_from_db()
    return JourneyRun.objects.filter(monitor=monitor).order_by("-checked_at", "-id").first()


def test_journey_passes_and_its_submission_carries_the_markers(journey, allowed_site):  # noqa: F811
    run = probe(journey, T0)
    assert run.ok, run.error
    assert journey.status == MonitorStatus.UP
    assert [s["ok"] for s in run.steps] == [True] * 6
    lead = allowed_site.leads[-1]
    assert lead["headers"]["X-LaunchReady-Test"] == "launchready-journey"
    assert lead["fields"]["launchready_test"] == "launchready-journey"
    assert lead["fields"]["email"] == "lead+launchready-journey@acme.test"


@pytest.mark.long
def test_server_error_fails_at_submit_opens_one_incident_one_alert_and_recovery_closes_it(
    journey,
    allowed_site,  # noqa: F811
):
    assert probe(journey, T0).ok
    allowed_site.mode = "500"
    first = probe(journey, T0 + timedelta(minutes=15))
    assert not first.ok and first.failed_step == 5
    assert "Submit" in first.failed_step_text and "HTTP 500" in first.error
    assert first.screenshot and (journey_media(first)).is_file()
    assert any("500" in r for r in first.failed_requests)
    assert journey.status != MonitorStatus.DOWN and not mail.outbox  # one failure: threshold is 2

    probe(journey, T0 + timedelta(minutes=30))
    probe(journey, T0 + timedelta(minutes=45))
    assert journey.status == MonitorStatus.DOWN
    incident = Incident.objects.get(monitor=journey)
    assert incident.closed_at is None
    down = [m for m in mail.outbox]
    assert len(down) == 1, [m.subject for m in down]
    body = down[0].body
    assert "Failed step: 5." in body and "HTTP 500" in body
    assert "/screenshot.png" in body

    allowed_site.mode = "ok"
    assert probe(journey, T0 + timedelta(minutes=60)).ok
    incident.refresh_from_db()
    assert incident.closed_at is not None
    assert journey.status == MonitorStatus.UP
    assert [a.kind for a in journey.alerts.order_by("created_at")] == [AlertKind.DOWN, AlertKind.UP]


def test_missing_button_fails_at_the_submit_step_with_a_screenshot(journey, allowed_site):  # noqa: F811
    allowed_site.mode = "no-button"
    run = probe(journey, T0)
    assert not run.ok and run.failed_step == 5
    assert "Send" in run.error
    assert journey_media(run).read_bytes().startswith(b"\x89PNG")


def test_scheduler_claims_and_runs_due_journeys(journey):
    Monitor.objects.filter(pk=journey.pk).update(next_due_at=T0)
    report = services.monitors_run_due(now=T0 + timedelta(seconds=1), workers=4)
    assert report.claimed == 1
    assert JourneyRun.objects.filter(monitor=journey, ok=True).count() == 1
    journey.refresh_from_db()
    assert journey.next_due_at == T0 + timedelta(seconds=900)


def test_maintenance_window_holds_the_alert_back(journey, allowed_site, consultant):  # noqa: F811
    services.maintenance_add(
        monitor=journey, by=consultant, starts_at=T0, ends_at=T0 + timedelta(hours=2)
    )
    allowed_site.mode = "500"
    probe(journey, T0 + timedelta(minutes=1))
    probe(journey, T0 + timedelta(minutes=16))
    assert journey.status == MonitorStatus.DOWN and not mail.outbox


def test_monitor_page_shows_failing_step_screenshot_and_errors(journey, allowed_site, staff_client):  # noqa: F811
    allowed_site.mode = "500"
    run = probe(journey, T0)
    html = staff_client.get(
        reverse("monitoring:monitor_detail", args=[journey.code])
    ).content.decode()
    assert "Step 5" in html and reverse("journey_screenshot", args=[run.code]) in html
    assert "HTTP 500" in html
    shot = staff_client.get(reverse("journey_screenshot", args=[run.code]))
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"


def test_screenshot_is_404_for_another_clients_founder(
    journey,
    allowed_site,  # noqa: F811
    client,
    founder_b,
    founder,  # noqa: F811
):  # noqa: F811
    allowed_site.mode = "500"
    run = probe(journey, T0)
    url = reverse("journey_screenshot", args=[run.code])
    client.force_login(founder_b)
    assert client.get(url).status_code == 404
    client.force_login(founder)
    assert client.get(url).status_code == 200


def journey_media(run):
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / run.screenshot


# ---------------------------------------------------------------- steps as text (no browser)


def test_steps_round_trip_through_text():
    text = STEPS.format(url="https://acme.test/")
    steps = steps_parse(text)
    assert [s.action for s in steps] == ["visit", "click", "fill", "fill", "submit", "expect_text"]
    assert steps[3] == StepInput("fill", "Email", "lead+{marker}@acme.test")
    assert steps_text(steps) == text


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "at least one step"),
        ("click Go", "first step must visit"),
        ("visit acme.test", "http:// or https://"),
        ("visit https://a.test\njump now", "Line 2"),
        ("visit https://a.test\nfill Email", "fill FIELD = VALUE"),
        ("visit https://a.test\nexpect text", "Step 2"),
    ],
)
def test_bad_steps_are_refused_with_a_sentence(text, message):
    with pytest.raises(StepError, match=message):
        steps_parse(text)


def test_monitor_form_keeps_typed_steps_on_error(staff_client, client_a):
    response = staff_client.post(
        reverse("monitoring:monitor_add", args=[client_a.code]),
        {"name": "Lead form", "kind": "journey", "steps": "visit https://acme.test/\njump",
         "method": "GET",
         "expected_status": 200, "interval_seconds": 900, "timeout_seconds": 10,
         "failures_before_alert": 2, "reminder_hours": 6},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert "Line 2" in html and "visit https://acme.test/" in html


def test_monitor_form_creates_a_journey_monitor(staff_client, client_a):
    response = staff_client.post(
        reverse("monitoring:monitor_add", args=[client_a.code]),
        {"name": "Lead form", "kind": "journey", "steps": STEPS.format(url="https://acme.test/"),
         "method": "GET", "expected_status": 200, "interval_seconds": 900, "timeout_seconds": 10,
         "failures_before_alert": 2, "reminder_hours": 6, "alert_emails": "ops@acme.test"},
    )  # fmt: skip
    assert response.status_code == 302
    monitor = Monitor.objects.get(client=client_a, name="Lead form")
    assert monitor.kind == "journey" and monitor.url == "https://acme.test/"
    assert monitor.journey_steps.count() == 6


def test_journey_run_command_prints_json_and_exits_1_on_failure(journey, allowed_site, capsys):  # noqa: F811
    import json

    from django.core.management import call_command

    allowed_site.mode = "500"  # fails at once (a missing button waits out the step timeout)
    with pytest.raises(SystemExit) as exit_info:
        call_command("journey_run", journey.code, "--json")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["failed_step"] == 5
    assert not JourneyRun.objects.filter(monitor=journey).exists()  # nothing recorded


def test_lighthouse_command_refuses_a_loopback_url_with_the_guard_on(guard_on, capsys):  # noqa: F811
    import json

    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_info:
        call_command("lighthouse", "http://127.0.0.1:8000/", "--json")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "error"
    assert out["refused"] == [
        "127.0.0.1:8000: refused to contact 127.0.0.1: it is a loopback address"
    ]
    assert out["elapsed_s"] == 0  # refused before a browser was started
