"""HTML to PDF with WeasyPrint: A4, page numbers, table of contents, DejaVu fonts
embedded (WeasyPrint embeds a subset of every font it uses)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from handover.sections import Handover

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


def render_pdf(handover: Handover) -> bytes:
    """The unsigned PDF for a handover."""
    css, fonts = _stylesheet()
    html = HTML(string=render_html(handover), base_url=str(settings.BASE_DIR))
    return html.write_pdf(stylesheets=[css], font_config=fonts)
