from __future__ import annotations

from django.urls import reverse

from clients import services
from clients.models import Activity, Impact


def test_founder_sees_risks_ranked_in_plain_language_without_staff_notes(
    founder_client, sprint_a, add_finding
):
    add_finding("Old blog subdomain", Impact.CLEANUP)
    add_finding(
        "Booking form is down",
        Impact.BLOCKER,
        founder_explanation="People cannot book calls right now.",
        staff_note="STAFF-ONLY-CANARY",
        evidence="EVIDENCE-CANARY",
    )
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert html.index("Booking form is down") < html.index("Old blog subdomain")
    assert "People cannot book calls right now." in html
    assert "STAFF-ONLY-CANARY" not in html and "EVIDENCE-CANARY" not in html


def test_founder_does_not_see_staff_only_log_entries(founder_client, sprint_a, consultant):
    services.stage_advance(sprint=sprint_a, by=consultant, override_reason="OVERRIDE-CANARY")
    html = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert "OVERRIDE-CANARY" not in html
    assert "Now on stage 2" in html


def test_founder_comment_reaches_the_activity_log(founder_client, founder, sprint_a):
    response = founder_client.post(
        reverse("clients:portal_comment", args=[sprint_a.code]), {"text": "Can we launch Friday?"}
    )
    assert response.status_code == 302
    entry = Activity.objects.get(sprint=sprint_a, kind="comment")
    assert entry.actor == founder and "Can we launch Friday?" in entry.message


def test_empty_comment_is_refused_with_422(founder_client, sprint_a):
    response = founder_client.post(
        reverse("clients:portal_comment", args=[sprint_a.code]), {"text": ""}
    )
    assert response.status_code == 422
    assert not Activity.objects.filter(sprint=sprint_a, kind="comment").exists()


def test_founder_cannot_comment_on_other_clients_sprint(founder_client, sprint_b):
    response = founder_client.post(
        reverse("clients:portal_comment", args=[sprint_b.code]), {"text": "hi"}
    )
    assert response.status_code == 404
