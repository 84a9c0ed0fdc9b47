"""A secret record marked "suspected exposed" files one "rotate this key" launch blocker
on the client's running sprint (the path scan hits take), which the founder sees on the
portal; marking it fine or rotated verifies it. Nothing of a value is ever in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checks.secrets import services
from checks.secrets.models import SecretRecord
from clients.models import Finding, FindingStatus, Impact

FORM = {
    "name": "STRIPE_SECRET_KEY",
    "kind": "api_key",
    "unlocks": "card payments",
    "storage": "platform",
    "storage_detail": "Render service web",
    "environments": "production",
    "owner": "Ann",
    "access": "",
    "last_rotated": "",
    "rotation_due": "",
    "exposure": "suspected",
    "notes": "Pasted into a support chat on Monday.",
}


def _findings(sprint):
    return Finding.objects.filter(sprint=sprint, source=services.SUSPECTED_SOURCE)


def test_marking_a_record_suspected_files_a_rotate_blocker(staff_client, client_a, sprint_a):
    response = staff_client.post(reverse("secrets:secrets_record_new", args=[client_a.code]), FORM)
    assert response.status_code == 302
    record = SecretRecord.objects.get()
    finding = _findings(sprint_a).get()
    assert finding.target == f"secret {record.code}"
    assert (finding.impact, finding.status) == (Impact.BLOCKER, FindingStatus.OPEN)
    assert finding.stage.key == "secrets"
    assert "Rotate STRIPE_SECRET_KEY" in finding.title
    assert "card payments" in finding.founder_explanation
    assert "rotating" in finding.founder_explanation
    # Staff notes are not copied into what the founder reads.
    assert "support chat" not in finding.founder_explanation + finding.evidence


def test_saving_again_keeps_one_finding_per_record(staff_client, client_a, sprint_a):
    staff_client.post(reverse("secrets:secrets_record_new", args=[client_a.code]), FORM)
    record = SecretRecord.objects.get()
    edit = reverse("secrets:secrets_record_edit", args=[record.code])
    for owner in ("Ann", "Bob", "Cat"):
        assert staff_client.post(edit, {**FORM, "owner": owner}).status_code == 302
    assert _findings(sprint_a).count() == 1


@pytest.mark.parametrize("exposure", ["fine", "rotated"])
def test_unmarking_or_rotating_verifies_it_and_marking_again_reopens(
    exposure, staff_client, client_a, sprint_a
):
    staff_client.post(reverse("secrets:secrets_record_new", args=[client_a.code]), FORM)
    record = SecretRecord.objects.get()
    edit = reverse("secrets:secrets_record_edit", args=[record.code])
    staff_client.post(edit, {**FORM, "exposure": exposure})
    finding = _findings(sprint_a).get()
    assert finding.status == FindingStatus.VERIFIED
    assert sprint_a.activities.filter(kind="finding.verified").exists()
    staff_client.post(edit, FORM)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN and _findings(sprint_a).count() == 1


def test_a_fine_record_files_nothing(staff_client, client_a, sprint_a):
    staff_client.post(
        reverse("secrets:secrets_record_new", args=[client_a.code]), {**FORM, "exposure": "fine"}
    )
    assert not _findings(sprint_a).exists()


def test_two_suspected_records_file_two_findings(client_a, sprint_a):
    for name in ("STRIPE_SECRET_KEY", "OPENAI_API_KEY"):
        record = SecretRecord(client=client_a, name=name, kind="api_key", exposure="suspected")
        services.secret_record_save(record=record, by=None)
    assert _findings(sprint_a).count() == 2


def test_the_founder_sees_it_on_the_portal_risk_list(
    client, consultant, founder, client_a, sprint_a
):
    client.force_login(consultant)
    client.post(reverse("secrets:secrets_record_new", args=[client_a.code]), FORM)
    finding = _findings(sprint_a).get()
    client.force_login(founder)
    page = client.get(reverse("clients:portal_sprint", args=[sprint_a.code])).content.decode()
    assert finding.title in page
    assert "Launch blocker" in page or "launch blocker" in page.lower()
    assert "support chat" not in page


def test_the_admin_files_it_too(staff_client, client_a, sprint_a, consultant):
    consultant.is_superuser = True
    consultant.save()
    data = {**FORM, "client": client_a.pk}
    response = staff_client.post(reverse("admin:secrets_secretrecord_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _findings(sprint_a).count() == 1


def test_without_a_running_sprint_nothing_is_filed(client_a):
    record = SecretRecord(client=client_a, name="K", kind="api_key", exposure="suspected")
    services.secret_record_save(record=record, by=None)
    assert not Finding.objects.exists()
