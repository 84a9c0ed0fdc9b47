"""Every way a copy can differ from what was issued gets its own verdict, with the
right reason, from the verification page and `handover_verify` alike; the checks
docs/handover.md gives for outside the app fail on every tampered copy; and a
timestamp from a real RFC 3161 authority on loopback validates."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from clients.services import ServiceError
from handover.rendering import render_pdf
from handover.sections import build_handover
from handover.services import handover_issue
from handover.signing import keygen, sign_pdf
from handover.verification import verify_pdf
from tests.handover.conftest import pdf_text, pyhanko_validate, run
from tests.handover.test_signature import _flip_byte_in_signed_range
from tests.handover.tsa import start_tsa


def _incremental_update(data: bytes) -> bytes:
    """Append a revision that draws a new sentence on page one, as an editor would."""
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    stream = generic.StreamObject(
        stream_data=b"BT /FX 14 Tf 60 60 Td (Everything is fixed, no risks left.) Tj ET"
    )
    writer.add_stream_to_page(
        0,
        writer.add_object(stream),
        resources=generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/FX"): writer.add_object(font)}
                ),
            }
        ),
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _forgery(full_sprint, settings, tmp_path) -> bytes:
    """Re-rendered and re-signed with a new self-signed certificate of the same name."""
    fake = keygen(
        common_name="Sam Rivera (test signer)",
        cert_path=tmp_path / "f.pem",
        key_path=tmp_path / "f.key",
    )
    real = settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        fake.cert_path,
        fake.key_path,
    )
    forged = sign_pdf(render_pdf(build_handover(full_sprint, version=1)), reason="forged")
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = real
    return forged


# The issued file is the same in every test (tests/handover/conftest.py signs it once a
# session), so its tampered copies are made once too (two renders and a signature).
_CASES: dict[str, dict[str, bytes]] = {}


@pytest.fixture
def cases(issued, full_sprint, settings, tmp_path) -> dict[str, bytes]:
    genuine = Path(issued.file.path).read_bytes()
    key = hashlib.sha256(genuine).hexdigest()
    if key not in _CASES:
        _CASES[key] = {
            "byte flip": _flip_byte_in_signed_range(genuine),
            "incremental update": _incremental_update(genuine),
            "truncation": genuine[:-300],
            "re-signed forgery": _forgery(full_sprint, settings, tmp_path),
            "unsigned": render_pdf(build_handover(full_sprint, version=1)),
            "not a PDF": b"PK\x03\x04 this is a zip file, not a handover",
        }
    return _CASES[key]


EXPECTED = {
    "byte flip": ("altered", "Broken digest"),
    "incremental update": ("altered", "Incremental update"),
    "truncation": ("altered", "Truncated"),
    "re-signed forgery": ("other_signer", "same name as ours"),
    "unsigned": ("unsigned", "no digital signature"),
    "not a PDF": ("not_pdf", "PDF header"),
}


def test_every_tampering_case_gets_its_own_verdict_and_reason(cases):
    for name, data in cases.items():
        verdict = verify_pdf(data)
        outcome, reason = EXPECTED[name]
        assert verdict.outcome == outcome, (name, verdict)
        assert not verdict.valid, name
        assert any(reason in r for r in verdict.reasons), (name, verdict.reasons)


def test_altered_copy_signed_with_our_certificate_is_not_called_someone_elses(cases):
    for name in ("byte flip", "incremental update"):
        verdict = verify_pdf(cases[name])
        assert not any(
            "not Launch Ready's" in r or "not one Launch Ready" in r for r in verdict.reasons
        ), name


def test_superseded_version_names_the_version_that_replaces_it(issued, full_sprint, consultant):
    handover_issue(sprint=full_sprint, by=consultant)
    third = handover_issue(sprint=full_sprint, by=consultant)
    verdict = verify_pdf(Path(issued.file.path).read_bytes())
    assert verdict.outcome == "superseded" and verdict.valid and not verdict.current
    assert "replaced by version 3" in verdict.headline
    assert f"{third.issued_at:%d %b %Y %H:%M}" in verdict.headline
    assert verify_pdf(Path(third.file.path).read_bytes()).outcome == "genuine"


def test_handover_verify_command_reports_each_verdict(
    cases, issued, full_sprint, consultant, tmp_path, capsys
):
    for name, data in cases.items():
        path = tmp_path / "copy.pdf"
        path.write_bytes(data)
        with pytest.raises(SystemExit) as exit_info:
            call_command("handover_verify", str(path))
        assert exit_info.value.code == 1, name
        err = capsys.readouterr().err
        assert f"NOT VALID ({EXPECTED[name][0]})" in err and EXPECTED[name][1] in err, (name, err)
    original = tmp_path / "v1.pdf"
    original.write_bytes(Path(issued.file.path).read_bytes())
    call_command("handover_verify", str(original))
    assert "VALID (genuine)" in capsys.readouterr().out
    handover_issue(sprint=full_sprint, by=consultant)
    with pytest.raises(SystemExit) as exit_info:
        call_command("handover_verify", str(original))
    assert exit_info.value.code == 2
    assert "SUPERSEDED (superseded)" in capsys.readouterr().err


def test_verify_page_shows_each_verdict(client, founder, cases, issued, full_sprint, consultant):
    client.force_login(founder)
    titles = {
        "altered": "Altered after signing",
        "other_signer": "Signed by someone else",
        "unsigned": "Not signed",
        "not_pdf": "Not a PDF",
    }
    for name, data in cases.items():
        upload = BytesIO(data)
        upload.name = "copy.pdf"
        html = client.post(reverse("handover:handover_verify"), {"file": upload}).content.decode()
        outcome, reason = EXPECTED[name]
        assert f'data-outcome="{outcome}"' in html and titles[outcome] in html and reason in html, (
            name
        )
    handover_issue(sprint=full_sprint, by=consultant)
    upload = BytesIO(Path(issued.file.path).read_bytes())
    upload.name = "v1.pdf"
    html = client.post(reverse("handover:handover_verify"), {"file": upload}).content.decode()
    assert 'data-outcome="superseded"' in html and "replaced by a newer version" in html


# ---------------------------------------------------------------- outside the app


def outside_check(path: Path, cert: Path) -> bool:
    """The checks docs/handover.md tells a reader to run without the app: pdfsig shows
    exactly one signature, valid, over the total document; and pyHanko, trusting only
    the consultant's certificate, validates it (exit status 0)."""
    sig = run("pdfsig", str(path)).stdout
    pdfsig_ok = (
        sig.count("Signature #") == 1
        and "Signature Validation: Signature is Valid." in sig
        and "Total document signed" in sig
    )
    hanko = pyhanko_validate(path, cert, "--no-diff-analysis")
    return pdfsig_ok and hanko.returncode == 0


def test_outside_checks_from_the_docs_pass_the_genuine_file_and_fail_every_tampered_one(
    cases, issued, signer_files, tmp_path
):
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(Path(issued.file.path).read_bytes())
    assert outside_check(genuine, signer_files[0])
    for name, data in cases.items():
        path = tmp_path / f"{name.replace(' ', '-')}.pdf"
        path.write_bytes(data)
        assert not outside_check(path, signer_files[0]), name


# ---------------------------------------------------------------- trusted time


@pytest.fixture
def tsa(tmp_path, settings):
    authority = start_tsa(tmp_path)
    settings.HANDOVER_TSA_URL = authority.url
    settings.HANDOVER_TSA_TRUST_FILES = [str(authority.root_pem)]
    yield authority
    authority.stop()


def test_timestamp_from_the_loopback_tsa_validates_and_is_reported(
    tsa, full_sprint, consultant, tmp_path, capsys
):
    issued = handover_issue(sprint=full_sprint, by=consultant)
    assert tsa.requests, "the TSA was never asked"
    assert (
        issued.timestamp_at is not None
        and "Loopback Timestamp Authority" in issued.timestamp_authority
    )
    data = Path(issued.file.path).read_bytes()
    # pyHanko on its own, trusting the TSA's root: the token is intact, valid and trusted.
    from asn1crypto import pem, x509

    root = x509.Certificate.load(pem.unarmor(tsa.root_pem.read_bytes())[2])
    sig = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    status = validate_pdf_signature(
        sig,
        ValidationContext(allow_fetching=False),
        ts_validation_context=ValidationContext(trust_roots=[root]),
        skip_diff=True,
    )
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    verdict = verify_pdf(data)
    assert verdict.outcome == "genuine" and verdict.timestamp.valid and verdict.timestamp.trusted
    assert any("Timestamped" in r and "independent proof" in r for r in verdict.reasons)
    path = tmp_path / "stamped.pdf"
    path.write_bytes(data)
    call_command("handover_verify", str(path))
    out = capsys.readouterr().out
    assert (
        "Timestamp:" in out and "Loopback Timestamp Authority" in out and "(valid, trusted)" in out
    )
    assert "independent timestamp authority" in " ".join(pdf_text(path).split())


def test_without_a_tsa_the_pdf_and_the_verdict_say_the_time_is_the_signers_claim(
    issued, tmp_path, capsys
):
    path = tmp_path / "plain.pdf"
    path.write_bytes(Path(issued.file.path).read_bytes())
    assert "the signer's own claim" in " ".join(pdf_text(path).split())
    verdict = verify_pdf(path.read_bytes())
    assert verdict.timestamp is None and any("signer's own claim" in r for r in verdict.reasons)
    call_command("handover_verify", str(path))
    assert "Timestamp: none (the signing time is the signer's own claim)" in capsys.readouterr().out


def test_unreachable_tsa_fails_the_issue_naming_the_setting(full_sprint, consultant, settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.HANDOVER_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    with pytest.raises(ServiceError, match="HANDOVER_TSA_URL"):
        handover_issue(sprint=full_sprint, by=consultant)
    assert not full_sprint.handovers.exists()
