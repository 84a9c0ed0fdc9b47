"""The seams between apps: imports point one way (clients <- checks <- handover), and
the handover reads the other apps only through their typed selectors."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

# app -> the top-level packages of this project it must never import
FORBIDDEN = {"clients": {"checks", "handover"}, "checks": {"handover"}}


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif (  # import_module("handover.x") and apps.get_model("handover", ...) count too
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def test_imports_between_apps_point_one_way():
    base = Path(settings.BASE_DIR)
    walked, wrong = 0, []
    for app, forbidden in FORBIDDEN.items():
        for path in sorted((base / app).rglob("*.py")):
            walked += 1
            for module in _imported_modules(path):
                if module.split(".")[0] in forbidden:
                    wrong.append(f"{path.relative_to(base)} imports {module}")
    assert walked > 40  # the walk really covered both apps
    assert wrong == []


def test_the_walk_sees_a_wrong_way_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from handover.models import IssuedHandover\n")
    assert "handover.models" in _imported_modules(bad)


def _reads_past_selectors(paths: list[Path]) -> list[str]:
    """Imports of the checks app (any of its sub-apps) that are not a selectors module.
    ``from checks import x`` counts as reading ``checks``: name the selectors module."""
    wrong = []
    for path in paths:
        for module in sorted(_imported_modules(path)):
            if module != "checks" and not module.startswith("checks."):
                continue
            if module == "checks.selectors" or module.endswith(".selectors"):
                continue
            wrong.append(f"{path.name} imports {module}")
    return wrong


def test_handover_reads_other_apps_only_through_their_selectors():
    base = Path(settings.BASE_DIR) / "handover"
    # The demo seeds rows of every app; it does not read them.
    paths = sorted(p for p in base.rglob("*.py") if p.name != "demo.py")
    assert len(paths) > 20  # the walk really covered the handover and its reports
    assert _reads_past_selectors(paths) == []


def test_the_selector_rule_catches_a_read_past_the_selectors(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from checks.browser.services import latest_audits\n"
        "from checks.browser.selectors import page_speed_rows\n"
        "import checks.models\n"
        "from checks import selectors\n"
        "from checksum import crc\n"
    )
    assert _reads_past_selectors([bad]) == [
        "bad.py imports checks",
        "bad.py imports checks.browser.services",
        "bad.py imports checks.models",
    ]
