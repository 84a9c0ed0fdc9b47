"""Each event reaches the people its rule names, once; stage completions come as one
hourly digest; preferences and unsubscribes are honoured; deadlines on a controlled clock;
failed sends are retried like monitor alerts; the chat channel goes through the boundary."""

from __future__ import annotations

import json
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from checks.monitoring.alerts import RETRY_DELAYS as ALERT_RETRY_DELAYS
from checks.secrets import services as secrets
from checks.secrets.models import EnvVar
from clients import services
from clients.models import Impact, ItemState
from clients.notifications import delivery
from clients.notifications import services as notifications
from clients.notifications.models import Channel, EventKind, Level, Notification, Preference
from tests.monitoring.conftest import LoopbackServer
from tests.notifications.conftest import T0
from tests.notifications.coverage import covers

HOUR = timedelta(hours=1)


def _close_stage(sprint, by):
    sprint.refresh_from_db()
    stage = sprint.stages.get(number=sprint.current_stage)
    stage.items.update(state=ItemState.DONE)
    return services.stage_advance(sprint=sprint, by=by)


@pytest.fixture
def cofounder(client_a, consultant):
    return services.founder_add(
        client=client_a,
        by=consultant,
        email="cto@acme.test",
        full_name="Cy Acme",
        password="x-Pass-123456",
    ).user


@covers(EventKind.STAGE_COMPLETED)
def test_stage_completions_within_an_hour_make_one_digest_per_founder(
    founder, cofounder, consultant, sprint_a, deliver, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        sprint_a.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            _close_stage(sprint_a, consultant)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _close_stage(sprint_a, consultant)
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _close_stage(sprint_a, consultant)
    assert mail.outbox == []  # nothing before the hour is up
    assert deliver(now=T0 + timedelta(minutes=59)) == []
    sent = deliver(now=T0 + HOUR)
    assert sorted(m.to[0] for m in sent) == ["cto@acme.test", "founder@acme.test"]
    for email in sent:
        assert email.subject == "Acme Coaching: 3 stages completed"
        for number in (1, 2, 3):
            assert f"Stage {number} (" in email.body
    assert deliver(now=T0 + 2 * HOUR) == []
    assert consultant.email not in {m.to[0] for m in sent}  # the one who closed them

    # The next completion starts a new hour: at most one digest an hour.
    with time_machine.travel(T0 + HOUR + timedelta(minutes=5), tick=False):
        _close_stage(sprint_a, consultant)
    assert deliver(now=T0 + HOUR + timedelta(minutes=30)) == []
    later = deliver(now=T0 + 2 * HOUR + timedelta(minutes=5))
    assert len(later) == 2 and later[0].subject.startswith("Acme Coaching: Stage 4 (")


@covers(EventKind.BLOCKER_NEW)
def test_important_only_keeps_blockers_and_drops_stage_news(
    founder, cofounder, consultant, sprint_a, deliver, django_capture_on_commit_callbacks
):
    notifications.preference_update(user=founder, email=Level.IMPORTANT)
    notifications.preference_update(user=cofounder, email=Level.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        _close_stage(sprint_a, consultant)
        services.finding_create(
            sprint=sprint_a,
            by=consultant,
            stage=sprint_a.stages.get(number=2),
            title="Checkout has no HTTPS",
            founder_explanation="Payments would be refused by browsers.",
            staff_note="staff only words",
            impact=Impact.BLOCKER,
        )
    deliver(now=T0 + 10 * HOUR)
    assert [m.to for m in mail.outbox] == [[founder.email]]
    email = mail.outbox[0]
    assert email.subject == "Acme Coaching: New launch blocker: Checkout has no HTTPS"
    assert "Payments would be refused by browsers." in email.body
    assert "staff only words" not in email.body
    assert not Notification.objects.filter(recipient=cofounder).exists()
    assert not Notification.objects.filter(kind=EventKind.STAGE_COMPLETED).exists()


def test_a_finding_raised_to_blocker_is_told_once(
    founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finding = services.finding_create(
            sprint=sprint_a,
            by=consultant,
            stage=sprint_a.stages.get(number=1),
            title="Old domain loops",
            impact=Impact.CLEANUP,
        )
        assert mail.outbox == []
        services.finding_update(finding=finding, by=consultant, impact=Impact.BLOCKER)
        services.finding_update(finding=finding, by=consultant, impact=Impact.TRUST)
        services.finding_update(finding=finding, by=consultant, impact=Impact.BLOCKER)
    assert [m.subject for m in mail.outbox] == [
        "Acme Coaching: New launch blocker: Old domain loops"
    ]


@covers(EventKind.DECISION_RECORDED)
def test_decision_reaches_founders_with_a_plain_subject(
    founder, consultant, client_a, sprint_a, django_capture_on_commit_callbacks
):
    client_a.name = "Smith & Sons <Ltd>"
    client_a.save()
    sprint_a.refresh_from_db()
    for _ in range(6):
        _close_stage(sprint_a, consultant)
    sprint_a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.sprint_decide(
            sprint=sprint_a, by=consultant, outcome="no_go", reason="DNS not ready"
        )
    decision = [m for m in mail.outbox if "decision" in m.subject]
    assert [m.subject for m in decision] == ["Smith & Sons <Ltd>: the launch decision is no-go"]
    assert "&amp;" not in decision[0].body and "DNS not ready" in decision[0].body
    assert "Smith &amp; Sons &lt;Ltd&gt;" in decision[0].alternatives[0][0]


@covers(EventKind.DEPLOY_REFUSED)
def test_refused_deploy_reaches_consultant_and_the_founder_who_deploys_once(
    client, founder, cofounder, consultant, client_a, sprint_a, django_capture_on_commit_callbacks
):
    client_a.deploy_owner = "Cy Acme (cto@acme.test)"
    client_a.save()
    EnvVar.objects.create(client=client_a, name="STRIPE_SECRET_KEY", environments=["production"])
    token = secrets.deploy_token_create(client=client_a, by=consultant, label="CI")
    body = json.dumps({"environment": "production", "version": "v2", "variables": ["PATH"]})
    for _ in range(3):  # the CI retries the same deploy
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("secrets:secrets_deploy_gate", args=[client_a.code]),
                data=body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token.plaintext}",
            )
        assert response.status_code == 422
    assert sorted(m.to[0] for m in mail.outbox) == [consultant.email, "cto@acme.test"]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "STRIPE_SECRET_KEY" in by_to[consultant.email].body
    assert f"/secrets/{client_a.code}/" in by_to[consultant.email].body
    # The founder's link is their portal, never a staff screen.
    assert f"https://launchready.test/portal/{sprint_a.code}/" in by_to["cto@acme.test"].body


@covers(EventKind.DEADLINE_NEAR, EventKind.OVERDUE)
def test_eight_hours_left_and_overdue_go_out_once_each(consultant, founder, client_a, deliver):
    with time_machine.travel(T0, tick=False):
        sprint = services.sprint_start(client=client_a, by=consultant, hours=48)
    tick = notifications.deadlines_sweep
    for hours in (0, 12, 39, 39.9):
        with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
            tick()
            deliver()
    assert mail.outbox == []
    for minutes in range(0, 50, 10):
        with time_machine.travel(T0 + timedelta(hours=40, minutes=minutes), tick=False):
            tick()
            deliver()
    assert [m.subject for m in mail.outbox] == ["Acme Coaching: 8 hours left, work still open"]
    assert mail.outbox[0].to == [consultant.email]
    assert "launch blocker" in mail.outbox[0].body and "checklist item" in mail.outbox[0].body
    for hours in (47.9, 48, 48.1, 60):
        with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
            tick()
            deliver()
    assert [m.subject for m in mail.outbox][1:] == ["Acme Coaching: the sprint is overdue"]
    # A later deadline earns a fresh warning.
    sprint.deadline = T0 + timedelta(hours=70)
    sprint.save()
    with time_machine.travel(T0 + timedelta(hours=63), tick=False):
        tick()
        deliver()
    assert len(mail.outbox) == 3


def test_no_deadline_warning_when_nothing_is_open(consultant, client_a, deliver):
    with time_machine.travel(T0, tick=False):
        sprint = services.sprint_start(client=client_a, by=consultant, hours=48)
    for stage in sprint.stages.all():
        stage.items.update(state=ItemState.DONE)
    with time_machine.travel(T0 + timedelta(hours=41), tick=False):
        notifications.deadlines_sweep()
        assert deliver() == []


class _FlakyBackend(EmailBackend):
    failures = 0

    def send_messages(self, messages):
        if _FlakyBackend.failures:
            _FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        return super().send_messages(messages)


def test_failed_email_is_retried_with_the_alert_delays_then_given_up(
    settings, founder, consultant, sprint_a
):
    assert delivery.RETRY_DELAYS == ALERT_RETRY_DELAYS
    settings.EMAIL_BACKEND = "tests.notifications.test_events._FlakyBackend"
    _FlakyBackend.failures = 2
    with time_machine.travel(T0, tick=False):
        from clients.notifications.messages import founder_message_post

        founder_message_post(sprint=sprint_a, by=founder, text="Hello?")
    row = Notification.objects.get()
    delivery.notifications_deliver_due(now=T0)
    row.refresh_from_db()
    assert (row.attempts, row.next_try_at, row.sent_at) == (1, T0 + timedelta(minutes=1), None)
    assert "SMTPServerDisconnected" in row.error
    delivery.notifications_deliver_due(now=T0 + timedelta(seconds=30))  # not due yet
    row.refresh_from_db()
    assert row.attempts == 1
    delivery.notifications_deliver_due(now=T0 + timedelta(minutes=1))
    row.refresh_from_db()
    assert row.next_try_at == T0 + timedelta(minutes=4)
    delivery.notifications_deliver_due(now=T0 + timedelta(minutes=4))
    row.refresh_from_db()
    assert row.sent_at == T0 + timedelta(minutes=4) and len(mail.outbox) == 1

    _FlakyBackend.failures = 10
    notifications.inbox_mark_read(sprint=sprint_a, by=consultant)
    with time_machine.travel(T0, tick=False):
        founder_message_post(sprint=sprint_a, by=founder, text="Still there?")
    at = T0
    for _ in range(6):
        delivery.notifications_deliver_due(now=at)
        at += timedelta(minutes=15)
    row = Notification.objects.latest("pk")
    assert row.attempts == 4 and row.next_try_at is None and row.sent_at is None


def test_chat_webhook_goes_through_the_boundary_and_is_stored_encrypted(
    founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    from django.db import connection

    server = LoopbackServer().start()
    try:
        notifications.preference_update(
            user=consultant, email=Level.NONE, chat_webhook_url=server.url + "hooks/T0/B0/secret"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT chat_webhook_url FROM notifications_preference WHERE user_id = %s",
                [consultant.pk],
            )
            assert cursor.fetchone()[0].startswith("fernet:")
        from clients.notifications.messages import founder_message_post

        with django_capture_on_commit_callbacks(execute=True):
            founder_message_post(sprint=sprint_a, by=founder, text="Ping on chat")
        assert server.hits["/hooks/T0/B0/secret"] == 1
        row = Notification.objects.get()
        assert row.channel == Channel.CHAT and row.sent_at is not None
        assert mail.outbox == []
    finally:
        server.stop()


def test_chat_to_a_private_address_is_refused_by_the_boundary(
    settings, founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    # Saving it is refused with the probe's sentence...
    with pytest.raises(ValidationError, match="127.0.0.1: it is a loopback address"):
        notifications.preference_update(
            user=consultant, email=Level.NONE, chat_webhook_url="http://127.0.0.1:9/hook"
        )
    # ...and a row stored before the rule existed (or when private targets were allowed)
    # is still refused by the network boundary when it is sent.
    notifications.preference_update(user=consultant, email=Level.NONE)
    Preference.objects.filter(user=consultant).update(chat_webhook_url="http://127.0.0.1:9/hook")
    from clients.notifications.messages import founder_message_post

    with django_capture_on_commit_callbacks(execute=True):
        founder_message_post(sprint=sprint_a, by=founder, text="Ping")
    row = Notification.objects.get()
    assert row.sent_at is None and row.error.startswith("chat: refused")
