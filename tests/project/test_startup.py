"""Start-up: commands that never render or sign a PDF do not pay for WeasyPrint and
pyHanko (about a second each). A new process is what is tested, so this runs one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import json, sys
from django.core.management import execute_from_command_line
for argv in (["manage.py", "check"], ["manage.py", "audit", "--help"]):
    try:
        execute_from_command_line(argv)
    except SystemExit:
        pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"weasyprint", "pyhanko"})
print("HEAVY=" + json.dumps(heavy))
"""


def test_check_and_audit_help_import_neither_weasyprint_nor_pyhanko(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "launchready.settings",
        "LAUNCHREADY_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "System check identified no issues" in done.stdout, done.stderr
    assert "--dkim-selector" in done.stdout  # audit's help really printed
    line = [row for row in done.stdout.splitlines() if row.startswith("HEAVY=")][-1]
    assert json.loads(line.removeprefix("HEAVY=")) == []
