"""Secret-scan speed on a generated repository of 5,000 commits and 20,000 files.

    uv run python bench/scan_bench.py [--commits 5000] [--files 20000] [--keep DIR]

Generates the repository with ``git fast-import`` (a few seconds), checks out a working
tree, plants a known number of secrets, then runs the same ``scan_repository`` the app
and ``manage.py scan_secrets`` use (mirror clone, full history, working tree). Reports
wall time per phase, lines scanned, hits, and peak memory of the Python process and of
its git children. Target: under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "client booking invoice session coach payment email schedule reminder webhook customer "
    "order render template request response user account profile settings update create"
).split()
# Built from parts so this file does not itself look like a leak.
PLANTS = [
    ("config/stripe.py", 'STRIPE_KEY = "sk_live_{}"', 24),
    ("deploy/env.sh", "export AWS_ACCESS_KEY_ID=AKIA{}", 16),
    ("scripts/gh.sh", "TOKEN=ghp_{}", 36),
    ("app/db.py", 'DATABASE_URL = "postgres://app:{}@db.internal:5432/app"', 14),
]


def _code_file(rng: random.Random, name: str, lines: int) -> bytes:
    out = [f'"""{name}: generated module."""', "from __future__ import annotations", ""]
    for i in range(lines):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        kind = i % 5
        if kind == 0:
            out.append(f"def {a}_{b}_{i}(request, {b}_id: int) -> dict:")
        elif kind == 1:
            out.append(f"    {a} = get_object_or_404({b.title()}, pk={b}_id)  # load the {a}")
        elif kind == 2:
            out.append(f'    logger.info("{a} {b} updated", extra={{"{b}": {i}}})')
        elif kind == 3:
            out.append(f"    return {{'{a}': {a}.{b}, 'count': {rng.randint(0, 10**6)}}}")
        else:
            out.append("")
    return ("\n".join(out) + "\n").encode()


def _random_token(rng: random.Random, n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(n))


def generate(path: Path, *, commits: int, files: int, seed: int = 7) -> int:
    """Write the repository through fast-import; return how many secrets were planted."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    proc = subprocess.Popen(
        ["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    assert proc.stdin is not None
    write = proc.stdin.write
    per_commit = max(1, files // commits)
    made: list[str] = []
    planted = 0
    epoch = 1_700_000_000
    for c in range(commits):
        ops: list[bytes] = []
        for _ in range(per_commit):
            name = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{len(made)}.py"
            made.append(name)
            data = _code_file(rng, name, rng.randint(8, 30))
            ops.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
        if made and c % 3 == 0:  # edit an existing file now and then
            name = rng.choice(made)
            data = _code_file(rng, name, rng.randint(8, 30))
            ops.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
        if c % (commits // 20 or 1) == 0:
            plant_path, template, size = PLANTS[planted % len(PLANTS)]
            data = (template.format(_random_token(rng, size)) + "\n").encode()
            ops.append(
                b"M 100644 inline %s_%d\ndata %d\n%s\n" % (plant_path.encode(), c, len(data), data)
            )
            planted += 1
        message = f"change {c}".encode()
        write(b"commit refs/heads/main\n")
        write(b"committer Bench <bench@example.test> %d +0000\n" % (epoch + c * 60))
        write(b"data %d\n%s\n" % (len(message), message))
        for op in ops:
            write(op)
        write(b"\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("fast-import failed")
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", "main"], check=True)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument(
        "--keep", help="Generate into (or reuse) this folder instead of a temporary one."
    )
    args = parser.parse_args()

    from django.conf import settings

    settings.configure(SECRET_KEY="bench-only-key-" + "x" * 40)
    from checks.secrets.scan import scan_repository

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lr-scanbench-"))
    repo = base / "repo"
    started = time.monotonic()
    if not repo.exists():
        planted = generate(repo, commits=args.commits, files=args.files)
    else:
        planted = -1
    generated = time.monotonic() - started
    tracked = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], capture_output=True, check=True
    ).stdout.count(b"\n")
    commits = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )

    phases: dict[str, float] = {}
    last = [time.monotonic(), ""]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != last[1]:
            if last[1]:
                phases[last[1]] = phases.get(last[1], 0.0) + now - last[0]
            last[:] = [now, phase]

    t0 = time.monotonic()
    report = scan_repository(str(repo), local_roots=None, timeout=600, progress=progress)
    total = time.monotonic() - t0
    phases[last[1]] = phases.get(last[1], 0.0) + time.monotonic() - last[0]

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"repository: {commits} commits, {tracked} files in HEAD (generated in {generated:.1f} s) "
        f"at {repo}"
    )
    print(f"cores: {os.cpu_count()}")
    print(f"scan: {total:.1f} s total; " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    print(
        f"lines added in history scanned: {report.lines:,}; working-tree files: "
        f"{report.worktree_files:,}"
    )
    print(
        f"hits: {len(report.hits)} (distinct values: {len(report.fingerprints)}; planted: "
        f"{planted})"
    )
    print(f"peak memory: python {own:.0f} MiB, largest git child {children:.0f} MiB")
    print("target < 60 s:", "met" if total < 60 else "MISSED")


if __name__ == "__main__":
    main()
