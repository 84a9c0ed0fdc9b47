"""Running a browser tool (Lighthouse's node, the journey worker) so that it always ends:
a total deadline, a memory cap over every process of the run, and Chromium reaped.

Chromium is started by tools that detach it from their process group (chrome-launcher
spawns it ``detached``), so killing the group is not enough. Every process of a run
carries an environment variable with the run's token; after the run, whatever still
carries the token (found in ``/proc/<pid>/environ``) is killed, as is the process group.
The memory cap is a watchdog that sums the resident memory of the tagged processes four
times a second and kills the run over ``BROWSER_MEMORY_MB``: an address-space limit
(RLIMIT_AS) cannot be used, as Chromium reserves tens of GB of address space it never
touches and would not start under one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

TOKEN_VAR = "LAUNCHREADY_BROWSER_RUN"  # noqa: S105 - a variable name, not a secret
OUTPUT_CAP = 32 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    memory_exceeded: bool
    peak_rss_mb: int
    elapsed_s: float
    reaped: int  # processes outside the group, still alive at the end, that had to be killed
    token: str = ""

    @property
    def problem(self) -> str | None:
        """A sentence when the run was stopped, else None."""
        if self.timed_out:
            return f"the browser run did not finish within its {self.elapsed_s:.0f} s deadline"
        if self.memory_exceeded:
            return f"the browser run used more than its memory cap ({self.peak_rss_mb} MB)"
        return None


def tool_env(**extra: str) -> dict[str, str]:
    """The environment a browser tool runs with: nothing of ours but PATH and HOME, and
    Node's compile cache (Node 22.1 and later; older ones ignore it), which saves about
    half a second of every start of Playwright's driver."""
    from django.conf import settings

    cache = Path(settings.VAR_DIR) / "cache" / "node-compile"
    cache.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - node wants a HOME
        "NODE_COMPILE_CACHE": str(cache),
        **extra,
    }


def tagged_pids(token: str) -> list[int]:
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or a zombie
    return found


def _rss_mb(pids: list[int]) -> int:
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
    return total_kb // 1024


def reap(token: str, pgid: int | None = None) -> int:
    """Kill the run's process group and every process carrying its token; return how
    many were still alive."""
    if pgid is not None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    killed = 0
    for _ in range(100):  # up to 5 s on a loaded machine; usually one pass
        pids = tagged_pids(token)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.05)  # let the kernel tear them down before looking again
    return killed


def run(
    argv: list[str],
    *,
    env: dict[str, str],
    deadline_s: float,
    memory_mb: int,
    stdin: bytes = b"",
    cwd: str | None = None,
) -> Outcome:
    token = uuid.uuid4().hex
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603 - argv built by our code, no shell
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, TOKEN_VAR: token},
        cwd=cwd,
        start_new_session=True,
    )
    out: dict[str, bytes] = {"stdout": b"", "stderr": b""}

    def read(name: str, stream) -> None:
        chunks, size = [], 0
        for chunk in iter(lambda: stream.read(65536), b""):
            if size < OUTPUT_CAP:
                chunks.append(chunk)
                size += len(chunk)
        out[name] = b"".join(chunks)

    readers = [
        threading.Thread(target=read, args=("stdout", proc.stdout), daemon=True),
        threading.Thread(target=read, args=("stderr", proc.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    timed_out = memory_exceeded = False
    peak = 0
    try:
        while proc.poll() is None:
            if time.monotonic() - started > deadline_s:
                timed_out = True
                break
            rss = _rss_mb(tagged_pids(token))
            peak = max(peak, rss)
            if rss > memory_mb:
                memory_exceeded = True
                break
            try:
                proc.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                pass
    finally:
        reaped = reap(token, proc.pid)
        proc.wait()
        for reader in readers:
            reader.join(timeout=5)
    return Outcome(
        returncode=None if (timed_out or memory_exceeded) else proc.returncode,
        stdout=out["stdout"],
        stderr=out["stderr"],
        timed_out=timed_out,
        memory_exceeded=memory_exceeded,
        peak_rss_mb=peak,
        elapsed_s=time.monotonic() - started,
        reaped=reaped,
        token=token,
    )
