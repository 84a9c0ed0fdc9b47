"""The signed PDF validates with pyHanko's CLI and poppler's pdfsig, and changing one
byte in the signed range makes both, and the app's own verification, fail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from clients.services import ServiceError
from handover.rendering import render_pdf
from handover.sections import build_handover
from handover.services import handover_issue
from handover.signing import keygen, sign_pdf, signer_info
from handover.verification import verify_pdf
from tests.handover.conftest import pyhanko_validate, run


def _pyhanko_validate(pdf: Path, cert: Path):
    return pyhanko_validate(pdf, cert, "--pretty-print")


def _flip_byte_in_signed_range(data: bytes) -> bytes:
    """Flip one byte inside the first signed range, in the middle of a content stream
    (so the PDF still parses and the signature check itself must catch it)."""
    start, _len1, _start2, _len2 = map(
        int, re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", data).groups()
    )
    stream = data.index(b"stream\n", data.index(b"/Length")) + len(b"stream\n")
    position = stream + 40
    assert start <= position < _len1
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    return bytes(tampered)


@pytest.fixture
def signed_file(issued, tmp_path) -> Path:
    path = tmp_path / "handover.pdf"
    path.write_bytes(issued.file.read())
    return path


@pytest.fixture
def tampered_file(signed_file, tmp_path) -> Path:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(_flip_byte_in_signed_range(signed_file.read_bytes()))
    return path


def test_signed_pdf_validates_with_pyhanko_cli_trusting_the_test_signer(signed_file, signer_files):
    result = _pyhanko_validate(signed_file, signer_files[0])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sam Rivera (test signer)" in result.stdout
    assert "The signature is cryptographically sound" in result.stdout
    assert "trusted" in result.stdout.lower() and "untrusted" not in result.stdout.lower()
    assert "covers the entire file" in result.stdout.lower()


def test_signed_pdf_validates_with_pdfsig(signed_file):
    result = run("pdfsig", str(signed_file))
    # pdfsig exits 0 even on a digest mismatch: read what it says.
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout
    assert "Total document signed" in result.stdout
    assert "ETSI.CAdES.detached" in result.stdout  # PAdES


def test_app_verification_accepts_the_issued_file(signed_file, issued):
    verdict = verify_pdf(signed_file.read_bytes())
    assert verdict.valid and verdict.issued == issued
    assert "version 1" in verdict.headline


def test_one_flipped_byte_fails_pyhanko_pdfsig_and_the_app(tampered_file, signer_files):
    cli = _pyhanko_validate(tampered_file, signer_files[0])
    assert cli.returncode != 0 or "INTACT:UNTOUCHED" not in cli.stdout
    assert "cryptographically sound" not in cli.stdout
    sig = run("pdfsig", str(tampered_file))
    assert "Signature is Valid" not in sig.stdout
    assert "Digest Mismatch" in sig.stdout, sig.stdout
    verdict = verify_pdf(tampered_file.read_bytes())
    assert not verdict.valid
    assert not verdict.signature_intact
    assert any("changed after signing" in r for r in verdict.reasons)


def test_file_signed_by_another_certificate_is_not_genuine(issued, full_sprint, tmp_path, settings):
    other = keygen(
        common_name="Impostor", cert_path=tmp_path / "o.pem", key_path=tmp_path / "o.key"
    )
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        other.cert_path,
        other.key_path,
    )
    forged = sign_pdf(render_pdf(build_handover(full_sprint, version=1)), reason="forged")
    settings.HANDOVER_SIGNER_CERT_FILE = (
        tmp_path / "missing.pem"
    )  # only certificates on record count
    verdict = verify_pdf(forged)
    assert not verdict.valid and verdict.signature_intact and not verdict.signature_trusted


def test_handover_verify_command_exits_0_for_valid_and_1_for_tampered(
    signed_file, tampered_file, capsys
):
    call_command("handover_verify", str(signed_file))
    assert "VALID" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        call_command("handover_verify", str(tampered_file))
    assert exit_info.value.code == 1
    assert "NOT VALID" in capsys.readouterr().err


def test_passphrase_protected_key_signs(full_sprint, consultant, tmp_path, settings):
    settings.HANDOVER_SIGNER_PASSPHRASE = "correct horse"
    result = keygen(
        common_name="Locked signer",
        passphrase="correct horse",
        cert_path=tmp_path / "c.pem",
        key_path=tmp_path / "k.pem",
    )
    assert b"ENCRYPTED" in result.key_path.read_bytes()
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        result.cert_path,
        result.key_path,
    )
    issued = handover_issue(sprint=full_sprint, by=consultant)
    assert issued.signer_name == "Locked signer"
    assert verify_pdf(issued.file.read()).valid


def test_wrong_passphrase_is_reported_not_crashed(
    full_sprint, consultant, tmp_path, settings, monkeypatch
):
    result = keygen(
        common_name="Locked",
        passphrase="right",
        cert_path=tmp_path / "c.pem",
        key_path=tmp_path / "k.pem",
    )
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        result.cert_path,
        result.key_path,
    )
    settings.HANDOVER_SIGNER_PASSPHRASE = "wrong"
    rendered = []
    monkeypatch.setattr("handover.services.render_pdf", lambda document: rendered.append(1))
    with pytest.raises(ServiceError, match="HANDOVER_SIGNER_PASSPHRASE"):
        handover_issue(sprint=full_sprint, by=consultant)
    # Refused before the document was rendered: no version, no file, no log line.
    assert rendered == [] and not full_sprint.handovers.exists()
    assert not full_sprint.activities.filter(kind="handover.issued").exists()


def test_missing_signer_is_a_clear_error(full_sprint, consultant, settings, tmp_path):
    settings.HANDOVER_SIGNER_CERT_FILE = tmp_path / "nope.pem"
    with pytest.raises(ServiceError, match="handover_keygen"):
        handover_issue(sprint=full_sprint, by=consultant)


def test_keygen_says_self_signed_and_if_missing_keeps_existing(tmp_path, settings, capsys):
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        tmp_path / "s.pem",
        tmp_path / "s.key",
    )
    call_command("handover_keygen", "--if-missing", "--name", "Demo")
    out = capsys.readouterr().out
    assert "SELF-SIGNED" in out and "Demo" in out
    assert signer_info().self_signed
    before = (tmp_path / "s.pem").read_bytes()
    call_command("handover_keygen", "--if-missing")
    assert "nothing to do" in capsys.readouterr().out
    assert (tmp_path / "s.pem").read_bytes() == before
    assert oct((tmp_path / "s.key").stat().st_mode & 0o777) == "0o600"
