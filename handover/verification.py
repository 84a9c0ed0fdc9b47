"""Is this PDF a handover Launch Ready issued, unaltered? Two independent checks must
both pass: the embedded signature validates (intact, covering the whole file, made
with a certificate this app signs with), and the file's SHA-256 matches an issued
version on record."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from io import BytesIO

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from handover.models import IssuedHandover
from handover.signing import SignerUnavailable, sha256_hex, signer_info

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """The answer shown on the verification page and by `handover_verify`."""

    valid: bool
    headline: str
    reasons: list[str] = field(default_factory=list)
    sha256: str = ""
    issued: IssuedHandover | None = None
    signature_intact: bool = False
    signature_trusted: bool = False


def _trusted_certs() -> list[asn1_x509.Certificate]:
    """Every certificate this app has signed with: the current one and those on record."""
    pems: set[str] = set(
        IssuedHandover.objects.exclude(signer_cert_pem="")
        .values_list("signer_cert_pem", flat=True)
        .distinct()
    )
    try:
        pems.add(signer_info().cert_pem)
    except SignerUnavailable:
        pass
    certs = []
    for text in pems:
        _, _, der = asn1_pem.unarmor(text.encode("ascii"))
        certs.append(asn1_x509.Certificate.load(der))
    return certs


def _check_signature(data: bytes) -> tuple[bool, bool, list[str], str]:
    """(intact and whole-file, trusted, reasons, signer name) for the last signature."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return False, False, [f"The file could not be read as a PDF ({type(exc).__name__})."], ""
    if not signatures:
        return False, False, ["The file has no digital signature."], ""
    sig = signatures[-1]
    context = ValidationContext(trust_roots=_trusted_certs(), allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context, skip_diff=True)
    except Exception as exc:  # noqa: BLE001 - a malformed signature is an answer, not a crash
        log.info("handover signature validation raised %r", exc)
        return False, False, ["The signature is damaged and cannot be checked."], ""
    reasons = []
    intact = bool(status.intact and status.valid)
    if not intact:
        reasons.append(
            "The signature does not match the content: the file was changed after signing."
        )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if intact and not whole:
        reasons.append("Content was added to the file after it was signed.")
    if not status.trusted:
        reasons.append("The signing certificate is not one Launch Ready signs handovers with.")
    signer_name = ""
    try:
        signer_name = status.signing_cert.subject.human_friendly
    except AttributeError:
        pass
    return intact and whole, bool(status.trusted), reasons, signer_name


def verify_pdf(data: bytes) -> Verdict:
    """Check an uploaded or local file; never raises on bad input."""
    digest = sha256_hex(data)
    if not data.startswith(b"%PDF-"):
        return Verdict(False, "This is not a PDF file.", sha256=digest)
    intact, trusted, reasons, _ = _check_signature(data)
    issued = IssuedHandover.objects.select_related("sprint__client").filter(sha256=digest).first()
    if issued is None:
        reasons.append("No handover issued by this app has exactly this content (SHA-256 differs).")
    valid = intact and trusted and issued is not None
    if valid:
        headline = (
            f"Genuine and unaltered: {issued.sprint.client.name} handover, version {issued.version}, "
            f"issued {issued.issued_at:%d %b %Y %H:%M} UTC by {issued.signer_name}."
        )
    elif issued is not None:
        headline = (
            "This file matches an issued handover on record, but its signature does not check out."
        )
    else:
        headline = "Not a genuine, unaltered Launch Ready handover."
    return Verdict(
        valid=valid,
        headline=headline,
        reasons=[] if valid else reasons,
        sha256=digest,
        issued=issued,
        signature_intact=intact,
        signature_trusted=trusted,
    )
