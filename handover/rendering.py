"""HTML to PDF with WeasyPrint: A4, page numbers, table of contents, DejaVu fonts
embedded (WeasyPrint embeds a subset of every font it uses), tagged as PDF/UA-1 (a
structure tree for screen readers), links live, and a glossary of exactly the terms
the rest of the document uses."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from html import unescape
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from handover.sections import Handover

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


def render_pdf(handover: Handover) -> bytes:
    """The unsigned PDF for a handover."""
    css, fonts = _stylesheet()
    html = HTML(string=render_html(handover), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT)
