"""Issuing the handover tells the client's founders, once per version."""

from __future__ import annotations

from django.core import mail

from clients.notifications.models import EventKind, Notification
from handover.services import handover_issue


def test_issuing_the_handover_emails_the_founders(
    full_sprint, consultant, founder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = handover_issue(sprint=full_sprint, by=consultant)
    sent = [m for m in mail.outbox if "handover" in m.subject]
    assert [m.to for m in sent] == [[founder.email]]
    assert sent[0].subject == f"{full_sprint.client.name}: your signed handover, version 1"
    assert f"https://launchready.test/portal/{full_sprint.code}/" in sent[0].body
    row = Notification.objects.get(kind=EventKind.HANDOVER_ISSUED)
    assert row.key == f"handover:{issued.pk}" and row.sent_at is not None
