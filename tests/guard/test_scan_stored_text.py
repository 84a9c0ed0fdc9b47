"""Data stored around the guard (raw SQL, a restored backup, rows from before it
existed) is found by `scan_stored_text`, redacted with --redact (each change logged),
and a signed PDF holding a value is listed and may then, and only then, be deleted."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from weasyprint import HTML

from clients.models import Activity, Client, Finding
from handover.models import IssuedHandover
from tests.guard.planted import PLANTED, leaked


def _raw_update(table: str, column: str, value: str, pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def _scan(*args: str) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("scan_stored_text", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _issued(sprint, version: int, text: str) -> IssuedHandover:
    pdf = HTML(string=f"<h1>Handover</h1><p>{text}</p>").write_pdf()
    issued = IssuedHandover(
        sprint=sprint,
        version=version,
        sha256=f"{version:0>64}",
        size=len(pdf),
        issued_at=timezone.now(),
        signer_name="Test",
        signer_subject="CN=Test",
        signer_fingerprint="00",
        signer_self_signed=True,
        signer_cert_pem="",
    )
    issued.file.save(f"v{version}.pdf", ContentFile(pdf), save=False)
    issued.save()
    return issued


def test_a_clean_database_exits_zero(sprint_a, media):
    code, out = _scan()
    assert code == 0 and "No stored secret values found" in out


def test_values_written_around_the_guard_are_found_with_table_column_row_and_rule(
    sprint_a, consultant, media
):
    from clients import services

    finding = services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=sprint_a.stages.first(),
        title="Old note",
        impact="3_cleanup",
    )
    _raw_update("clients_finding", "evidence", f"key was {PLANTED['stripe']}", finding.pk)
    _raw_update("clients_client", "staff_notes", PLANTED["github"], sprint_a.client.pk)
    code, out = _scan("--json")
    assert code == 1
    report = json.loads(out)
    found = {(h["table"], h["column"], h["row"], h["rule"]) for h in report["hits"]}
    assert ("clients_finding", "evidence", finding.code, "stripe-key") in found
    assert ("clients_client", "staff_notes", sprint_a.client.code, "github-token") in found
    assert not leaked(out)  # previews are redacted


def test_redact_replaces_each_value_and_logs_it_on_the_sprint(sprint_a, consultant, media):
    _raw_update(
        "clients_client", "staff_notes", f"token {PLANTED['github']} here", sprint_a.client.pk
    )
    code, _out = _scan("--redact")
    assert code == 1  # it reports what it found, and fixes it
    notes = Client.objects.get(pk=sprint_a.client.pk).staff_notes
    assert not leaked(notes) and notes.startswith("token gh") and notes.endswith(" here")
    entry = Activity.objects.filter(sprint=sprint_a, kind="guard.redacted").get()
    assert "clients.Client.staff_notes" in entry.message and not entry.visible_to_founder
    assert _scan()[0] == 0


def test_issued_pdfs_holding_a_value_are_listed_and_only_those_may_be_deleted(
    sprint_a, consultant, media
):
    clean = _issued(sprint_a, 1, "Everything is live.")
    exposed = _issued(sprint_a, 2, f"Stripe key {PLANTED['stripe']}")
    code, out = _scan("--json")
    assert code == 1
    listed = json.loads(out)["handover_pdfs"]
    assert [p["handover"] for p in listed] == [exposed.code]
    assert not leaked(out)

    with pytest.raises(CommandError, match="holds no secret value"):
        call_command("handover_delete_exposed", clean.code, "--by", consultant.username)
    call_command("handover_delete_exposed", exposed.code, "--by", consultant.username)
    assert list(IssuedHandover.objects.values_list("version", flat=True)) == [1]
    assert Activity.objects.filter(sprint=sprint_a, kind="handover.deleted").count() == 1
    assert _scan()[0] == 0


def test_findings_written_through_the_orm_never_need_the_sweep(sprint_a, consultant):
    from django.db import transaction

    from launchready.guard.fields import SecretValueRefused

    with pytest.raises(SecretValueRefused), transaction.atomic():
        Finding.objects.create(
            sprint=sprint_a, stage=sprint_a.stages.first(), title="x", evidence=PLANTED["pem"]
        )
