"""Layout read back from the PDF with pdftotext -bbox: a long status word stays inside
its cell (the certificate badge once overran the Expires column), the fingerprint
keeps whole lines, and the pages render to PNG for a person to look at."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from handover.services import handover_issue
from tests.handover.conftest import run

SCREENSHOTS = Path(
    os.environ.get("LAUNCHREADY_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots")
)
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _pages(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    out = run("pdftotext", "-bbox", str(path), "-").stdout
    return [
        [
            (float(a), float(b), float(c), float(d), html.unescape(w))
            for a, b, c, d, w in WORD.findall(page)
        ]
        for page in out.split("<page ")[1:]
    ]


def _long_status_sprint(full_sprint):
    from checks.models import CheckResult

    CheckResult.objects.filter(run__sprint=full_sprint, check_id="tls.expiry").update(
        status="error",
        evidence={},
        summary="Every address timed out during the handshake, so the expiry date could not be "
        "read "
        "at all.",
    )
    return full_sprint


def test_long_status_words_stay_inside_the_state_column(full_sprint, consultant, tmp_path):
    sprint = _long_status_sprint(full_sprint)
    from tests.handover.conftest import confirm_all

    confirm_all(sprint, consultant)
    path = tmp_path / "h.pdf"
    path.write_bytes(handover_issue(sprint=sprint, by=consultant).file.read())
    page = next(p for p in _pages(path) if any(w[4] == "EXPIRES" for w in p))
    expires = next(w for w in page if w[4] == "EXPIRES")
    state = next(w for w in page if w[4] == "STATE" and abs(w[1] - expires[1]) < 1)
    lines: dict[int, list] = {}
    for word in page:
        if word[1] > expires[3]:
            lines.setdefault(round(word[1]), []).append(word)
    cell_words = []
    for y in sorted(lines):
        first = min(lines[y], key=lambda w: w[0])
        if first[0] < state[0] - 5 and "." not in first[4]:
            break  # the paragraph after the table
        cell_words += [w for w in lines[y] if state[0] - 1 <= w[0] < expires[0]]
    words = [w[4] for w in cell_words]
    assert {"Could", "not", "check"} <= set(words), words
    for x_min, _y, x_max, _y2, text in cell_words:
        assert x_max <= expires[0] + 0.5, (
            f"{text!r} ends at {x_max}, the Expires column starts at {expires[0]}"
        )


def test_fingerprint_is_two_whole_lines(issued, tmp_path):
    path = tmp_path / "h.pdf"
    path.write_bytes(issued.file.read())
    text = run("pdftotext", "-layout", str(path), "-").stdout
    pairs = re.findall(r"(?:[0-9A-F]{2}:){15}[0-9A-F]{2}(?::)?", text)
    assert len(pairs) >= 2, pairs
    assert issued.signer_fingerprint.replace(":", "") in "".join(p.replace(":", "") for p in pairs)


def test_every_page_renders_to_png(issued, tmp_path):
    """Saved under screenshots/ for a person to look at (docs/handover.md)."""
    path = tmp_path / "h.pdf"
    path.write_bytes(issued.file.read())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    result = run("pdftoppm", "-r", "60", "-png", str(path), str(SCREENSHOTS / "handover-page"))
    assert result.returncode == 0, result.stderr
    pngs = sorted(SCREENSHOTS.glob("handover-page-*.png"))
    assert pngs and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_emergency_steps_heading_opens_its_page(issued, tmp_path):
    """It was once stranded at the foot of a page, its steps on the next."""
    path = tmp_path / "h.pdf"
    path.write_bytes(issued.file.read())
    pages = run("pdftotext", "-layout", str(path), "-").stdout.split("\f")
    page = next(
        p for p in pages[2:] if re.search(r"^\s*\d+\. Emergency steps\s*$", p, re.MULTILINE)
    )
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert re.fullmatch(r"\d+\. Emergency steps", lines[1]), lines[
        :3
    ]  # right under the running header
