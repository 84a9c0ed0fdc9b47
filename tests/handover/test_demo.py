"""The demo's handover-stage sprint is worth showing: its PDF has no "not recorded",
no localhost, the consultant's contact, live links, and is tagged (PDF/UA)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import Sprint
from handover.readiness import readiness
from handover.sections import build_handover
from tests.handover.conftest import pdf_text, run


def link_uris(path) -> set[str]:
    """Every URI link annotation in the PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        uris = set()
        for index in range(int(reader.root["/Pages"]["/Count"])):
            page = reader.find_page_for_modification(index)[0].get_object()
            for annot in page.get("/Annots", []):
                action = annot.get_object().get("/A")
                if action is not None and action.get("/S") == "/URI":
                    uris.add(str(action["/URI"]))
    return uris


@pytest.fixture
def demo_pdf(db, tmp_path):
    out = StringIO()
    call_command("seed_demo", "--json", "--password", "pw-for-tests-123", stdout=out)
    codes = [f["sprint"] for f in json.loads(out.getvalue())["founders"]]
    sprint = Sprint.objects.filter(code__in=codes, current_stage=7).get()
    path = tmp_path / "demo.pdf"
    call_command("handover_export", sprint.code, "-o", str(path), stdout=StringIO())
    return sprint, path


def test_demo_handover_stage_sprint_passes_the_gate(demo_pdf):
    sprint, _ = demo_pdf
    assert readiness(build_handover(sprint)).lines == []


def test_demo_pdf_has_no_gaps_no_localhost_and_the_consultants_contact(demo_pdf):
    sprint, path = demo_pdf
    text = " ".join(pdf_text(path).split())
    assert "not recorded" not in text.lower()
    assert "localhost" not in text and "127.0.0.1" not in text
    assert "consultant@launchready.example" in text and "Sam Rivera" in text
    assert "Issued before it was complete" not in text
    assert (
        "OpenAI" in text and "help.openai.com" in text
    )  # the account the open risk names, with support
    assert "Jonas Berg" in text  # a named developer for deploys and roll-back
    # "What changed" lists the setup, not the process log.
    assert "Now passing: HSTS set" in text and "Deployed version 8be41d0 to production" in text
    assert "Key rotated: OPENAI_API_KEY" in text
    assert "is complete. Now on stage" not in text


def test_demo_pdf_has_live_links_and_is_tagged(demo_pdf, settings):
    _, path = demo_pdf
    info = run("pdfinfo", str(path)).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE), info
    assert "Author:          Sam Rivera" in info
    uris = link_uris(path)
    assert f"{settings.SITE_URL}/handover/verify/" in uris
    assert any(u.startswith("https://platform.openai.com/") for u in uris)  # a sign-in URL
    xmp = run("pdfinfo", "-meta", str(path)).stdout
    assert "pdfuaid" in xmp
