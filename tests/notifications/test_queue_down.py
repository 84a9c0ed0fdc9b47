"""The queue is down when an event happens: a redis-server the test started is stopped
before the founder writes. The message is still saved (302, not 500), its notification
row waits unsent, and the minute tick sends it once the worker runs again."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from clients.models import Activity
from clients.notifications.models import EventKind, Notification
from clients.notifications.tasks import notifications_tick
from tests.faults import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stopped_queue(tmp_path):
    """Huey on a Redis of the test's own, which is then stopped."""
    server = RedisServer(tmp_path)
    server.start()
    saved = HUEY.immediate, HUEY.storage
    HUEY.immediate = False
    HUEY.storage = RedisStorage(name=f"lr-notify-{uuid.uuid4().hex[:8]}", url=server.url)
    server.stop()
    try:
        yield
    finally:
        HUEY.immediate, HUEY.storage = saved


def test_a_message_posted_while_the_queue_is_down_is_kept_and_sent_by_the_tick(
    client, founder, consultant, sprint_a, stopped_queue
):
    client.force_login(founder)
    response = client.post(
        reverse("clients:portal_comment", args=[sprint_a.code]), {"text": "Is Friday still on?"}
    )
    assert response.status_code == 302
    assert Activity.objects.filter(sprint=sprint_a, message__contains="Friday").exists()
    row = Notification.objects.get(kind=EventKind.FOUNDER_MESSAGE, recipient=consultant)
    assert row.sent_at is None and mail.outbox == []

    HUEY.immediate = True  # the worker is back: the tick runs the sends it finds due
    notifications_tick()
    row.refresh_from_db()
    assert row.sent_at is not None
    assert [m.to for m in mail.outbox] == [[consultant.email]]
    notifications_tick()
    assert len(mail.outbox) == 1
