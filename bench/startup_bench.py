"""Process start-up: how long a fresh interpreter takes to answer a few commands,
next to the floor, `python -c "import django"`.

    uv run python bench/startup_bench.py [--runs 7] [--root PATH]

Each command runs `--runs` times in a new process (the interpreter of this venv, the
checkout at --root, default this one); the median and the slowest wall time are printed,
and whether the process imported WeasyPrint or pyHanko (`-X importtime`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = [
    ("python -c 'import django'", ["-c", "import django"]),
    ("python -c 'django.setup()'", ["-c", "import django; django.setup()"]),
    ("manage.py check", ["manage.py", "check"]),
    ("manage.py audit --help", ["manage.py", "audit", "--help"]),
    ("manage.py handover_verify --help", ["manage.py", "handover_verify", "--help"]),
]
HEAVY = ("weasyprint", "pyhanko")


def environment(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="launchready.settings",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnop",
        DEBUG="1",
        LAUNCHREADY_VAR_DIR=var_dir,
    )
    return env


def heavy_imports(args: list[str], root: Path, env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    top = {line.rsplit("|", 1)[-1].strip() for line in out.splitlines() if "|" in line}
    return [name for name in HEAVY if name in top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to measure")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        env = environment(var_dir)
        print(f"load average {os.getloadavg()[0]:.1f}, {opts.runs} runs each, {opts.root}")
        print(f"{'command':36} {'median':>8} {'max':>8}  imports")
        for label, args in COMMANDS:
            times = []
            for _ in range(opts.runs):
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, *args],
                    cwd=opts.root,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                times.append(time.perf_counter() - start)
            heavy = ", ".join(heavy_imports(args, opts.root, env)) or "-"
            print(f"{label:36} {statistics.median(times):7.2f}s {max(times):7.2f}s  {heavy}")


if __name__ == "__main__":
    main()
