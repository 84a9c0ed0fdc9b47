"""Disk full while the signed PDF is stored: the job fails with a sentence, no version is
recorded and no truncated file is left; with space again, "Try again" issues it. The
disk is a real one: a tiny tmpfs mounted for the test (skipped where mounting is not
allowed)."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from clients.jobs.models import JobStatus
from handover import services
from handover.models import IssueJob


@pytest.fixture
def full_disk(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        (mount / "filler").write_bytes(b"\0" * 4096)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_fails_the_job_with_a_sentence_and_try_again_issues_it(
    full_disk,
    settings,
    tmp_path,
    sprint_a,
    consultant,
    staff_client,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = full_disk
    job = IssueJob.objects.create(
        sprint=sprint_a, requested_by=consultant, override_reason="disk-full test"
    )
    services.handover_run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "The PDF could not be saved (No space left on device); nothing was issued. "
        "Free some disk space, then try again."
    )
    assert not sprint_a.handovers.exists()
    assert sorted(p.name for p in full_disk.rglob("*") if p.is_file()) == ["filler"]
    page = staff_client.get(
        reverse("handover:handover_draft", args=[sprint_a.code])
    ).content.decode()
    assert "No space left on device" in page and "Try again" in page

    settings.MEDIA_ROOT = tmp_path / "roomy"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("clients:job_try_again", args=["handover", job.code]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.issued.version == 1
