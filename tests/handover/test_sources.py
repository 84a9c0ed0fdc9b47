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


def test_the_appendix_lists_the_newest_page_speed_audit_of_each_route_home_first(
    client_a, sprint_a
):
    from datetime import timedelta

    from django.utils import timezone

    from checks.browser.models import LighthouseAudit, LighthouseRun
    from checks.browser.selectors import PageSpeedRow
    from handover.sections import build_handover

    run = LighthouseRun.objects.create(sprint=sprint_a, status=JobStatus.DONE)
    now = timezone.now()
    for route, days, score, error in (
        ("/pricing", 1, None, "the page did not load"),
        ("/", 3, 60, ""),
        ("/", 1, 91, ""),
    ):
        LighthouseAudit.objects.create(
            run=run, client=client_a, url=f"https://acme.test{route}", route=route,
            audited_at=now - timedelta(days=days), target=85, performance=score,
            status="error" if error else ("pass" if score >= 85 else "fail"), error=error,
        )  # fmt: skip
    rows = build_handover(sprint_a).section("appendix").data["page_speed"]
    assert all(isinstance(r, PageSpeedRow) for r in rows)
    assert [(r.route, r.status, r.performance, r.error) for r in rows] == [
        ("/", "pass", 91, ""),
        ("/pricing", "error", None, "the page did not load"),
    ]
