"""Alert messages: decided inside the state transaction (an Alert row per message), sent
after it commits by email (templates/emails/monitor-*) and optionally a Slack-compatible
webhook through the network boundary; a channel that fails is tried again a few times
(services.alerts_retry). Plain language: what failed, since when, the last error."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checks.monitoring.models import Alert, AlertKind, Incident, Monitor
from checks.monitoring.probe import post_json

log = logging.getLogger(__name__)


def _context(alert: Alert, monitor: Monitor, incident: Incident | None) -> dict:
    now = alert.created_at
    down_for = incident.duration(now) if incident else None
    return {
        "alert": alert,
        "monitor": monitor,
        "client": monitor.client,
        "incident": incident,
        "now": now,
        "down_for": down_for,
        "down_for_text": _format_duration(down_for.total_seconds()) if down_for else "",
        "days_left": monitor.cert_days_left(now),
        "link": settings.SITE_URL
        + reverse("monitoring:monitor_portal", args=[monitor.client.code]),
        "journey_run": _journey_failure(monitor, alert),
        "site_url": settings.SITE_URL,
    }


def _journey_failure(monitor: Monitor, alert: Alert):
    """A journey monitor's latest failed run, for the down alert to quote (step, errors,
    screenshot link); None for URL monitors."""
    if monitor.kind != "journey" or alert.kind not in (AlertKind.DOWN, AlertKind.REMINDER):
        return None
    from checks.browser.journeys import journey_last_failure

    return journey_last_failure(monitor=monitor, at=alert.created_at)


def alert_prepare(
    *,
    monitor: Monitor,
    kind: str,
    now: datetime,
    incident: Incident | None = None,
    threshold_hours: int | None = None,
) -> Alert:
    """Write the Alert row (inside the caller's transaction) with its rendered subject."""
    alert = Alert(
        monitor=monitor,
        incident=incident,
        kind=kind,
        created_at=now,
        cert_not_after=monitor.cert_not_after if kind == AlertKind.CERT else None,
        threshold_hours=threshold_hours,
    )
    alert.subject = _render(
        f"emails/monitor-{kind}-subject.txt", _context(alert, monitor, incident)
    )
    alert.subject = " ".join(alert.subject.split())[:200]
    alert.save()
    return alert


def _render(name: str, context: dict) -> str:
    return render_to_string(name, context).strip()


def _format_duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} days {hours % 24} h"


# After a failed email or webhook: try again 1, 3 and 10 minutes later, then give up.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=3), timedelta(minutes=10))


def alert_deliver(alert: Alert, *, now: datetime | None = None) -> Alert:
    """Send one prepared alert by email and webhook, each channel only until it has gone
    through once; record where it went, what failed, and when to try again."""
    now = now or timezone.now()
    monitor = alert.monitor
    incident = alert.incident
    context = _context(alert, monitor, incident)
    context["text_template"] = f"emails/monitor-{alert.kind}-body.txt"
    text = _render(context["text_template"], context)
    errors = []
    recipients = monitor.alert_email_list()
    if recipients and not alert.emailed_to:
        html = render_to_string("emails/monitor-body.html", context)
        message = EmailMultiAlternatives(
            alert.subject, text, settings.DEFAULT_FROM_EMAIL, recipients
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
            alert.emailed_to = ", ".join(recipients)
        except Exception as exc:  # SMTP errors come in many classes; record, never crash the run
            log.warning("monitor alert email failed: %s", exc)
            errors.append(f"email: {exc.__class__.__name__}: {exc}")
    if monitor.webhook_url and not alert.webhook_status.startswith("HTTP 2"):
        status = post_json(monitor.webhook_url, {"text": f"{alert.subject}\n{text}"})
        alert.webhook_status = status[:120]
        if not status.startswith("HTTP 2"):
            errors.append(f"webhook: {status}")
    alert.attempts += 1
    alert.error = "; ".join(errors)[:300]
    more = errors and alert.attempts <= len(RETRY_DELAYS)
    alert.retry_at = now + RETRY_DELAYS[alert.attempts - 1] if more else None
    alert.save(update_fields=["emailed_to", "webhook_status", "error", "attempts", "retry_at"])
    return alert
