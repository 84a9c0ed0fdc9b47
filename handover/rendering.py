"""HTML to PDF with WeasyPrint: A4, page numbers, table of contents, DejaVu fonts
embedded (WeasyPrint embeds a subset of every font it uses)."""

from __future__ import annotations

import html as html_lib
import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from handover.sections import Handover
from launchready.guard.rules import detect_text, rule_label

# WeasyPrint logs every layout step at INFO; one line per page is noise in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_CSS = Path(__file__).resolve().parent / "pdf" / "handover.css"


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[CSS, FontConfiguration]:
    # Parsing the stylesheet and building the font configuration is done once per process.
    fonts = FontConfiguration()
    return CSS(filename=str(PDF_CSS), font_config=fonts), fonts


def render_html(handover: Handover) -> str:
    return render_to_string(
        "handover/document.html",
        {"handover": handover, "pdf": True, "SITE_URL": settings.SITE_URL},
    )


class SecretInDocument(Exception):
    """The rendered handover text holds something the secret rules flag."""


def guard_document(html: str) -> None:
    """The last check before a PDF is signed: every field it is built from is guarded,
    but a signed PDF cannot be taken back, so its whole text is scanned once more."""
    text = html_lib.unescape(strip_tags(html))
    found = detect_text(text)
    if found:
        raise SecretInDocument(
            f"The handover text contains something that looks like {rule_label(found[0].rule)}; "
            "nothing was signed. Run `manage.py scan_stored_text` to find it, remove it, "
            "and issue again."
        )


def render_pdf(handover: Handover) -> bytes:
    """The unsigned PDF for a handover; refused if its text holds a secret value."""
    css, fonts = _stylesheet()
    source = render_html(handover)
    guard_document(source)
    html = HTML(string=source, base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[css], font_config=fonts)
