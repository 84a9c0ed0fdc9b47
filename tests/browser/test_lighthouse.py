"""Lighthouse audits of a loopback site: one run (the task's own path) audits a fast
page, a heavy one (a slow render-blocking script, a 4 MB image, an image from a private
address) and a route that redirects to a private address. Lighthouse runs are slow, so
the suite makes one run with three pages and checks everything about it in one test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checks.browser import services
from checks.browser.models import LighthouseAudit, LighthouseRun
from checks.evaluation import Status
from checks.evaluation.perf import lighthouse_verdict
from checks.models import DomainCheckSettings
from clients.jobs.models import JobStatus
from clients.models import Domain, DomainRole, Finding
from tests.browser.sites import ALLOWED_IP, PRIVATE_IP

pytestmark = pytest.mark.django_db


@pytest.fixture
def audited_client(guard_on, allowed_site, client_a, sprint_a):
    guard_on.LIGHTHOUSE_SCHEME = "http"
    guard_on.LAUNCHREADY_HTTP_PORT = allowed_site.port
    allowed_site.mode = "fast"
    client_a.domains.all().delete()
    domain = Domain.objects.create(client=client_a, hostname=ALLOWED_IP, role=DomainRole.CANONICAL)
    DomainCheckSettings.objects.create(domain=domain, key_routes=["/heavy", "/to-private"])
    return client_a


@pytest.mark.long
def test_lighthouse_run_stores_scores_passes_fast_fails_heavy_and_refuses_private(
    audited_client, sprint_a, consultant, allowed_site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # Huey is immediate in the tests
        run = services.lighthouse_run_request(sprint=sprint_a, by=consultant)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE, run.error
    audits = {a.route: a for a in LighthouseAudit.objects.filter(run=run)}
    assert set(audits) == {"/", "/heavy", "/to-private"}

    fast, heavy, private = audits["/"], audits["/heavy"], audits["/to-private"]
    for audit in (fast, heavy):
        assert audit.form_factor == "mobile"
        assert None not in (audit.performance, audit.accessibility, audit.best_practices, audit.seo)
        assert audit.lcp_ms and audit.tbt_ms is not None and audit.cls is not None
        assert audit.report
    assert fast.status == "pass", (fast.performance, fast.error)
    assert fast.performance >= fast.target == 85
    assert heavy.status == "fail"
    assert heavy.performance < 85
    # What to fix, biggest saving first, in plain words (the image and the script).
    assert len(heavy.opportunities) >= 2
    assert all(o["plain"] and o["savings_ms"] >= 0 for o in heavy.opportunities)
    assert {o["id"] for o in heavy.opportunities} & {
        "modern-image-formats",
        "uses-optimized-images",
    }

    # The guard: the image from the private address and the redirect's target were refused.
    assert any(r.startswith(f"{PRIVATE_IP}:") for r in heavy.refused)
    assert private.status == "error" and private.performance is None
    # The job's pages share one proxy; each audit keeps only its own refusals.
    assert fast.refused == []
    assert any(r.startswith(f"{PRIVATE_IP}:") for r in private.refused)
    assert allowed_site.private.hits == {}

    # The heavy page files a finding with its top three opportunities in plain words.
    finding = Finding.objects.get(sprint=sprint_a, source="perf.lighthouse")
    assert finding.target == heavy.url
    assert "Biggest gains: 1." in finding.evidence
    assert not Finding.objects.filter(
        sprint=sprint_a, source="perf.lighthouse", target=fast.url
    ).exists()


def _facts(**overrides):
    from checks.browser.lighthouse import LighthouseFacts, Opportunity

    base = dict(
        url="https://acme.test/",
        form_factor="mobile",
        scores={"performance": 60, "accessibility": 90, "best-practices": 80, "seo": 90},
        lcp_ms=5200,
        cls=0.02,
        tbt_ms=900,
        opportunities=tuple(
            Opportunity(f"op{i}", f"Title {i}", f"Plain advice {i}", 1000 - i, 0) for i in range(5)
        ),
    )
    return LighthouseFacts(**{**base, **overrides})


def test_verdict_fails_below_target_with_three_opportunities():
    result = lighthouse_verdict(_facts(), target=85)
    assert result.status == Status.FAIL
    assert "1. Plain advice 0" in result.summary and "3. Plain advice 2" in result.summary
    assert "Plain advice 3" not in result.summary
    assert result.evidence["opportunities"] == [
        "Plain advice 0",
        "Plain advice 1",
        "Plain advice 2",
    ]


@pytest.mark.parametrize(
    "score,target,status", [(85, 85, Status.PASS), (84, 85, Status.FAIL), (60, 50, Status.PASS)]
)
def test_verdict_against_the_maturity_target(score, target, status):
    facts = _facts(scores={"performance": score})
    assert lighthouse_verdict(facts, target=target).status == status


@pytest.mark.parametrize(
    "overrides",
    [
        {"error": "the browser run did not finish within its 120 s deadline"},
        {"error": "Lighthouse could not load the page: the network guard refused the page"},
        {"scores": {"performance": None}},
        {"scores": {}},
    ],
)
def test_verdict_is_error_never_pass_when_lighthouse_could_not_run(overrides):
    assert lighthouse_verdict(_facts(**overrides), target=0).status == Status.ERROR


def _audit(client, run, *, route="/", performance=90, at=None, report=""):
    return LighthouseAudit.objects.create(
        run=run, client=client, url=f"https://acme.test{route}", route=route,
        audited_at=at or timezone.now(), status="pass" if performance >= 85 else "fail",
        target=85, performance=performance, accessibility=95, best_practices=90, seo=92,
        lcp_ms=1800, cls=0.01, tbt_ms=40, report=report,
        opportunities=[{"id": "x", "plain": "Compress images", "savings_ms": 300}],
    )  # fmt: skip


def test_history_page_shows_chart_and_scores_to_staff_and_own_founder(
    staff_client, client_a, sprint_a, founder
):
    run = LighthouseRun.objects.create(sprint=sprint_a, status=JobStatus.DONE)
    now = timezone.now()
    for days, score in ((3, 60), (2, 75), (1, 91)):
        _audit(client_a, run, performance=score, at=now - timedelta(days=days))
    page = staff_client.get(reverse("lighthouse_client", args=[client_a.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "target 85" in html and "Run Lighthouse" in html
    staff_client.force_login(founder)
    html = staff_client.get(reverse("lighthouse_client", args=[client_a.code])).content.decode()
    assert "<svg" in html and "Run Lighthouse" not in html


def test_other_clients_founder_gets_404_for_page_and_report(
    client, client_a, sprint_a, founder_b, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "r.json.gz").write_bytes(b"x")
    run = LighthouseRun.objects.create(sprint=sprint_a, status=JobStatus.DONE)
    audit = _audit(client_a, run, report="r.json.gz")
    client.force_login(founder_b)
    assert client.get(reverse("lighthouse_client", args=[client_a.code])).status_code == 404
    assert client.get(reverse("lighthouse_report", args=[audit.code])).status_code == 404


def test_purge_deletes_old_audits_and_their_reports(client_a, sprint_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BROWSER_RETENTION_DAYS = 30
    (tmp_path / "old.json.gz").write_bytes(b"x")
    (tmp_path / "new.json.gz").write_bytes(b"x")
    run = LighthouseRun.objects.create(sprint=sprint_a, status=JobStatus.DONE)
    now = timezone.now()
    _audit(client_a, run, at=now - timedelta(days=31), report="old.json.gz")
    kept = _audit(
        client_a, run, route="/pricing", at=now - timedelta(days=29), report="new.json.gz"
    )
    assert services.browser_purge(now=now) == 1
    assert list(LighthouseAudit.objects.all()) == [kept]
    assert not (tmp_path / "old.json.gz").exists() and (tmp_path / "new.json.gz").exists()
