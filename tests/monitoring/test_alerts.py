"""Outages against a real loopback server, on a controlled clock: alert within two
minutes, exactly once; recovery once; maintenance windows; reminders."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from checks.monitoring import services
from checks.monitoring.models import AlertKind, Incident, MonitorStatus
from tests.monitoring.conftest import T0

MINUTE = timedelta(minutes=1)


def run(at):
    return services.monitors_run_due(now=at)


def subjects():
    return [m.subject for m in mail.outbox]


def test_outage_alerts_within_two_minutes_exactly_once_and_recovery_once(site, make_monitor):
    monitor = make_monitor(site.url, interval_seconds=60, failures_before_alert=2)
    assert run(T0).claimed == 1
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP

    outage = T0 + timedelta(seconds=5)
    site.stop()
    alert_sent_at = None
    for minute in range(1, 6):
        at = T0 + minute * MINUTE
        run(at)
        if alert_sent_at is None and any(s.startswith("DOWN") for s in subjects()):
            alert_sent_at = at
    assert alert_sent_at is not None and alert_sent_at - outage <= timedelta(minutes=2)
    assert [s for s in subjects() if s.startswith("DOWN")] == [
        "DOWN: Homepage (Acme Coaching) is not answering"
    ]
    down = mail.outbox[0]
    assert down.to == ["founder@acme.test", "ops@launchready.test"]
    assert (
        "Connection refused" in down.body
        and "Down since:  02 Mar 2026 09:01" in down.body.replace("2 Mar", "02 Mar")
    )
    assert down.alternatives and "DOWN" in down.alternatives[0][0]

    site.start()
    for minute in range(6, 10):
        run(T0 + minute * MINUTE)
    recovered = [s for s in subjects() if s.startswith("RECOVERED")]
    assert recovered == ["RECOVERED: Homepage (Acme Coaching) is answering again"]
    assert len(mail.outbox) == 2
    incident = Incident.objects.get(monitor=monitor)
    assert incident.started_at == T0 + MINUTE and incident.closed_at == T0 + 6 * MINUTE
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP and monitor.consecutive_failures == 0


def test_one_failure_below_the_threshold_sends_nothing(site, make_monitor):
    make_monitor(site.url, failures_before_alert=2)
    run(T0)
    site.stop()
    run(T0 + MINUTE)
    site.start()
    run(T0 + 2 * MINUTE)
    assert mail.outbox == []
    assert not Incident.objects.exists()


def test_wrong_status_or_missing_text_counts_as_down(site, make_monitor):
    monitor = make_monitor(site.url, failures_before_alert=1, expected_text="Book a call")
    site.body = "<h1>Maintenance</h1>"
    run(T0)
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.DOWN
    assert "did not contain “Book a call”" in monitor.last_error
    site.status, site.body = 503, "Book a call"
    run(T0 + MINUTE)
    monitor.refresh_from_db()
    assert monitor.last_error == "Got HTTP 503, expected 200."
    assert len(mail.outbox) == 1


def test_maintenance_window_suppresses_alerts(site, make_monitor, consultant):
    monitor = make_monitor(site.url, failures_before_alert=2)
    services.maintenance_add(monitor=monitor, by=consultant, starts_at=T0, ends_at=T0 + 10 * MINUTE)
    run(T0)
    site.stop()
    for minute in range(1, 8):
        run(T0 + minute * MINUTE)
    site.start()
    run(T0 + 8 * MINUTE)
    assert mail.outbox == []
    assert monitor.incidents.get().closed_at == T0 + 8 * MINUTE  # the outage is still on record


def test_outage_that_outlasts_the_window_is_announced_when_it_ends(site, make_monitor, consultant):
    monitor = make_monitor(site.url, failures_before_alert=2)
    services.maintenance_add(monitor=monitor, by=consultant, starts_at=T0, ends_at=T0 + 5 * MINUTE)
    site.stop()
    for minute in range(0, 5):
        run(T0 + minute * MINUTE)
    assert mail.outbox == []
    run(T0 + 5 * MINUTE)
    assert subjects() == ["DOWN: Homepage (Acme Coaching) is not answering"]


def test_reminder_fires_once_per_period(site, make_monitor):
    monitor = make_monitor(
        site.url, failures_before_alert=2, reminder_hours=6, interval_seconds=300
    )
    site.stop()
    step = timedelta(minutes=5)
    at = T0
    while at <= T0 + timedelta(hours=13):
        run(at)
        at += step
    kinds = list(monitor.alerts.order_by("created_at").values_list("kind", "created_at"))
    assert [k for k, _ in kinds] == [AlertKind.DOWN, AlertKind.REMINDER, AlertKind.REMINDER]
    assert kinds[1][1] - kinds[0][1] == timedelta(hours=6)
    assert kinds[2][1] - kinds[1][1] == timedelta(hours=6)
    assert len([s for s in subjects() if s.startswith("STILL DOWN")]) == 2


def test_paused_monitor_is_not_probed_and_closes_its_incident_quietly(
    site, make_monitor, consultant
):
    monitor = make_monitor(site.url, failures_before_alert=1)
    site.stop()
    run(T0)
    assert len(mail.outbox) == 1
    services.monitor_pause(monitor=monitor, by=consultant, now=T0 + MINUTE)
    assert run(T0 + 2 * MINUTE).claimed == 0
    assert monitor.incidents.get().closed_at == T0 + MINUTE
    assert len(mail.outbox) == 1


def test_webhook_receives_slack_compatible_json(site, make_monitor):
    hook = type(site)().start()
    try:
        make_monitor(site.url, failures_before_alert=1, webhook_url=hook.url + "hooks/abc")
        site.stop()
        run(T0)
        assert hook.hits["/hooks/abc"] == 1
    finally:
        hook.stop()


# ---------------------------------------------------------------- retries


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


FAILING_EMAIL = f"{__name__}.FailingEmailBackend"


def test_failed_webhook_is_retried_without_resending_the_email(site, make_monitor):
    hook = type(site)().start()
    try:
        hook.status = 500
        monitor = make_monitor(
            site.url, failures_before_alert=1, webhook_url=hook.url + "hooks/abc"
        )
        site.stop()
        run(T0)
        alert = monitor.alerts.get()
        assert alert.error == "webhook: HTTP 500" and alert.retry_at == T0 + MINUTE
        assert len(mail.outbox) == 1 and hook.hits["/hooks/abc"] == 1

        assert services.alerts_retry(now=T0 + timedelta(seconds=30)) == []  # not due yet
        hook.status = 200
        assert len(services.alerts_retry(now=T0 + MINUTE)) == 1
        alert.refresh_from_db()
        assert (alert.error, alert.retry_at, alert.attempts) == ("", None, 2)
        assert alert.webhook_status == "HTTP 200"
        assert hook.hits["/hooks/abc"] == 2 and len(mail.outbox) == 1
        assert services.alerts_retry(now=T0 + 10 * MINUTE) == []  # nothing left to do
    finally:
        hook.stop()


def test_failed_email_is_retried_then_given_up_after_four_tries(site, make_monitor, settings):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    monitor = make_monitor(site.url, failures_before_alert=1)
    site.stop()
    run(T0)
    alert = monitor.alerts.get()
    assert "SMTPServerDisconnected" in alert.error and alert.retry_at == T0 + MINUTE
    for at, next_try in ((T0 + MINUTE, T0 + 4 * MINUTE), (T0 + 4 * MINUTE, T0 + 14 * MINUTE)):
        services.alerts_retry(now=at)
        alert.refresh_from_db()
        assert alert.retry_at == next_try
    services.alerts_retry(now=T0 + 14 * MINUTE)
    alert.refresh_from_db()
    assert alert.attempts == 4 and alert.retry_at is None and alert.emailed_to == ""


def test_email_that_failed_once_goes_out_on_the_retry(site, make_monitor, settings):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    monitor = make_monitor(site.url, failures_before_alert=1)
    site.stop()
    run(T0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.alerts_retry(now=T0 + MINUTE)
    assert subjects() == ["DOWN: Homepage (Acme Coaching) is not answering"]
    alert = monitor.alerts.get()
    assert alert.emailed_to and alert.error == "" and alert.retry_at is None


def test_down_alert_is_not_resent_once_the_monitor_has_recovered(site, make_monitor, settings):
    settings.EMAIL_BACKEND = FAILING_EMAIL
    monitor = make_monitor(site.url, interval_seconds=60, failures_before_alert=1)
    site.stop()
    run(T0)
    site.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(T0 + MINUTE)  # recovered: the RECOVERED message goes out
    services.alerts_retry(now=T0 + 2 * MINUTE)
    assert subjects() == ["RECOVERED: Homepage (Acme Coaching) is answering again"]
    down = monitor.alerts.get(kind=AlertKind.DOWN)
    assert down.retry_at is None and "not resent: the monitor recovered first" in down.error
