"""Founder messages reach the consultant once, show as unread on the dashboard and the
sprint page until opened; consultant replies reach the founder and the portal."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from clients.models import Activity
from clients.notifications import services
from clients.notifications.models import Channel, EventKind, Notification
from clients.notifications.tasks import notification_event_deliver, notifications_tick
from tests.notifications.coverage import covers


def _post_message(client, founder, sprint, text, capture):
    client.force_login(founder)
    with capture(execute=True):
        response = client.post(
            reverse("clients:portal_comment", args=[sprint.code]), {"text": text}
        )
    assert response.status_code == 302
    return response


@covers(EventKind.FOUNDER_MESSAGE)
def test_founder_message_emails_the_consultant_once_and_shows_unread_on_the_dashboard(
    client, founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    _post_message(
        client,
        founder,
        sprint_a,
        "Can we move the DNS change to Friday?",
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [consultant.email]
    assert email.subject == "Acme Coaching: new message from the founder"
    assert "Can we move the DNS change to Friday?" in email.body
    reply_link = f"https://launchready.test/sprints/{sprint_a.code}/#reply"
    assert reply_link in email.body
    html = email.alternatives[0][0]
    assert reply_link in html and "Can we move the DNS change to Friday?" in html

    row = Notification.objects.get(kind=EventKind.FOUNDER_MESSAGE)
    assert row.sent_at is not None and row.recipient == consultant and row.channel == Channel.EMAIL

    # A second run of the delivery task, and the minute tick, send nothing more.
    notification_event_deliver(row.kind, row.key)
    notifications_tick()
    assert len(mail.outbox) == 1

    client.force_login(consultant)
    page = client.get(reverse("clients:dashboard")).content.decode()
    assert page.count('class="pill pill-unread"') == 1
    assert "1 new message<" in page


def test_opening_the_activity_marks_founder_messages_read(
    client, founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    _post_message(client, founder, sprint_a, "First question", django_capture_on_commit_callbacks)
    _post_message(client, founder, sprint_a, "Second question", django_capture_on_commit_callbacks)
    assert services.unread_count(sprint_a) == 2
    client.force_login(consultant)
    page = client.get(reverse("clients:sprint_detail", args=[sprint_a.code])).content.decode()
    assert "2 new messages from the founder" in page
    assert services.unread_count(sprint_a) == 2  # GET requests never write
    response = client.post(reverse("inbox_read", args=[sprint_a.code]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"pill-unread" not in response.content
    assert services.unread_count(sprint_a) == 0
    assert b"pill-unread" not in client.get(reverse("clients:dashboard")).content


@covers(EventKind.CONSULTANT_REPLY)
def test_consultant_reply_is_on_the_portal_and_emailed_to_the_founder(
    client, founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    _post_message(client, founder, sprint_a, "Is SPF done?", django_capture_on_commit_callbacks)
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sprint_reply", args=[sprint_a.code]), {"text": "Yes, SPF passes now."}
        )
    assert response.status_code == 302
    assert services.unread_count(sprint_a) == 0  # replying reads them
    reply = mail.outbox[-1]
    assert reply.to == [founder.email]
    assert reply.subject == "Acme Coaching: your consultant replied"
    assert "Yes, SPF passes now." in reply.body
    assert f"https://launchready.test/portal/{sprint_a.code}/" in reply.body

    client.force_login(founder)
    portal = client.get(reverse("clients:portal_sprint", args=[sprint_a.code])).content.decode()
    assert "Yes, SPF passes now." in portal


def test_empty_reply_re_renders_with_an_error(client, consultant, sprint_a):
    client.force_login(consultant)
    response = client.post(reverse("sprint_reply", args=[sprint_a.code]), {"text": "  "})
    assert response.status_code == 422
    assert b'id="reply"' in response.content and b"open" in response.content
    assert not Activity.objects.filter(kind="comment").exists()


def test_founder_cannot_reply_or_mark_read(client, founder, sprint_a):
    client.force_login(founder)
    assert (
        client.post(reverse("sprint_reply", args=[sprint_a.code]), {"text": "x"}).status_code == 404
    )
    assert client.post(reverse("inbox_read", args=[sprint_a.code])).status_code == 404


def test_portal_shows_what_is_new_since_the_last_visit(
    client, founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    client.force_login(founder)
    url = reverse("clients:portal_sprint", args=[sprint_a.code])
    assert b"New since your last visit" not in client.get(url).content  # first visit
    assert client.post(reverse("portal_seen", args=[sprint_a.code])).status_code == 204
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sprint_reply", args=[sprint_a.code]), {"text": "DKIM is live."})
    client.force_login(founder)
    page = client.get(url).content.decode()
    assert "New since your last visit" in page and "DKIM is live." in page
    client.post(reverse("portal_seen", args=[sprint_a.code]))
    page = client.get(url).content.decode()
    assert "Nothing new since then." in page
