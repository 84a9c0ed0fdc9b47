"""A signer whose certificate a CA issued (the production case, unlike the self-signed
demo key): the chain goes into the signature, pdfsig trusts it through an NSS store
holding only the test CA, and the app stops calling the signer self-signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from handover.services import handover_issue
from handover.signing import signer_info
from handover.verification import verify_pdf
from tests.handover.conftest import run


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Launch Ready tests"),
        ]
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.fixture(scope="module")
def ca_issued_signer(tmp_path_factory) -> dict[str, Path]:
    """A test CA and a document-signing certificate it issued, written as PEM files."""
    base = tmp_path_factory.mktemp("ca")
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Launch Ready Test CA"))
        .issuer_name(_name("Launch Ready Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Sam Rivera (CA-issued test signer)"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": base / "ca.pem", "cert": base / "signer.pem", "key": base / "signer.key"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"correct horse"),
        )
    )
    return paths


@pytest.fixture
def issued_by_ca_signer(settings, ca_issued_signer, full_sprint, consultant, tmp_path) -> Path:
    settings.HANDOVER_SIGNER_CERT_FILE = ca_issued_signer["cert"]
    settings.HANDOVER_SIGNER_KEY_FILE = ca_issued_signer["key"]
    settings.HANDOVER_SIGNER_PASSPHRASE = "correct horse"
    settings.HANDOVER_SIGNER_CHAIN_FILES = [str(ca_issued_signer["ca"])]
    issued = handover_issue(sprint=full_sprint, by=consultant)
    assert not issued.signer_self_signed
    path = tmp_path / "handover.pdf"
    path.write_bytes(issued.file.read())
    return path


def _nss_store_trusting(ca: Path, directory: Path) -> str:
    store = f"sql:{directory}"
    run("certutil", "-N", "-d", store, "--empty-password", check=True)
    run(
        "certutil",
        "-A",
        "-d",
        store,
        "-n",
        "Launch Ready Test CA",
        "-t",
        "CT,C,C",
        "-i",
        str(ca),
        check=True,
    )
    return store


def test_pdfsig_trusts_a_ca_issued_signer_through_the_ca_alone(
    issued_by_ca_signer, ca_issued_signer, tmp_path
):
    nss = tmp_path / "nss"
    nss.mkdir()
    store = _nss_store_trusting(ca_issued_signer["ca"], nss)
    result = run("pdfsig", "-nssdir", store, str(issued_by_ca_signer))
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout
    assert "Certificate Validation: Certificate is Trusted." in result.stdout, result.stdout
    assert "Sam Rivera (CA-issued test signer)" in result.stdout


def test_pdfsig_without_the_ca_does_not_trust_the_signer(issued_by_ca_signer, tmp_path):
    empty = tmp_path / "empty-nss"
    empty.mkdir()
    run("certutil", "-N", "-d", f"sql:{empty}", "--empty-password", check=True)
    result = run("pdfsig", "-nssdir", f"sql:{empty}", str(issued_by_ca_signer))
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout
    assert "Certificate is Trusted" not in result.stdout


def test_app_shows_a_ca_issued_signer_as_not_self_signed_and_verifies_the_file(
    issued_by_ca_signer,
):
    info = signer_info()
    assert not info.self_signed
    assert "CA-issued test signer" in info.name
    verdict = verify_pdf(issued_by_ca_signer.read_bytes())
    assert verdict.valid, verdict.reasons
