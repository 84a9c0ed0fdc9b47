"""Is this PDF a handover Launch Ready issued, unaltered, and still the current one?

The verdict names one of these outcomes, each with its reason:

- ``genuine``: signed with a certificate this app signs with, the one signature covers
  the whole file, and the file's SHA-256 is an issued version, the latest one;
- ``superseded``: all that, but a newer version of the same handover was issued;
- ``altered``: the file changed after signing: its bytes no longer match the
  signature (broken digest), bytes were cut off (truncated), or content was appended
  in an incremental update;
- ``other_signer``: an intact signature made with a certificate that is not ours,
  whatever name it carries;
- ``unsigned``: a PDF without a signature;
- ``not_pdf``: not a PDF at all.

A signature timestamp (RFC 3161) is reported with its time and authority; without one
the verdict says the signing time is only the signer's claim."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings

from handover.models import IssuedHandover
from handover.signing import SignerUnavailable, sha256_hex, signer_info

log = logging.getLogger(__name__)
BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")

GENUINE, SUPERSEDED, ALTERED, OTHER_SIGNER, UNSIGNED, NOT_PDF, NOT_ON_RECORD = (
    "genuine",
    "superseded",
    "altered",
    "other_signer",
    "unsigned",
    "not_pdf",
    "not_on_record",
)


@dataclass(frozen=True)
class Timestamp:
    at: datetime
    authority: str
    valid: bool  # the token is intact and matches the signature
    trusted: bool  # ... and its authority is one HANDOVER_TSA_TRUST_FILES names


@dataclass(frozen=True)
class Verdict:
    """The answer shown on the verification page and by `handover_verify`."""

    outcome: str
    headline: str
    reasons: list[str] = field(default_factory=list)
    sha256: str = ""
    issued: IssuedHandover | None = None
    latest: IssuedHandover | None = None  # the version that replaces it, when superseded
    signature_intact: bool = False
    signature_trusted: bool = False
    signer_name: str = ""
    timestamp: Timestamp | None = None

    @property
    def valid(self) -> bool:
        """Genuine and unaltered (a superseded version still is, but is not current)."""
        return self.outcome in {GENUINE, SUPERSEDED}

    @property
    def current(self) -> bool:
        return self.outcome == GENUINE


def _load_pems(pems: set[str]) -> list[asn1_x509.Certificate]:
    certs = []
    for text in pems:
        _, _, der = asn1_pem.unarmor(text.encode("ascii"))
        certs.append(asn1_x509.Certificate.load(der))
    return certs


def _our_certs() -> list[asn1_x509.Certificate]:
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
    return _load_pems(pems)


def _tsa_roots() -> list[asn1_x509.Certificate]:
    roots = []
    for path in settings.HANDOVER_TSA_TRUST_FILES:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            log.warning("HANDOVER_TSA_TRUST_FILES: cannot read %s", path)
            continue
        for _, _, der in asn1_pem.unarmor(data, multiple=True):
            roots.append(asn1_x509.Certificate.load(der))
    return roots


def _fingerprint(cert: asn1_x509.Certificate) -> str:
    digest = cert.sha256.hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def verify_pdf(data: bytes) -> Verdict:
    """Check an uploaded or local file; never raises on bad input."""
    # pyHanko is imported on first use: it costs about a second of every process start.
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    digest = sha256_hex(data)

    def verdict(outcome: str, headline: str, reasons: list[str], **extra) -> Verdict:
        return Verdict(outcome, headline, reasons, sha256=digest, **extra)

    if not data.startswith(b"%PDF-"):
        return verdict(
            NOT_PDF, "This is not a PDF file.", ["The file does not start with a PDF header."]
        )
    ranges = [tuple(map(int, m.groups())) for m in BYTE_RANGE.finditer(data)]
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        if ranges and max(r[2] + r[3] for r in ranges) > len(data):
            return _truncated(verdict, ranges, len(data))
        return verdict(
            ALTERED if ranges else NOT_PDF,
            "Not a genuine, unaltered Launch Ready handover.",
            [f"The file is damaged and cannot be read as a PDF ({type(exc).__name__})."],
        )
    if not signatures:
        if ranges:
            return (
                _truncated(verdict, ranges, len(data))
                if max(r[2] + r[3] for r in ranges) > len(data)
                else verdict(
                    ALTERED,
                    "Not a genuine, unaltered Launch Ready handover.",
                    [
                        "The file refers to a signature that can no longer be read: it was changed "
                        "after signing."
                    ],
                )
            )
        return verdict(
            UNSIGNED,
            "This PDF is not signed: it is not a Launch Ready handover, or its signature was "
            "removed.",
            ["The file has no digital signature."],
        )
    if max(r[2] + r[3] for r in ranges or [(0, 0, 0, 0)]) > len(data):
        return _truncated(verdict, ranges, len(data))

    sig = signatures[0]
    ours = _our_certs()
    ours_fp = {_fingerprint(c) for c in ours}
    try:
        cert = sig.signer_cert
        signer_name = cert.subject.human_friendly
        signer_fp = _fingerprint(cert)
    except Exception:  # noqa: BLE001 - a malformed signature is an answer, not a crash
        return verdict(
            ALTERED,
            "Not a genuine, unaltered Launch Ready handover.",
            ["The signature is damaged and cannot be read."],
        )
    context = ValidationContext(trust_roots=ours, allow_fetching=False)
    ts_context = ValidationContext(trust_roots=_tsa_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(
            sig, context, ts_validation_context=ts_context, skip_diff=True
        )
    except Exception as exc:  # noqa: BLE001
        log.info("handover signature validation raised %r", exc)
        return verdict(
            ALTERED,
            "Not a genuine, unaltered Launch Ready handover.",
            ["The signature is damaged and cannot be checked."],
            signer_name=signer_name,
        )
    intact = bool(status.intact and status.valid)
    ts = None
    tsv = getattr(status, "timestamp_validity", None)
    if tsv is not None:
        authority = ""
        try:
            authority = tsv.signing_cert.subject.human_friendly
        except AttributeError:
            pass
        ts = Timestamp(tsv.timestamp, authority, bool(tsv.intact and tsv.valid), bool(tsv.trusted))
    common = {"signer_name": signer_name, "timestamp": ts, "signature_intact": intact}

    if not intact:
        return verdict(
            ALTERED,
            "Altered after signing: the content no longer matches the signature.",
            [
                "Broken digest: bytes inside the signed part of the file were changed after "
                "signing, "
                "so the signature no longer matches them."
            ],
            **common,
        )
    if signer_fp not in ours_fp:
        same_name = any(c.subject.human_friendly == signer_name for c in ours)
        reason = (
            "The signature is intact, but it was made with a certificate that is not Launch "
            "Ready's "
            f"(fingerprint {signer_fp[:23]}…)"
        )
        reason += ", even though it carries the same name as ours: a forgery." if same_name else "."
        return verdict(
            OTHER_SIGNER,
            f"Signed by someone else ({signer_name}), not by Launch Ready.",
            [reason],
            **common,
        )
    common["signature_trusted"] = True
    if len(signatures) > 1 or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        extra = len(data) - max(r[2] + r[3] for r in ranges)
        return verdict(
            ALTERED,
            "Altered after signing: content was added to the signed file.",
            [
                f"Incremental update: {extra:,} bytes were appended after the signed part"
                + (
                    f", including {len(signatures) - 1} more signature(s)"
                    if len(signatures) > 1
                    else ""
                )
                + ". A PDF reader shows the changed version, not what was signed."
            ],
            **common,
        )
    issued = IssuedHandover.objects.select_related("sprint__client").filter(sha256=digest).first()
    if issued is None:
        return verdict(
            NOT_ON_RECORD,
            "Signed with Launch Ready's certificate, but not a version on record here.",
            [
                "No handover issued by this app has exactly this content (SHA-256 differs). "
                "It may come from another Launch Ready installation."
            ],
            **common,
        )
    latest = issued.sprint.handovers.order_by("-version").first()
    time_words = _time_words(issued, ts)
    if latest is not None and latest.version > issued.version:
        return verdict(
            SUPERSEDED,
            f"Genuine but out of date: version {issued.version} of the {issued.sprint.client.name} "
            "handover, "
            f"replaced by version {latest.version} issued {latest.issued_at:%d %b %Y %H:%M} UTC.",
            [f"Use version {latest.version}: it replaces this one.", time_words],
            issued=issued,
            latest=latest,
            **common,
        )
    return verdict(
        GENUINE,
        f"Genuine, unaltered and current: {issued.sprint.client.name} handover, version "
        f"{issued.version}, "
        f"issued {issued.issued_at:%d %b %Y %H:%M} UTC by {issued.signer_name}.",
        [time_words],
        issued=issued,
        latest=latest,
        **common,
    )


def _time_words(issued: IssuedHandover, ts: Timestamp | None) -> str:
    if ts is None:
        return "No timestamp: the signing time is the signer's own claim."
    who = f" from {ts.authority}" if ts.authority else ""
    if not ts.valid:
        return (
            f"The timestamp{who} does not check out: the signing time is only the signer's claim."
        )
    trust = "" if ts.trusted else " (an authority this installation does not list as trusted)"
    return (
        f"Timestamped {ts.at:%d %b %Y %H:%M:%S} UTC{who}{trust}: "
        "an independent proof of when it was signed."
    )


def _truncated(verdict, ranges: list[tuple[int, ...]], size: int) -> Verdict:
    end = max(r[2] + r[3] for r in ranges)
    return verdict(
        ALTERED,
        "Altered after signing: the file is shorter than what was signed.",
        [f"Truncated: the signature covers {end:,} bytes, the file has only {size:,}."],
    )
