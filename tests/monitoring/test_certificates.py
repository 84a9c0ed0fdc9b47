"""Certificate expiry warnings against a real HTTPS server with a test CA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core import mail

from checks.monitoring import services
from checks.monitoring.evaluation import cert_thresholds, cert_warning_due
from checks.monitoring.models import AlertKind
from tests.monitoring.conftest import LoopbackServer, make_cert

DAY = timedelta(days=1)


def test_thresholds_are_21_7_1_days_or_a_third_of_a_short_lifetime():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert cert_thresholds(start, start + 90 * DAY) == [21, 7, 1]
    assert cert_thresholds(start, start + 6 * DAY) == [2, 1]
    assert (
        cert_warning_due(not_before=start, not_after=start + 90 * DAY, now=start + 60 * DAY) is None
    )
    assert cert_warning_due(not_before=start, not_after=start + 90 * DAY, now=start + 85 * DAY) == 7


def test_expiring_certificate_warns_once_per_threshold(tmp_path, settings, make_monitor):
    real_now = datetime.now(UTC)
    not_after = real_now + 10 * DAY
    ca, ctx = make_cert(tmp_path, not_before=not_after - 90 * DAY, not_after=not_after)
    settings.LAUNCHREADY_CA_BUNDLE = ca
    server = LoopbackServer(tls=ctx).start()
    try:
        monitor = make_monitor(server.url, now=real_now, interval_seconds=3600)
        # The TLS handshake happens now; the clock the rules see is moved forward.
        for days in (0, 0.5, 1, 3.5, 4, 9.2, 9.5):
            services.monitor_check_now(monitor=monitor, now=real_now + days * DAY)
        warnings = list(monitor.alerts.filter(kind=AlertKind.CERT).order_by("created_at"))
        assert [a.threshold_hours for a in warnings] == [21 * 24, 7 * 24, 24]
        assert [m.subject for m in mail.outbox] == [a.subject for a in warnings]
        assert "expires in 10 days" in warnings[0].subject
        monitor.refresh_from_db()
        assert abs((monitor.cert_not_after - not_after).total_seconds()) < 1
        assert monitor.status == "up"
    finally:
        server.stop()


def test_untrusted_certificate_is_down_with_a_plain_reason(tmp_path, make_monitor):
    now = datetime.now(UTC)
    _, ctx = make_cert(tmp_path, not_before=now - DAY, not_after=now + 60 * DAY)
    server = LoopbackServer(tls=ctx).start()  # CA not in LAUNCHREADY_CA_BUNDLE
    try:
        monitor = make_monitor(server.url, now=now, failures_before_alert=1)
        services.monitor_check_now(monitor=monitor, now=now)
        monitor.refresh_from_db()
        assert monitor.status == "down"
        assert "certificate" in monitor.last_error.lower()
    finally:
        server.stop()
