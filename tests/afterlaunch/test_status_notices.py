"""Automatic incident emails: one per confirmed subscriber when an incident on a public
monitor opens and when it resolves; a rerun sends nothing; nothing for a private monitor,
inside a maintenance window, or for a paused monitor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from checks.monitoring import services as monitoring
from checks.monitoring.models import Incident, MaintenanceWindow
from checks.statuspage import notices, tasks
from checks.statuspage.models import IncidentNotice, Subscriber
from tests.afterlaunch.conftest import status_page_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_with_subscribers(client_a, make_monitor):
    now = timezone.now()
    public = make_monitor("https://origin-4hq.acme.test/", name="Origin 4hq", now=now)
    private = make_monitor("https://admin-4hq.acme.test/", name="Back office 4hq", now=now)
    page = status_page_on(client_a, {public.pk: ("Website", False)})
    for email in ("a@example.test", "b@example.test"):
        Subscriber.objects.create(page=page, email=email, confirmed_at=now)
    Subscriber.objects.create(page=page, email="unconfirmed@example.test")
    return page, public, private, now


def _incident(monitor, at, **fields) -> Incident:
    return Incident.objects.create(
        monitor=monitor,
        started_at=at - timedelta(minutes=2),
        opened_at=at,
        first_error="refused by db-4hq.internal",
        last_error="refused by db-4hq.internal",
        **fields,
    )


def test_opening_and_resolving_mail_each_confirmed_subscriber_once(page_with_subscribers):
    page, public, private, now = page_with_subscribers
    incident = _incident(public, now)
    assert notices.incident_notices_send(now=now + timedelta(minutes=1)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]
    opened = mail.outbox[0]
    assert "Website" in opened.subject and "having problems" in opened.subject
    assert "/status/acme/" in opened.body and "/status/leave/" in opened.body
    assert opened.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for message in mail.outbox:
        text = message.subject + message.body + str(message.alternatives)
        assert "4hq" not in text  # neither the internal name, the URL nor the error
    assert notices.incident_notices_send(now=now + timedelta(minutes=2)) == 0  # rerun
    assert len(mail.outbox) == 2

    Incident.objects.filter(pk=incident.pk).update(closed_at=now + timedelta(minutes=5))
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        tasks.status_incidents_notify.call_local()
        tasks.status_incidents_notify.call_local()
    assert len(mail.outbox) == 4
    assert all("back to normal" in m.subject for m in mail.outbox[2:])
    assert list(IncidentNotice.objects.values_list("event", "sent", "skipped")) == [
        ("opened", 2, ""),
        ("resolved", 2, ""),
    ]


def test_private_monitor_incident_mails_nobody(page_with_subscribers):
    page, public, private, now = page_with_subscribers
    _incident(private, now, closed_at=now + timedelta(minutes=3))
    assert notices.incident_notices_send(now=now + timedelta(minutes=5)) == 0
    assert mail.outbox == [] and not IncidentNotice.objects.exists()


def test_incident_inside_a_maintenance_window_mails_nobody(page_with_subscribers):
    page, public, private, now = page_with_subscribers
    MaintenanceWindow.objects.create(
        monitor=public, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )
    incident = _incident(public, now)
    assert notices.incident_notices_send(now=now + timedelta(minutes=1)) == 0
    # It outlasts the window and resolves after it: still nobody was told it opened.
    Incident.objects.filter(pk=incident.pk).update(closed_at=now + timedelta(hours=2))
    assert notices.incident_notices_send(now=now + timedelta(hours=2, minutes=1)) == 0
    assert mail.outbox == []
    assert dict(IncidentNotice.objects.values_list("event", "skipped")) == {
        "opened": "maintenance",
        "resolved": "not_opened",
    }


def test_pausing_a_monitor_is_not_announced_as_a_recovery(page_with_subscribers, consultant):
    page, public, private, now = page_with_subscribers
    _incident(public, now)
    assert notices.incident_notices_send(now=now + timedelta(minutes=1)) == 2
    monitoring.monitor_pause(monitor=public, by=consultant, now=now + timedelta(minutes=3))
    assert notices.incident_notices_send(now=now + timedelta(minutes=4)) == 0
    assert len(mail.outbox) == 2
    assert IncidentNotice.objects.get(event="resolved").skipped == "paused"


def test_old_incidents_and_disabled_pages_mail_nobody(page_with_subscribers):
    page, public, private, now = page_with_subscribers
    _incident(public, now - timedelta(days=1), closed_at=now - timedelta(hours=20))
    assert notices.incident_notices_send(now=now) == 0
    type(page).objects.filter(pk=page.pk).update(enabled=False)
    _incident(public, now)
    assert notices.incident_notices_send(now=now + timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_a_subscriber_who_left_gets_no_more_notices(client, page_with_subscribers):
    page, public, private, now = page_with_subscribers
    incident = _incident(public, now)
    notices.incident_notices_send(now=now + timedelta(minutes=1))
    leave = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post("/" + leave.split("/", 3)[3]).status_code == 200
    Incident.objects.filter(pk=incident.pk).update(closed_at=now + timedelta(minutes=5))
    assert notices.incident_notices_send(now=now + timedelta(minutes=6)) == 1
    assert mail.outbox[-1].to != mail.outbox[0].to
