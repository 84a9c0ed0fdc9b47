"""The consultant's signing identity: load it from the configured PEM files, create a
self-signed one for a laptop, and sign a PDF with it (PAdES, whole file covered)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

if TYPE_CHECKING:
    from pyhanko.sign import signers, timestamps

# pyHanko is imported inside the functions that sign: importing it costs about a second,
# and most processes that load this module (the web workers, manage.py check) never sign.

SIGNATURE_FIELD = "LaunchReadyHandover"


class SignerUnavailable(Exception):
    """No usable certificate/key: the message says which file or setting is wrong."""


@dataclass(frozen=True)
class SignerInfo:
    """What the app tells people about the certificate it signs with."""

    name: str
    subject: str
    issuer: str
    fingerprint: str  # SHA-256 of the DER certificate, colon-separated hex
    not_after: datetime
    self_signed: bool
    cert_pem: str


def cert_info(cert: x509.Certificate) -> SignerInfo:
    """Describe a certificate in the terms the screens and the PDF use."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return SignerInfo(
        name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        fingerprint=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        not_after=cert.not_valid_after_utc,
        self_signed=_is_self_signed(cert),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - any failure means "not self-issued"
        return False
    return True


def _passphrase() -> bytes | None:
    value = settings.HANDOVER_SIGNER_PASSPHRASE
    return value.encode("utf-8") if value else None


def _paths() -> tuple[Path, Path]:
    return Path(settings.HANDOVER_SIGNER_CERT_FILE), Path(settings.HANDOVER_SIGNER_KEY_FILE)


def signer_info() -> SignerInfo:
    """The configured signer's certificate, or SignerUnavailable saying what is missing."""
    cert_path, _ = _paths()
    try:
        data = cert_path.read_bytes()
    except OSError as exc:
        raise SignerUnavailable(
            f"No signing certificate at {cert_path} (HANDOVER_SIGNER_CERT_FILE). "
            "Run `python manage.py handover_keygen` for a self-signed demo certificate."
        ) from exc
    try:
        return cert_info(x509.load_pem_x509_certificate(data))
    except ValueError as exc:
        raise SignerUnavailable(f"{cert_path} is not a PEM certificate.") from exc


@lru_cache(maxsize=4)
def _load_signer(
    cert_path: str, key_path: str, chain: tuple[str, ...], passphrase: bytes | None, mtime: float
) -> signers.SimpleSigner:
    # Cached per file version: loading and decrypting the key costs more than signing.
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(
        key_path, cert_path, ca_chain_files=chain or None, key_passphrase=passphrase
    )
    if signer is None:
        raise SignerUnavailable(
            f"Could not load the signing key {key_path} with certificate {cert_path}: "
            "check the files and HANDOVER_SIGNER_PASSPHRASE."
        )
    return signer


def load_signer() -> signers.SimpleSigner:
    cert_path, key_path = _paths()
    for path, setting in (
        (cert_path, "HANDOVER_SIGNER_CERT_FILE"),
        (key_path, "HANDOVER_SIGNER_KEY_FILE"),
    ):
        if not path.is_file():
            raise SignerUnavailable(
                f"{setting}: no file at {path}. Run `python manage.py handover_keygen`."
            )
    mtime = max(cert_path.stat().st_mtime, key_path.stat().st_mtime)
    return _load_signer(
        str(cert_path),
        str(key_path),
        tuple(settings.HANDOVER_SIGNER_CHAIN_FILES),
        _passphrase(),
        mtime,
    )


@lru_cache(maxsize=1)
def _timestamper_class() -> Any:
    """The RFC 3161 client class, built on first use (it subclasses pyHanko's)."""
    from pyhanko.sign import timestamps

    class HttpxTimeStamper(timestamps.TimeStamper):
        """An RFC 3161 client over httpx (the client the rest of the app uses), with one
        total deadline per request and a size cap on the reply."""

        MAX_REPLY = 256 * 1024

        def __init__(self, url: str, *, timeout: float) -> None:
            super().__init__()
            self.url, self.timeout = url, timeout

        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            headers = {
                "Content-Type": "application/timestamp-query",
                "Accept": "application/timestamp-reply",
            }
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    reply = await client.post(self.url, content=req.dump(), headers=headers)
            except httpx.HTTPError as exc:
                raise SignerUnavailable(
                    f"The timestamp authority {self.url} (HANDOVER_TSA_URL) did not answer: "
                    f"{type(exc).__name__}."
                ) from exc
            if (
                reply.status_code != 200
                or reply.headers.get("content-type", "").split(";")[0]
                != "application/timestamp-reply"
            ):
                raise SignerUnavailable(
                    f"The timestamp authority {self.url} answered HTTP {reply.status_code} "
                    "without a timestamp."
                )
            if len(reply.content) > self.MAX_REPLY:
                raise SignerUnavailable(
                    f"The timestamp authority {self.url} sent an oversized reply."
                )
            return tsp.TimeStampResp.load(reply.content)

    return HttpxTimeStamper


def timestamper() -> timestamps.TimeStamper | None:
    url = settings.HANDOVER_TSA_URL
    return _timestamper_class()(url, timeout=settings.HANDOVER_TSA_TIMEOUT) if url else None


def sign_pdf(pdf: bytes, *, reason: str, location: str = "Launch Ready") -> bytes:
    """Return the PDF with one PAdES signature covering the whole file: B-T (with an
    RFC 3161 signature timestamp) when HANDOVER_TSA_URL is set, else B-B."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    signer = load_signer()
    tsa = timestamper()
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    reserved = _reserved_bytes(signer) + (2 * 12288 if tsa else 0)  # a token holds the TSA's chain
    try:
        out = signers.PdfSigner(meta, signer=signer, timestamper=tsa).sign_pdf(
            writer, bytes_reserved=reserved
        )
    except timestamps.TimestampRequestError as exc:
        raise SignerUnavailable(
            f"The timestamp authority (HANDOVER_TSA_URL) refused the request: {exc}"
        ) from exc
    return out.getvalue()


def signed_timestamp(pdf: bytes) -> tuple[datetime, str] | None:
    """(time, authority) of the RFC 3161 token in the PDF's signature, if it has one.
    Read without validation, to record on the issued version; the verifier validates."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    for sig in reader.embedded_signatures:
        attrs = sig.signer_info["unsigned_attrs"]
        if not attrs or attrs.native is None:
            continue
        for attr in attrs:
            if attr["type"].native == "signature_time_stamp_token":
                token = attr["values"][0]
                tst_info = token["content"]["encap_content_info"]["content"].parsed
                tsa = tst_info["tsa"]
                name = tsa.chosen.human_friendly if tsa.native is not None else ""
                return tst_info["gen_time"].native, name
    return None


def _reserved_bytes(signer: signers.SimpleSigner) -> int:
    """Room for the signature container. Without it pyHanko signs once more just to
    measure the size. The container holds the certificates, a few signed attributes
    and the signature itself: their DER sizes plus a generous margin always fit."""
    certs = [signer.signing_cert, *signer.cert_registry]
    der_bytes = 4096 + sum(len(cert.dump()) for cert in certs)
    return 2 * der_bytes  # the container is written as hex: two characters per byte


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- keygen


@dataclass(frozen=True)
class KeygenResult:
    cert_path: Path
    key_path: Path
    info: SignerInfo


def keygen(
    *,
    common_name: str,
    organisation: str = "Launch Ready",
    email: str = "",
    days: int = 825,
    passphrase: str | None = None,
    cert_path: Path | None = None,
    key_path: Path | None = None,
) -> KeygenResult:
    """Write a new RSA key and a self-signed certificate for document signing.

    Meant for a laptop or a demo: nobody else trusts a self-signed certificate, so
    the app says so wherever the signer is shown."""
    default_cert, default_key = _paths()
    cert_path, key_path = cert_path or default_cert, key_path or default_key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    name = x509.Name(attrs)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.touch(mode=0o600, exist_ok=True)
    key_path.chmod(0o600)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KeygenResult(cert_path=cert_path, key_path=key_path, info=cert_info(cert))
