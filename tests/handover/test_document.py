"""What the founder reads: every section, no planted secret, A4 with page numbers and a
table of contents, fonts embedded, the consultant's edits, and PNG renders to look at."""

from __future__ import annotations

import os
from pathlib import Path

from handover import services
from handover.sections import build_handover
from tests.handover.conftest import PLANTED, SECTION_TITLES, pdf_text, run

SCREENSHOTS = Path(
    os.environ.get("LAUNCHREADY_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots")
)


def _write(issued, tmp_path) -> Path:
    path = tmp_path / "handover.pdf"
    path.write_bytes(issued.file.read())
    return path


def test_pdf_text_has_every_section_and_no_planted_secret(issued, tmp_path):
    text = pdf_text(_write(issued, tmp_path))
    squashed = " ".join(text.split())
    for title in SECTION_TITLES:
        assert title in squashed, title
    assert PLANTED not in text and PLANTED not in squashed
    for fact in [
        "Acme Coaching",
        "Launched with accepted risks",
        "https://acme.test/",
        "acme-old.test",
        "Namecheap",
        "Cloudflare",
        "Render",
        "Postmark",
        "Old domain serves a stale page",
        "Visitors of the old address see last year's prices.",
        "Accepted risk",
        "www did not redirect",
        "The site is down",
        "Emails go to spam",
        "The certificate expired",
        "A key leaked",
        "A deploy broke sign-in",
        "https://namecheap.example/login",
        "support@render.example",
        "Sam Rivera (test signer)",
        "self-signed",
        # From the checks, monitoring and secrets apps:
        "ada.ns.cloudflare.com",
        "203.0.113.10",
        "Let's Encrypt R11",
        "No Strict-Transport-Security header.",
        "DMARC policy is p=none (monitor only).",
        "Booking page",
        "every minute",
        "ann@acme.test, ops@acme.test",
        "a chat webhook",
        "STRIPE_SECRET_KEY",
        "DATABASE_URL",
        "Render service 'web'",
        "a1b2c3d",
        "10 passed, 1 failed",
    ]:
        assert fact in squashed, fact


def test_pdf_is_a4_with_page_numbers_toc_and_embedded_fonts(issued, tmp_path):
    path = _write(issued, tmp_path)
    info = run("pdfinfo", str(path)).stdout
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 5
    text = pdf_text(path)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Contents" in text
    fonts = run("pdffonts", str(path)).stdout.splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts), fonts
    assert any("DejaVu" in line for line in fonts)


def test_emergency_steps_are_numbered_lists(issued, tmp_path):
    text = pdf_text(_write(issued, tmp_path))
    emergency = text[text.index("Emergency steps", text.index("Contents") + 200) :]
    assert "1. Check whether it is only you" in " ".join(emergency.split())
    assert "2. Look at the status page" in " ".join(emergency.split())


def test_consultant_edits_replace_the_default_wording(full_sprint, consultant, tmp_path):
    services.draft_save(
        sprint=full_sprint,
        by=consultant,
        values={"deployment.rollback": "Open Render.\nPick yesterday's deploy.\nPress Rollback."},
    )
    issued = services.handover_issue(sprint=full_sprint, by=consultant)
    squashed = " ".join(pdf_text(_write(issued, tmp_path)).split())
    assert "1. Open Render. 2. Pick yesterday's deploy. 3. Press Rollback." in squashed
    # Emptying the field brings the suggested wording back.
    services.draft_save(sprint=full_sprint, by=consultant, values={"deployment.rollback": ""})
    rollback = build_handover(full_sprint).section("deployment").texts["rollback"]
    assert not rollback.edited and "Rollback" in rollback.value


def test_sections_from_apps_without_data_say_not_recorded_yet(sprint_b, consultant, tmp_path):
    issued = services.handover_issue(
        sprint=sprint_b, by=consultant, override_reason="Early look for the founder"
    )
    squashed = " ".join(pdf_text(_write(issued, tmp_path)).split())
    assert "No automated check results recorded yet" in squashed
    assert "Not recorded yet: no uptime monitor is set up" in squashed
    assert "Not recorded yet: no secret is in the inventory" in squashed


def test_reissue_makes_a_new_version_and_keeps_the_old_file(issued, full_sprint, consultant):
    second = services.handover_issue(sprint=full_sprint, by=consultant)
    assert (issued.version, second.version) == (1, 2)
    assert issued.sha256 != second.sha256
    issued.refresh_from_db()
    assert issued.file.read()[:5] == b"%PDF-"


def test_page_one_and_a_middle_page_render_to_png(issued, tmp_path):
    """Renders saved under screenshots/ for a person to look at (see docs/handover.md)."""
    path = _write(issued, tmp_path)
    info = run("pdfinfo", str(path)).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page, name in [(1, "handover-page-1"), (pages // 2 + 1, "handover-page-middle")]:
        out = SCREENSHOTS / name
        result = run(
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(path),
            str(out),
        )
        assert result.returncode == 0, result.stderr
        png = out.with_suffix(".png")
        assert png.stat().st_size > 10_000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
