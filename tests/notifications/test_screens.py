"""Settings for staff and founders, the one-click unsubscribe (signed out, RFC 8058
headers, POST without CSRF only there), the handover email, and the dashboard's queries."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.notifications import delivery
from clients.notifications import services as notifications
from clients.notifications.messages import founder_message_post
from clients.notifications.models import Channel, EventKind, Level, Notification, Preference
from tests.notifications.coverage import covers


def test_unsubscribe_link_works_signed_out_and_headers_are_present(
    founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        founder_message_post(sprint=sprint_a, by=founder, text="Hello")
    email = mail.outbox[0]
    token = delivery.unsubscribe_token(consultant.pk, Channel.EMAIL)
    url = f"https://launchready.test/unsubscribe/{token}/"
    assert email.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = email.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in email.body and url in email.alternatives[0][0]

    browser = DjangoClient(enforce_csrf_checks=True)  # signed out
    path = reverse("notifications_unsubscribe", args=[token])
    page = browser.get(path)
    assert page.status_code == 200 and b">Unsubscribe</button>" in page.content
    assert notifications.preference_for(consultant).email == Level.ALL  # GET changes nothing
    # What a mail provider sends (RFC 8058): a bare POST, no session, no CSRF token.
    done = browser.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"Unsubscribed" in done.content
    assert Preference.objects.get(user=consultant).email == Level.NONE

    with django_capture_on_commit_callbacks(execute=True):
        founder_message_post(sprint=sprint_a, by=founder, text="Hello again")
    assert len(mail.outbox) == 1


def test_a_forged_or_broken_token_is_404(client, consultant):
    token = delivery.unsubscribe_token(consultant.pk, Channel.EMAIL)
    assert (
        client.get(reverse("notifications_unsubscribe", args=[token[:-2] + "xx"])).status_code
        == 404
    )
    assert client.post(reverse("notifications_unsubscribe", args=["nothing"])).status_code == 404


def test_other_views_still_demand_csrf(founder, sprint_a):
    browser = DjangoClient(enforce_csrf_checks=True)
    browser.force_login(founder)
    assert browser.post(reverse("notification_settings"), {"email": "none"}).status_code == 403
    assert browser.post(reverse("portal_seen", args=[sprint_a.code])).status_code == 403


def test_founder_settings_offer_email_only_and_save(client, founder):
    client.force_login(founder)
    page = client.get(reverse("notification_settings")).content.decode()
    assert 'name="email"' in page and 'name="chat"' not in page
    response = client.post(reverse("notification_settings"), {"email": "important"})
    assert response.status_code == 302
    assert Preference.objects.get(user=founder).email == Level.IMPORTANT


def test_staff_settings_keep_the_webhook_secret_and_refuse_bad_input(client, consultant):
    client.force_login(consultant)
    url = reverse("notification_settings")
    hook = "https://hooks.slack.com/services/T000/B000/abcdefabcdef"
    response = client.post(url, {"email": "all", "chat": "important", "chat_webhook_url": hook})
    assert response.status_code == 302
    pref = Preference.objects.get(user=consultant)
    assert pref.chat_webhook_url == hook and pref.chat == Level.IMPORTANT
    page = client.get(url).content.decode()
    assert "abcdefabcdef" not in page and "Remove the webhook" in page
    # Blank keeps it; a bad value re-renders with what was typed and an error.
    client.post(url, {"email": "none", "chat": "all", "chat_webhook_url": ""})
    assert Preference.objects.get(user=consultant).chat_webhook_url == hook
    bad = client.post(url, {"email": "bogus", "chat": "all"})
    assert bad.status_code == 422 and b"Select a valid choice" in bad.content
    client.post(url, {"email": "all", "chat": "all", "remove_webhook": "on"})
    assert Preference.objects.get(user=consultant).chat_webhook_url == ""


def test_settings_need_a_login(client):
    response = client.get(reverse("notification_settings"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@covers(EventKind.HANDOVER_ISSUED)
def test_handover_issued_is_emailed_to_founders(
    founder, consultant, sprint_a, django_capture_on_commit_callbacks
):
    # The signed PDF is tested in tests/handover; here only the event and its email.
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from handover.models import IssuedHandover

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        issued = IssuedHandover(
            sprint=sprint_a,
            version=1,
            sha256="0" * 64,
            size=9,
            issued_at=timezone.now(),
            signer_name="Sam",
            signer_subject="CN=Sam",
            signer_fingerprint="00",
            signer_self_signed=True,
            signer_cert_pem="",
        )
        issued.file.save("t.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
        issued.save()
        notifications.notify(
            event=EventKind.HANDOVER_ISSUED,
            sprint=sprint_a,
            key=f"handover:{issued.pk}",
            title="Acme Coaching: your signed handover, version 1",
            path=reverse("clients:portal_sprint", args=[sprint_a.code]),
            actor=consultant,
        )
    assert [m.subject for m in mail.outbox] == ["Acme Coaching: your signed handover, version 1"]
    assert mail.outbox[0].to == [founder.email]


def test_dashboard_query_count_does_not_grow_with_unread_messages(
    client, consultant, founder, client_b, founder_b, sprint_a, sprint_b
):
    client.force_login(consultant)
    client.get(reverse("clients:dashboard"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("clients:dashboard"))
    founder_message_post(sprint=sprint_a, by=founder, text="one")
    founder_message_post(sprint=sprint_b, by=founder_b, text="two")
    founder_message_post(sprint=sprint_b, by=founder_b, text="three")
    with CaptureQueriesContext(connection) as after:
        page = client.get(reverse("clients:dashboard")).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert "1 new message<" in page and "2 new messages<" in page
    assert Notification.objects.filter(kind=EventKind.FOUNDER_MESSAGE).count() == 3
