"""The secrets screens: staff record and map, founders read their own inventory only,
and never see a scan hit's fingerprint or preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checks.secrets import services
from checks.secrets.models import EnvVar, ExposedKey, ScanRun, SecretRecord
from clients.models import FindingStatus
from tests.secrets.test_forms_admin import GOOD_RECORD, PASTED


@pytest.fixture
def scanned(planted_repo, client_a, sprint_a, consultant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(client=client_a, by=consultant, source=str(planted_repo.path))
    run.refresh_from_db()
    return run


def test_staff_records_a_secret(staff_client, client_a):
    response = staff_client.post(
        reverse("secrets:secrets_record_new", args=[client_a.code]), GOOD_RECORD
    )
    assert response.status_code == 302
    record = SecretRecord.objects.get(client=client_a)
    assert record.name == "STRIPE_SECRET_KEY" and record.environments == ["production", "staging"]
    page = staff_client.get(reverse("secrets:secrets_inventory", args=[client_a.code]))
    assert b"STRIPE_SECRET_KEY" in page.content


def test_failed_post_rerenders_with_422_keeping_typed_values_but_not_the_secret(
    staff_client, client_a
):
    data = {**GOOD_RECORD, "notes": f"the key is {PASTED[0]}"}
    response = staff_client.post(reverse("secrets:secrets_record_new", args=[client_a.code]), data)
    assert response.status_code == 422
    assert b"Launch Ready never stores secret values" in response.content
    assert b"Charging customers, refunds" in response.content  # what else was typed stays
    assert PASTED[0].encode() not in response.content
    assert not SecretRecord.objects.exists()


def test_edit_record(staff_client, client_a):
    record = SecretRecord.objects.create(client=client_a, name="SMTP_PASSWORD", kind="smtp")
    url = reverse("secrets:secrets_record_edit", args=[record.code])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, {**GOOD_RECORD, "name": "SMTP_PASSWORD", "kind": "smtp", "exposure": "suspected"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.exposure == "suspected"


def test_sensitive_var_under_browser_prefix_is_a_launch_blocker(staff_client, client_a, sprint_a):
    data = {
        "name": "NEXT_PUBLIC_STRIPE_SECRET_KEY",
        "environments": "production",
        "phase": "build",
        "sensitive": "on",
        "owner": "Ann",
        "notes": "",
    }
    assert (
        staff_client.post(
            reverse("secrets:secrets_envvar_new", args=[client_a.code]), data
        ).status_code
        == 302
    )
    finding = sprint_a.findings.get(source=services.ENV_SOURCE)
    assert finding.target == "NEXT_PUBLIC_STRIPE_SECRET_KEY"
    assert finding.impact == "1_blocker" and finding.status == FindingStatus.OPEN
    assert finding.stage.key == "secrets"
    # Renaming it to a server-only name verifies the finding.
    var = EnvVar.objects.get()
    response = staff_client.post(
        reverse("secrets:secrets_envvar_edit", args=[var.code]),
        {**data, "name": "STRIPE_SECRET_KEY"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.VERIFIED


@pytest.mark.parametrize(
    "prefix", ["VITE_", "REACT_APP_", "NUXT_PUBLIC_", "EXPO_PUBLIC_", "GATSBY_", "PUBLIC_"]
)
def test_every_browser_prefix_counts(client_a, sprint_a, consultant, prefix):
    var = EnvVar(client=client_a, name=f"{prefix}API_SECRET", environments=["production"])
    services.envvar_save(var=var, by=consultant)
    assert (
        sprint_a.findings.filter(source=services.ENV_SOURCE, status=FindingStatus.OPEN).count() == 1
    )


def test_public_values_under_browser_prefix_are_fine(client_a, sprint_a, consultant):
    for name in ["NEXT_PUBLIC_SITE_URL", "VITE_STRIPE_PUBLISHABLE_KEY"]:
        services.envvar_save(
            var=EnvVar(client=client_a, name=name, environments=["production"]), by=consultant
        )
    assert not sprint_a.findings.filter(source=services.ENV_SOURCE).exists()


def test_vars_mapped_before_the_sprint_get_their_finding_when_the_sprint_page_opens(
    staff_client, client_a, consultant
):
    EnvVar.objects.create(client=client_a, name="VITE_DB_PASSWORD", environments=["production"])
    from clients import services as client_services

    sprint = client_services.sprint_start(client=client_a, by=consultant)
    staff_client.get(reverse("clients:sprint_detail", args=[sprint.code]))
    assert sprint.findings.filter(source=services.ENV_SOURCE, target="VITE_DB_PASSWORD").exists()


def test_founder_reads_own_inventory_without_edit_links(founder_client, client_a):
    SecretRecord.objects.create(
        client=client_a, name="SENDGRID_API_KEY", kind="api_key", owner="Ann"
    )
    response = founder_client.get(reverse("secrets:secrets_inventory", args=[client_a.code]))
    assert response.status_code == 200
    assert b"SENDGRID_API_KEY" in response.content
    assert b"Record a secret" not in response.content and b"/edit/" not in response.content
    assert b"Repository scans" not in response.content


def test_founder_gets_404_for_other_clients_inventory(founder_client, client_b):
    assert (
        founder_client.get(reverse("secrets:secrets_inventory", args=[client_b.code])).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["secrets:secrets_record_new", "secrets:secrets_envvar_new"])
def test_founder_cannot_edit_own_inventory(founder_client, client_a, name):
    assert founder_client.get(reverse(name, args=[client_a.code])).status_code == 404


def test_founder_sees_that_keys_need_rotating_but_no_fingerprint_or_preview(
    scanned, founder, client, sprint_a
):
    client.force_login(founder)
    hits = list(scanned.hits.all())
    assert hits
    pages = [
        client.get(reverse("secrets:secrets_inventory", args=[scanned.client.code])),
        client.get(reverse("clients:portal_sprint", args=[sprint_a.code])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert b"need" in page.content and b"rotating" in page.content
        for hit in hits:
            assert hit.fingerprint[:12].encode() not in page.content
            assert hit.preview.encode() not in page.content
    assert (
        client.get(reverse("secrets:secrets_scan_detail", args=[scanned.code])).status_code == 404
    )
    assert (
        client.get(reverse("clients:job_progress", args=["scan", scanned.code])).status_code == 404
    )


def test_findings_name_keys_by_code_not_fingerprint(scanned, sprint_a):
    fingerprints = set(scanned.hits.values_list("fingerprint", flat=True))
    for finding in sprint_a.findings.filter(source=services.SCAN_SOURCE):
        assert not any(
            fp[:8] in finding.target + finding.evidence + finding.title for fp in fingerprints
        )
    for activity in sprint_a.activities.all():
        assert not any(fp[:8] in activity.message for fp in fingerprints)


def test_staff_scan_flow_with_progress_partial_and_allowlist(
    staff_client, planted_repo, client_a, sprint_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("secrets:secrets_scan_start", args=[client_a.code]),
            {"source": str(planted_repo.path)},
        )
    assert response.status_code == 302
    run = ScanRun.objects.get()
    partial = staff_client.get(reverse("secrets:secrets_scan_detail", args=[run.code]))
    assert (
        partial.status_code == 200 and b"hx-trigger" not in partial.content
    )  # finished: polling stops
    assert b"sk\xe2\x80\xa6dc" in partial.content  # redacted preview for staff
    hit = run.hits.get(rule="stripe-key")
    response = staff_client.post(
        reverse("secrets:secrets_scan_allow", args=[run.code]),
        {"hit": hit.code, "reason": "Revoked sample key"},
    )
    assert response.status_code == 302
    assert client_a.secret_allowlist.get().fingerprint == hit.fingerprint


def test_running_scan_partial_keeps_polling(staff_client, client_a):
    run = ScanRun.objects.create(
        client=client_a,
        source="https://example.com/r.git",
        status="running",
        progress_phase="history",
        progress_done=50,
        progress_total=200,
    )
    partial = staff_client.get(reverse("clients:job_progress", args=["scan", run.code]))
    assert b'hx-trigger="every 1s"' in partial.content and b'aria-valuenow="25"' in partial.content


@pytest.mark.parametrize(
    "source",
    [
        "file:///etc",
        "ext::sh -c touch% /tmp/pwned",
        "--upload-pack=touch /tmp/x",
        "https://user:hunter2pass@github.com/a/b.git",
        "/etc",
        "ftp://example.com/repo.git",
        "https://github.com/acme/app.git?token=" + "ghp_" + "A" * 36,
    ],
)
def test_scan_form_refuses_unsafe_sources(staff_client, client_a, scan_root, source):
    response = staff_client.post(
        reverse("secrets:secrets_scan_start", args=[client_a.code]), {"source": source}
    )
    assert response.status_code == 422
    assert not ScanRun.objects.exists()


def test_scan_form_accepts_clone_urls(client_a, settings):
    from checks.secrets.probe import validate_source

    for url in [
        "https://github.com/acme/app.git",
        "git@github.com:acme/app.git",
        "ssh://git@gitlab.com/acme/app.git",
    ]:
        assert validate_source(url, local_roots=[]).kind == "remote"


def test_exposed_key_tracked_per_repository(scanned):
    assert ExposedKey.objects.filter(client=scanned.client, source=scanned.source).count() == 4
