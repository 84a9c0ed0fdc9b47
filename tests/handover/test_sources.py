"""The handover reads other apps through typed selectors; a source that breaks fails
the issue job loudly, never printing "not recorded" in a signed PDF."""

from __future__ import annotations

import pytest

from clients.jobs.models import JobStatus
from handover import services, sources
from handover.models import IssueJob


def test_a_broken_source_fails_the_issue_job_instead_of_printing_not_recorded(
    monkeypatch, sprint_a, consultant
):
    def renamed_field(*args, **kwargs):
        raise AttributeError("'Monitor' object has no attribute 'interval_seconds'")

    monkeypatch.setattr(sources, "monitor_rows", renamed_field)
    job = IssueJob.objects.create(sprint=sprint_a, requested_by=consultant, override_reason="t")
    with pytest.raises(AttributeError):
        services.handover_run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "AttributeError" in job.error
    assert not sprint_a.handovers.exists()


def test_certificates_are_one_row_per_name_from_evidence_not_the_display_target():
    from datetime import UTC, datetime

    def row(check, address, **evidence):
        return sources.CheckRow(
            check=check,
            target=f"shop.test ({address})",
            status="pass",
            summary="fine",
            checked_at=datetime(2026, 1, 1, tzinfo=UTC),
            evidence=evidence,
            host="shop.test",
        )

    rows = [
        row("tls.trusted", "192.0.2.1", issuer="Test CA"),
        row("tls.expiry", "192.0.2.1", not_after="2026-09-01T00:00:00+00:00"),
        row("tls.expiry", "2001:db8::1", not_after="2026-06-01T00:00:00+00:00"),
    ]
    (cert,) = sources.certificates(rows)
    assert (cert.hostname, cert.issuer, str(cert.expires)) == ("shop.test", "Test CA", "2026-06-01")


def test_every_tls_result_names_its_host_in_evidence():
    from datetime import UTC, datetime

    from checks.evaluation import tls
    from checks.net import TlsFacts

    facts = TlsFacts("shop.test", "192.0.2.1", error="connection refused")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for result in (tls.trusted(facts), tls.expiry(facts, now)):
        assert result.target == "shop.test (192.0.2.1)"
        assert result.evidence["host"] == "shop.test"
