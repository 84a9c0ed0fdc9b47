"""Running checks from the sprint page: service, views, findings, Huey, stale runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from checks import services
from checks.models import CheckRun, DomainCheckSettings, RedirectRule
from clients.jobs.models import JobStatus as RunStatus
from clients.jobs.services import jobs_reap
from clients.models import Finding, FindingStatus
from tests.checks.servers import WEB_IP, add_good_domain


@pytest.fixture
def acme(lab, client_a):
    """client_a's acme.test, served well by the lab."""
    add_good_domain(lab, "acme.test")
    return client_a


def _run(sprint, consultant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.check_run_request(sprint=sprint, by=consultant)
    run.refresh_from_db()
    return run


def test_run_through_huey_stores_results_and_marks_done(
    acme, sprint_a, consultant, django_capture_on_commit_callbacks
):
    run = _run(sprint_a, consultant, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE
    assert run.progress_done == run.progress_total > 0
    ids = set(run.results.values_list("check_id", flat=True))
    assert {
        "dns.apex.resolves",
        "redirect.canonical",
        "tls.trusted",
        "http.hsts",
        "email.spf",
    } <= ids
    assert not run.results.filter(status="fail").exists()


def test_failure_becomes_finding_and_later_pass_verifies_it(
    lab, acme, sprint_a, consultant, django_capture_on_commit_callbacks
):
    lab.web.certs["acme.test"] = (("acme.test",), "expired")
    _run(sprint_a, consultant, django_capture_on_commit_callbacks)
    finding = Finding.objects.get(
        sprint=sprint_a, source="tls.expiry", target=f"acme.test ({WEB_IP})"
    )
    assert finding.status == FindingStatus.OPEN and finding.is_blocker
    assert "expired" in finding.evidence
    assert finding.founder_explanation

    lab.web.certs["acme.test"] = (("acme.test", "www.acme.test"), "valid")
    second = _run(sprint_a, consultant, django_capture_on_commit_callbacks)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.VERIFIED
    changes = services.run_changes(second)
    assert any(
        c.check_id == "tls.expiry" and c.before == "fail" and c.after == "pass" for c in changes
    )


def test_declared_redirects_and_health_url_are_checked(
    lab, acme, sprint_a, consultant, django_capture_on_commit_callbacks
):
    RedirectRule.objects.create(
        client=acme, source_url="http://acme.test/old-offer", target_url="https://acme.test/offer"
    )
    DomainCheckSettings.objects.create(
        domain=acme.domains.get(hostname="acme.test"), health_path="/missing-health"
    )
    run = _run(sprint_a, consultant, django_capture_on_commit_callbacks)
    declared = run.results.get(check_id="redirect.declared")
    assert declared.status == "fail" and "https://acme.test/offer" in declared.summary
    assert run.results.get(check_id="http.health").status == "fail"


def test_dns_servfail_is_error_and_files_no_finding(
    lab, acme, sprint_a, consultant, django_capture_on_commit_callbacks
):
    lab.zone.servfail.add("_dmarc.acme.test")
    run = _run(sprint_a, consultant, django_capture_on_commit_callbacks)
    dmarc = run.results.get(check_id="email.dmarc")
    assert dmarc.status == "error" and "SERVFAIL" in dmarc.summary
    assert not Finding.objects.filter(source="email.dmarc").exists()


def test_stale_run_is_marked_failed(sprint_a, consultant, settings):
    settings.CHECKS_STALE_SECONDS = 60
    run = CheckRun.objects.create(
        sprint=sprint_a,
        requested_by=consultant,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),
    )
    assert jobs_reap() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert jobs_reap() == 1
    run.refresh_from_db()
    assert (
        run.status == RunStatus.FAILED
        and run.error == "The worker stopped while running the checks; try again."
    )


def test_second_request_while_running_is_refused(sprint_a, consultant, client_a):
    CheckRun.objects.create(sprint=sprint_a, status=RunStatus.RUNNING, heartbeat_at=timezone.now())
    with pytest.raises(services.ServiceError):
        services.check_run_request(sprint=sprint_a, by=consultant)


def test_staff_presses_run_checks_and_sees_results(
    acme, sprint_a, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("checks:checks_run", args=[sprint_a.code]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    run = sprint_a.check_runs.get()
    page = staff_client.get(reverse("clients:sprint_detail", args=[sprint_a.code]))
    body = page.content.decode()
    assert "Automated checks" in body and "passed" in body
    assert "verified by checks" in body  # stage 1 items carry badges
    progress = staff_client.get(reverse("clients:job_progress", args=["checks", run.code]))
    assert progress.status_code == 200 and "every 1s" not in progress.content.decode()


def test_progress_polls_while_running(sprint_a, staff_client):
    run = CheckRun.objects.create(
        sprint=sprint_a,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),
        progress_total=10,
        progress_done=3,
    )
    url = reverse("clients:job_progress", args=["checks", run.code])
    body = staff_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body and "3 of 10" in body


def test_run_without_domains_is_refused_with_422(sprint_a, staff_client, client_a):
    client_a.domains.all().delete()
    response = staff_client.post(
        reverse("checks:checks_run", args=[sprint_a.code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422


def test_founder_and_outsider_get_404(client, founder, founder_b, outsider, sprint_a, sprint_b):
    run = CheckRun.objects.create(sprint=sprint_b)
    for user in (founder, outsider):
        client.force_login(user)
        assert client.post(reverse("checks:checks_run", args=[sprint_b.code])).status_code == 404
        assert (
            client.get(reverse("clients:job_progress", args=["checks", run.code])).status_code
            == 404
        )


def test_a_run_is_not_found_under_another_kind(staff_client, sprint_b):
    run = CheckRun.objects.create(sprint=sprint_b)
    assert (
        staff_client.get(reverse("clients:job_progress", args=["scan", run.code])).status_code
        == 404
    )


def test_redirect_map_and_domain_settings_on_client_page(staff_client, client_a):
    add = staff_client.post(
        reverse("checks:checks_redirect_add", args=[client_a.code]),
        {"source_url": "https://acme.test/spring", "target_url": "https://acme.test/offer"},
    )
    assert add.status_code == 302
    bad = staff_client.post(
        reverse("checks:checks_redirect_add", args=[client_a.code]),
        {"source_url": "nope", "target_url": ""},
    )
    assert bad.status_code == 422
    domain = client_a.domains.get(hostname="acme.test")
    prefix = f"d{domain.pk}"
    ok = staff_client.post(
        reverse("checks:checks_domain_settings", args=[domain.code]),
        {
            f"{prefix}-dkim_selectors": "s1, google",
            f"{prefix}-health_path": "/healthz",
            f"{prefix}-key_routes": "/pricing",
        },
    )
    assert ok.status_code == 302
    assert domain.check_settings.dkim_selectors == ["s1", "google"]
    bad = staff_client.post(
        reverse("checks:checks_domain_settings", args=[domain.code]),
        {f"{prefix}-health_path": "no slash"},
    )
    assert bad.status_code == 422
    page = staff_client.get(reverse("clients:client_detail", args=[client_a.code])).content.decode()
    assert "https://acme.test/spring" in page and "Redirect map" in page


def test_founder_cannot_touch_other_clients_redirect_map(client, founder, client_b):
    client.force_login(founder)
    rule = RedirectRule.objects.create(
        client=client_b, source_url="https://b.test/x", target_url="https://b.test/y"
    )
    assert (
        client.post(reverse("checks:checks_redirect_add", args=[client_b.code]), {}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("checks:checks_redirect_delete", args=[client_b.code, rule.code])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("checks:checks_domain_settings", args=[client_b.domains.first().code]), {}
        ).status_code
        == 404
    )
