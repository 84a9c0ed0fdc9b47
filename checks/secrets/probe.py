"""The git boundary: which sources may be scanned, cloning them safely, and the raw
streams the scanner reads. Every git call goes through ``git_command`` so the same
defences apply everywhere:

- no terminal prompts, no askpass, no system or global config, no hooks, no
  fsmonitor, no external diff or textconv drivers (a hostile repository's config
  could otherwise run commands on the worker);
- only http, https and ssh transports for remote sources (``ext::`` and ``file://``
  are refused before git sees them, and ``GIT_ALLOW_PROTOCOL`` enforces it again);
- hosts resolving to private addresses are refused (``checks.net`` guard);
- a wall-clock deadline and a size cap on every clone.

Errors raised here carry messages written by us, never git's output verbatim: git's
stderr could quote file contents, and those could hold a secret.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from launchready.guard.rules import detect_text

_SAFE_CONFIG = [
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.quotePath=true",
    "-c",
    "core.pager=cat",
    "-c",
    "diff.external=",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "protocol.file.allow=user",
    "-c",
    "http.followRedirects=false",
    "-c",
    "safe.directory=*",
]
_SCP_LIKE = re.compile(
    r"^(?P<user>[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^:\\][^\\]*)$"
)
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class SourceRefused(ValueError):
    """A repository location we will not touch; the message is safe to show."""


class ScanError(RuntimeError):
    """The scan could not finish; the message is safe to show and log."""


@dataclass(frozen=True)
class Source:
    """A validated repository location. ``kind`` is "local" or "remote"."""

    kind: str
    location: str
    host: str = ""


def git_env(*, remote: bool) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/nonexistent"),
        "LANG": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o "
        "ConnectTimeout=15",
        "GIT_ALLOW_PROTOCOL": "http:https:ssh" if remote else "file",
        "GIT_NO_REPLACE_OBJECTS": "1",
    }
    if "SSH_AUTH_SOCK" in os.environ:
        env["SSH_AUTH_SOCK"] = os.environ["SSH_AUTH_SOCK"]
    return env


def git_command(repo: Path | None, *args: str) -> list[str]:
    cmd = ["git", *_SAFE_CONFIG]
    if repo is not None:
        cmd += ["-C", str(repo)]
    return [*cmd, *args]


# ---------------------------------------------------------------- sources


def validate_source(raw: str, *, local_roots: list[str] | None) -> Source:
    """Accept a local path (under one of ``local_roots``; any path when None, for the
    shell command) or an http(s)/ssh clone URL without a password in it."""
    value = raw.strip()
    if not value or len(value) > 500 or any(ord(c) < 32 for c in value) or " " in value:
        raise SourceRefused("Enter a local path or an http(s)/ssh clone URL.")
    if value.startswith("-") or "::" in value:
        raise SourceRefused("That location is not allowed.")
    if detect_text(value):
        raise SourceRefused("That URL seems to contain a secret: use a URL without credentials.")
    if value.startswith("/"):
        return _local_source(value, local_roots)
    lowered = value.lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*)://", lowered)
    if scheme and scheme.group(1) not in {"http", "https", "ssh"}:
        raise SourceRefused(
            "Only local paths and http(s)/ssh clone URLs are allowed (no file:// or ext::)."
        )
    if scheme:
        parts = urlsplit(value)
        if parts.password is not None or (parts.username and lowered.startswith("http")):
            raise SourceRefused(
                "Use a URL without credentials; give the worker an SSH deploy key instead."
            )
        host = parts.hostname or ""
    else:
        match = _SCP_LIKE.match(value)
        if not match or "." not in match.group("host"):
            raise SourceRefused(
                "Only local paths and http(s)/ssh clone URLs are allowed (no file:// or ext::)."
            )
        host = match.group("host")
    if not _HOST.match(host) or host.startswith((".", "-")):
        raise SourceRefused("That clone URL has no valid host name.")
    return Source("remote", value, host.lower())


def _local_source(value: str, local_roots: list[str] | None) -> Source:
    path = Path(os.path.realpath(value))
    if local_roots is not None:
        roots = [Path(os.path.realpath(root)) for root in local_roots]
        if not any(path == root or root in path.parents for root in roots):
            raise SourceRefused(
                "Local paths must be inside a folder the administrator allowed "
                "(SECRETS_SCAN_LOCAL_ROOTS)."
            )
    if not path.is_dir():
        raise SourceRefused("No repository at that path.")
    if not ((path / ".git").exists() or (path / "HEAD").is_file()):
        raise SourceRefused("That folder is not a git repository.")
    return Source("local", str(path))


def guard_host(host: str) -> None:
    """Refuse hosts that are, or resolve to, private addresses (SSRF guard)."""
    from checks import net

    addresses: tuple[str, ...]
    if net.is_ip(host):
        addresses = (host.strip("[]"),)
    else:
        addresses = net.resolve_addresses(host, timeout=5.0).addresses
        if not addresses:
            raise SourceRefused(f"Cannot resolve {host}.")
    for address in addresses:
        refusal = net.address_refusal(address)
        if refusal:
            raise SourceRefused(f"{host} points to an address the scanner may not contact.")


# ---------------------------------------------------------------- cloning


def _dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _safe_tail(stderr: bytes) -> str:
    """Git's last stderr line, only when it cannot carry a secret."""
    lines = [
        line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()
    ]
    if not lines:
        return ""
    tail = lines[-1][:200]
    return "" if detect_text(tail) else f": {tail}"


def clone_mirror(source: Source, dest: Path, *, timeout: float, max_bytes: int) -> None:
    """``git clone --mirror`` into ``dest`` (which must not exist), within the limits."""
    remote = source.kind == "remote"
    if remote:
        guard_host(source.host)
    cmd = git_command(
        None, "clone", "--mirror", "--quiet", "--template=", "--", source.location, str(dest)
    )
    deadline = time.monotonic() + timeout
    with subprocess.Popen(  # noqa: S603 - fixed argv, validated location
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=git_env(remote=remote),
    ) as proc:
        stderr = b""
        while True:
            try:
                _, stderr = proc.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.communicate()
                    raise ScanError(f"Cloning took longer than {int(timeout)} s.") from None
                if dest.exists() and _dir_size(dest) > max_bytes:
                    proc.kill()
                    proc.communicate()
                    raise ScanError(
                        f"The repository is larger than {max_bytes // 1_000_000} MB."
                    ) from None
        if proc.returncode != 0:
            raise ScanError(f"git clone failed (exit {proc.returncode}){_safe_tail(stderr)}")
    if _dir_size(dest) > max_bytes:
        raise ScanError(f"The repository is larger than {max_bytes // 1_000_000} MB.")


def run_git(repo: Path, *args: str, timeout: float = 60.0, remote: bool = False) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603
            git_command(repo, *args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=git_env(remote=remote),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ScanError(f"git {args[0]} took longer than {int(timeout)} s.") from None
    if done.returncode != 0:
        raise ScanError(f"git {args[0]} failed (exit {done.returncode}){_safe_tail(done.stderr)}")
    return done.stdout


def count_commits(repo: Path) -> int:
    out = run_git(repo, "rev-list", "--all", "--count", "--no-merges")
    return int(out.strip() or 0)


def has_commits(repo: Path) -> bool:
    return bool(run_git(repo, "for-each-ref", "--count=1", "--format=%(refname)").strip())


# Patches as plain text whatever the repository's own settings say: binary-looking
# files forced to text, renames shown as additions (scanned under the new name), no
# context lines, no external diff drivers, and a ``\0<sha> <author epoch>`` header.
_LOG_PATCH_OPTIONS = (
    "-U0",
    "--no-renames",
    "--text",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--format=%x00%H %at",
)


@contextmanager
def _log_stream(repo: Path, *selection: str) -> Iterator[subprocess.Popen[bytes]]:
    """git log's output to read line by line; git is killed if the reader stops early
    (time limit, error), and always reaped."""
    cmd = git_command(repo, "log", "--all", *selection, *_LOG_PATCH_OPTIONS)
    proc = subprocess.Popen(  # noqa: S603
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_env(remote=False),
        bufsize=1 << 20,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def history_stream(repo: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """Every ordinary commit's patch, newest first, deletions skipped."""
    return _log_stream(repo, "--no-merges", "-p", "--diff-filter=d")


def merge_stream(repo: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """Merge commits only, as combined diffs against all parents (``--cc``): a line
    that every parent lacks, one a person typed while resolving a conflict, shows with
    a "+" in every parent's column."""
    return _log_stream(repo, "--merges", "--cc")


def worktree_files(path: Path) -> list[str]:
    """Files of a checkout that differ from its last commit: modified, and untracked but
    not ignored. Unchanged tracked files are HEAD's blobs, already read in the history."""
    if not (path / ".git").exists():
        return []
    out = run_git(path, "ls-files", "-z", "--modified", "--others", "--exclude-standard")
    return sorted({name for name in out.decode("utf-8", "replace").split("\0") if name})


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def head_blobs(repo: Path, paths: list[str], *, max_bytes: int = 5_000_000) -> dict[str, bytes]:
    """The content of ``paths`` in HEAD (missing ones left out), via one cat-file process."""
    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    request = "".join(f"HEAD:{p}\n" for p in wanted).encode()
    out = subprocess.run(  # noqa: S603
        git_command(repo, "cat-file", "--batch"),
        input=request,
        capture_output=True,
        env=git_env(remote=False),
        timeout=120,
        check=False,
    ).stdout
    blobs: dict[str, bytes] = {}
    pos = 0
    for path in wanted:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            if size <= max_bytes:
                blobs[path] = out[pos : pos + size]
            pos += size + 1
    return blobs
