"""HTML to PDF with WeasyPrint: A4, page numbers, table of contents, DejaVu fonts
embedded (WeasyPrint embeds a subset of every font it uses), tagged as PDF/UA-1 (a
structure tree for screen readers), links live, and a glossary of exactly the terms
the rest of the document uses."""

from __future__ import annotations

import html as html_lib
import logging
import re
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

from handover.sections import Handover
from launchready.guard.rules import detect_text, rule_label

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

# WeasyPrint logs every layout step at INFO; one line per page is noise in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_CSS = Path(__file__).resolve().parent / "pdf" / "handover.css"
# PDF/UA-1: WeasyPrint writes the structure tree (pdfinfo says "Tagged: yes"), the
# document language and title, and declares PDF/UA in the XMP metadata.
PDF_VARIANT = "pdf/ua-1"
_TAGS = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[CSS, FontConfiguration]:
    # Parsing the stylesheet and building the font configuration is done once per process.
    # WeasyPrint is imported here, not at module level: it costs every process that loads
    # the URLconf (manage.py check, audit, the worker) about a second.
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(PDF_CSS), font_config=fonts), fonts


def _term_pattern(term: str) -> re.Pattern[str]:
    """A glossary term matches as a whole word, plural allowed; "SSL/TLS certificate"
    or "CDN / edge" match on either part."""
    parts = (
        [p.strip() for p in term.split("/") if p.strip()]
        if " / " in term or term.count("/") == 1 and "=" not in term
        else [term]
    )
    alternatives = "|".join(re.escape(p) for p in [term, *parts])
    return re.compile(rf"(?<![\w=-])(?:{alternatives})(?:s|es)?(?![\w=])", re.IGNORECASE)


def used_terms(handover: Handover, text: str) -> list:
    return [
        t
        for t in handover.section("glossary").data.get("all_terms", [])
        if _term_pattern(t.term).search(text)
    ]


def render_html(handover: Handover) -> str:
    """The document's HTML. Rendered once without the glossary to learn which terms
    the other sections use, then with exactly those terms."""
    glossary = handover.section("glossary").data
    glossary.setdefault("all_terms", glossary.get("terms", []))
    context = {"handover": handover, "pdf": True}
    glossary["terms"] = []
    text = unescape(_TAGS.sub(" ", render_to_string("handover/document.html", context)))
    glossary["terms"] = used_terms(handover, text)
    return render_to_string("handover/document.html", context)


_TAG = re.compile(r"<[^>]*>")


class SecretInDocument(Exception):
    """The rendered handover text holds something the secret rules flag."""


def guard_document(html: str) -> None:
    """The last check before a PDF is signed: every field it is built from is guarded,
    but a signed PDF cannot be taken back, so its whole text is scanned once more."""
    # Tags become spaces, so text from neighbouring table cells is not read as one word.
    text = html_lib.unescape(_TAG.sub(" ", html))
    found = detect_text(text)
    if found:
        raise SecretInDocument(
            f"The handover text contains something that looks like {rule_label(found[0].rule)}; "
            "nothing was signed. Run `manage.py scan_stored_text` to find it, remove it, "
            "and issue again."
        )


def render_pdf(handover: Handover) -> bytes:
    """The unsigned PDF for a handover; refused if its text holds a secret value."""
    from weasyprint import HTML

    css, fonts = _stylesheet()
    source = render_html(handover)
    guard_document(source)
    html = HTML(string=source, base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT)
