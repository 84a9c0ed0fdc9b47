"""The screens: the staff handover page (edit, issue, progress), downloads, the
founder's receipt, and the verification page. The wrong person always gets 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.jobs.models import JobStatus
from handover.models import IssuedHandover, IssueJob
from handover.services import handover_issue
from tests.handover.conftest import PLANTED


def test_staff_sees_the_draft_with_every_section_and_the_self_signed_signer(
    staff_client, full_sprint
):
    response = staff_client.get(reverse("handover:handover_draft", args=[full_sprint.code]))
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ["sec-summary", "sec-domains", "sec-emergency", "sec-signature"]:
        assert f'id="{anchor}"' in html
    assert "self-signed" in html
    assert PLANTED not in html


@pytest.mark.parametrize("who", ["founder", "founder_b", "outsider"])
def test_drafts_are_staff_only(client, full_sprint, who, request):
    client.force_login(request.getfixturevalue(who))
    assert (
        client.get(reverse("handover:handover_draft", args=[full_sprint.code])).status_code == 404
    )
    assert (
        client.post(reverse("handover:handover_issue", args=[full_sprint.code])).status_code == 404
    )


def test_editing_a_section_saves_and_shows_the_new_wording(staff_client, full_sprint):
    url = reverse("handover:handover_edit", args=[full_sprint.code])
    response = staff_client.post(
        url, {"section": "deployment", "deployment__who": "Only Ann and Sam."}
    )
    assert response.status_code == 302
    page = staff_client.get(
        reverse("handover:handover_draft", args=[full_sprint.code])
    ).content.decode()
    assert "Only Ann and Sam." in page


def test_too_long_edit_is_refused_with_422_and_keeps_the_typed_text(staff_client, full_sprint):
    url = reverse("handover:handover_edit", args=[full_sprint.code])
    typed = "Keep this. " + "x" * 5000
    response = staff_client.post(url, {"section": "edge", "edge__caching": typed})
    assert response.status_code == 422
    assert typed in response.content.decode()


def test_issue_runs_the_task_and_the_job_shows_the_download(
    staff_client, full_sprint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("handover:handover_issue", args=[full_sprint.code]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    job = IssueJob.objects.get(sprint=full_sprint)
    # The first answer shows the queued job polling for progress...
    assert (
        f'hx-get="{reverse("clients:job_progress", args=["handover", job.code])}"'
        in response.content.decode()
    )
    # ...the poll, once the worker is done, reloads the page, which offers the download.
    assert job.status == JobStatus.DONE and job.issued.version == 1
    poll = staff_client.get(
        reverse("clients:job_progress", args=["handover", job.code]), HTTP_HX_REQUEST="true"
    )
    assert poll["HX-Refresh"] == "true" and "hx-get" not in poll.content.decode()
    page = staff_client.get(
        reverse("handover:handover_draft", args=[full_sprint.code])
    ).content.decode()
    assert reverse("handover:handover_download", args=[job.issued.code]) in page


def test_issue_without_a_signer_is_a_422_with_the_reason(
    staff_client, full_sprint, settings, tmp_path
):
    settings.HANDOVER_SIGNER_CERT_FILE = tmp_path / "absent.pem"
    response = staff_client.post(reverse("handover:handover_issue", args=[full_sprint.code]))
    assert response.status_code == 422
    assert "handover_keygen" in response.content.decode()


def test_download_is_the_signed_pdf_for_staff_and_own_founder(client, issued, founder, consultant):
    url = reverse("handover:handover_download", args=[issued.code])
    for user in (consultant, founder):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content)[:5] == b"%PDF-"


@pytest.mark.parametrize("who", ["founder_b", "outsider"])
def test_other_clients_founders_get_404_on_download_and_acknowledge(client, issued, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("handover:handover_download", args=[issued.code])).status_code == 404
    assert (
        client.post(reverse("handover:handover_acknowledge", args=[issued.code])).status_code == 404
    )
    assert (
        client.get(reverse("clients:portal_sprint", args=[issued.sprint.code])).status_code == 404
    )


def test_older_versions_stay_downloadable_for_staff_only(
    client, issued, full_sprint, consultant, founder
):
    handover_issue(sprint=full_sprint, by=consultant)
    url = reverse("handover:handover_download", args=[issued.code])
    client.force_login(founder)
    assert client.get(url).status_code == 404
    client.force_login(consultant)
    assert client.get(url).status_code == 200


def test_founder_sees_the_handover_on_the_portal_and_acknowledges_receipt(founder_client, issued):
    portal = founder_client.get(
        reverse("clients:portal_sprint", args=[issued.sprint.code])
    ).content.decode()
    assert reverse("handover:handover_download", args=[issued.code]) in portal
    assert "I have received the handover" in portal
    response = founder_client.post(reverse("handover:handover_acknowledge", args=[issued.code]))
    assert response.status_code == 302
    issued.refresh_from_db()
    assert (
        issued.acknowledged_at is not None
        and issued.acknowledged_by.username == "founder@acme.test"
    )
    first = issued.acknowledged_at
    founder_client.post(reverse("handover:handover_acknowledge", args=[issued.code]))
    issued.refresh_from_db()
    assert issued.acknowledged_at == first  # the first confirmation is the one on record
    assert (
        "You confirmed you received it"
        in founder_client.get(
            reverse("clients:portal_sprint", args=[issued.sprint.code])
        ).content.decode()
    )
    assert issued.sprint.activities.filter(kind="handover.acknowledged").count() == 1


def test_staff_cannot_acknowledge_for_the_founder(staff_client, issued):
    staff_client.post(reverse("handover:handover_acknowledge", args=[issued.code]))
    issued.refresh_from_db()
    assert issued.acknowledged_at is None


def test_portal_shows_no_draft_before_issue(founder_client, full_sprint):
    page = founder_client.get(
        reverse("clients:portal_sprint", args=[full_sprint.code])
    ).content.decode()
    assert "your consultant issues a signed handover" in page
    assert (
        "handover_draft" not in page
        and "/handover/" not in page.split("verify")[0].split("portal")[-1]
    )


def _upload(client, data: bytes, name: str = "copy.pdf"):
    return client.post(
        reverse("handover:handover_verify"),
        {"file": SimpleUploadedFile(name, data, "application/pdf")},
    )


def test_verify_page_confirms_a_genuine_copy_for_the_founder(founder_client, issued):
    response = _upload(founder_client, issued.file.read())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Genuine and current" in html and "version 1" in html and "Acme Coaching" in html


def test_verify_page_rejects_a_changed_copy(staff_client, issued):
    data = bytearray(issued.file.read())
    data[2000] ^= 0x01
    html = _upload(staff_client, bytes(data)).content.decode()
    assert "Altered after signing" in html


def test_verify_page_does_not_name_another_clients_client(client, founder_b, issued):
    client.force_login(founder_b)
    html = _upload(client, issued.file.read()).content.decode()
    assert "Genuine and current" in html and "Acme Coaching" not in html


def test_verify_page_refuses_oversized_uploads_with_422(staff_client, settings):
    settings.HANDOVER_VERIFY_MAX_BYTES = 1024
    response = _upload(staff_client, b"%PDF-" + b"0" * 200_000)
    assert response.status_code == 422
    assert "larger than" in response.content.decode()


def test_verify_page_without_a_file_is_422(staff_client):
    assert staff_client.post(reverse("handover:handover_verify"), {}).status_code == 422


def test_verify_page_needs_a_login_and_csrf(client, founder):
    assert client.get(reverse("handover:handover_verify")).status_code == 302
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(founder)
    response = strict.post(
        reverse("handover:handover_verify"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-")}
    )
    assert response.status_code == 403


def test_staff_sprint_page_links_to_the_handover(staff_client, issued):
    html = staff_client.get(
        reverse("clients:sprint_detail", args=[issued.sprint.code])
    ).content.decode()
    assert reverse("handover:handover_draft", args=[issued.sprint.code]) in html
    assert "Version 1 issued" in html


def test_issued_rows_are_immutable_in_admin(staff_client, issued, consultant):
    consultant.is_superuser = True
    consultant.save()
    url = reverse("admin:handover_issuedhandover_change", args=[issued.pk])
    assert staff_client.post(url, {"version": 9}).status_code == 403
    assert IssuedHandover.objects.get(pk=issued.pk).version == 1
