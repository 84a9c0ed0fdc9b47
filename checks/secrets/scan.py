"""The secret scan itself: stream a repository's history (and, for a local checkout,
its working tree) through the rules, and return redacted hits.

Pure of Django models: the service layer stores the result, the management command
prints it. Values exist only inside ``_Collector.add`` long enough to be redacted and
fingerprinted; exceptions raised out of here are ``ScanError`` with our own message.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from checks.secrets import probe
from checks.secrets.probe import ScanError, Source, SourceRefused
from launchready.guard.rules import candidate, detect, fingerprint, pem_body, redact

__all__ = ["Hit", "ScanError", "ScanReport", "SourceRefused", "scan_repository", "scan_git_dir"]

Progress = Callable[[str, int, int], None]  # (phase, done, total)

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_CHUNK = 1 << 20  # read at most 1 MiB of one line at a time
MAX_WORKTREE_FILE = 5_000_000


@dataclass
class Hit:
    """One secret at one path: where it was first committed, never the value."""

    rule: str
    path: str
    line: int
    commit: str  # "" when only seen in the working tree
    author_date: datetime | None
    preview: str
    fingerprint: str
    occurrences: int = 1
    in_worktree: bool = False


@dataclass
class ScanReport:
    source: str
    hits: list[Hit]
    commits: int = 0
    worktree_files: int = 0
    lines: int = 0
    allowlisted: int = 0
    seconds: float = 0.0

    @property
    def fingerprints(self) -> set[str]:
        return {hit.fingerprint for hit in self.hits}


@dataclass
class _Collector:
    allow: frozenset[str]
    hits: dict[tuple[str, str], Hit] = field(default_factory=dict)
    allowlisted: set[str] = field(default_factory=set)

    def add(
        self, rule: str, value: str, path: str, line: int, commit: str, epoch: int | None
    ) -> None:
        fp = fingerprint(rule, value)
        if fp in self.allow:
            self.allowlisted.add(fp)
            return
        key = (fp, path)
        hit = self.hits.get(key)
        when = datetime.fromtimestamp(epoch, UTC) if epoch is not None else None
        if hit is None:
            self.hits[key] = Hit(
                rule, path, line, commit, when, redact(value), fp, in_worktree=not commit
            )
        elif not commit:
            hit.in_worktree = True
            hit.occurrences += 1
        else:
            # History is read newest first, so the last sighting is where it was introduced.
            hit.occurrences += 1
            hit.line, hit.commit, hit.author_date = line, commit, when


def _unquote_path(raw: bytes) -> str:
    raw = raw.rstrip(b"\n").rstrip(b"\r")
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = codecs.escape_decode(raw[1:-1])[0]
    text = raw.decode("utf-8", "replace")
    return text[2:] if text.startswith("b/") else text


def _scan_line(
    collector: _Collector,
    text: str,
    path: str,
    line_no: int,
    commit: str,
    epoch: int | None,
    pending: dict[str, tuple[int, str]],
) -> None:
    """Run the rules over one line. A PEM header waits for the next line of the same
    file, so the key body (not the shared header) is what gets fingerprinted."""
    if path in pending:
        header_line, header = pending.pop(path)
        body = pem_body(text)
        collector.add("private-key", body or header, path, header_line, commit, epoch)
    for match in detect(text, path):
        if match.rule == "private-key":
            pending[path] = (line_no, match.value)
        else:
            collector.add(match.rule, match.value, path, line_no, commit, epoch)


def _commit_header(raw: bytes) -> tuple[str, int | None]:
    """``\0<sha> <author epoch>``, as probe's log streams print it."""
    sha, _, stamp = raw[1:].decode("ascii", "replace").strip().partition(" ")
    return sha, int(stamp) if stamp.isdigit() else None


def _flush_pending(
    collector: _Collector, pending: dict[str, tuple[int, str]], commit: str, epoch: int | None
) -> None:
    for path, (line_no, header) in pending.items():
        collector.add("private-key", header, path, line_no, commit, epoch)
    pending.clear()


def _scan_history(
    repo: Path,
    collector: _Collector,
    report: ScanReport,
    *,
    deadline: float,
    progress: Progress | None,
) -> None:
    total = probe.count_commits(repo)
    if progress:
        progress("history", 0, total)
    commit, epoch, path = "", None, ""
    new_line = remaining_new = remaining_old = 0
    continued = ""  # "scan" / "skip" while the previous read stopped inside a long line
    pending: dict[str, tuple[int, str]] = {}
    done = 0
    with probe.history_stream(repo) as proc:
        readline = proc.stdout.readline
        while True:
            raw = readline(_CHUNK)
            if not raw:
                break
            whole = raw.endswith(b"\n")
            if continued:
                # The rest of an overlong line: no diff marker, same line number.
                if continued == "scan" and candidate(raw):
                    _scan_line(
                        collector,
                        raw.decode("utf-8", "replace").rstrip("\r\n"),
                        path,
                        new_line - 1,
                        commit,
                        epoch,
                        pending,
                    )
                if whole:
                    continued = ""
                continue
            if remaining_new > 0 or remaining_old > 0:
                marker = raw[:1]
                if marker == b"+":
                    report.lines += 1
                    if pending or candidate(raw[1:]):
                        _scan_line(
                            collector,
                            raw[1:].decode("utf-8", "replace").rstrip("\r\n"),
                            path,
                            new_line,
                            commit,
                            epoch,
                            pending,
                        )
                    new_line += 1
                    remaining_new -= 1
                elif marker == b"-":
                    remaining_old -= 1
                elif marker == b" ":
                    remaining_new -= 1
                    remaining_old -= 1
                    new_line += 1
                if not whole:
                    continued = "scan" if marker == b"+" else "skip"
                continue
            if not whole:
                continued = "skip"
            if raw[:1] == b"\0":
                _flush_pending(collector, pending, commit, epoch)
                commit, epoch = _commit_header(raw)
                done += 1
                if done % 200 == 0:
                    if time.monotonic() > deadline:
                        raise ScanError("The scan took longer than the time limit.")
                    if progress:
                        progress("history", done, total)
            elif raw.startswith(b"@@ "):
                match = _HUNK.match(raw)
                if match:
                    remaining_old = int(match.group(1)) if match.group(1) is not None else 1
                    new_line = int(match.group(2))
                    remaining_new = int(match.group(3)) if match.group(3) is not None else 1
            elif raw.startswith(b"+++ "):
                path = "" if raw.startswith(b"+++ /dev/null") else _unquote_path(raw[4:])
            elif raw.startswith(b"diff --git "):
                _flush_pending(collector, pending, commit, epoch)
                path = ""
        _flush_pending(collector, pending, commit, epoch)
    if proc.returncode not in (0, None) and done == 0 and total:
        raise ScanError(f"git log failed (exit {proc.returncode}).")
    report.commits = total  # commits touching only deletions print no header
    if progress:
        progress("history", total, total)


_COMBINED_HUNK = re.compile(rb"^(@@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @@@+")


def _scan_merges(repo: Path, collector: _Collector, report: ScanReport, *, deadline: float) -> None:
    """Lines that exist only in a merge's result (typed while resolving a conflict).
    Everything else a merge brings was already read in the commit that added it."""
    commit, epoch, path = "", None, ""
    parents = 0
    new_line = 0
    old_left: list[int] = []
    new_left = 0
    pending: dict[str, tuple[int, str]] = {}
    with probe.merge_stream(repo) as proc:
        for raw in iter(lambda: proc.stdout.readline(_CHUNK), b""):
            if new_left > 0 or any(old_left):
                # One marker column per parent: "+" not in that parent, "-" only there.
                markers, body = raw[:parents].decode("latin-1"), raw[parents:]
                if len(markers) == parents and set(markers) <= {" ", "+", "-"}:
                    for i, m in enumerate(markers):
                        if m != "+" and old_left[i] > 0:
                            old_left[i] -= 1
                    if "-" not in markers:  # the line is in the merge's result
                        if markers == "+" * parents:
                            report.lines += 1
                            if pending or candidate(body):
                                text = body.decode("utf-8", "replace").rstrip("\r\n")
                                _scan_line(collector, text, path, new_line, commit, epoch, pending)
                        new_line += 1
                        new_left -= 1
                    continue
                new_left, old_left = 0, []
            if raw[:1] == b"\0":
                _flush_pending(collector, pending, commit, epoch)
                commit, epoch = _commit_header(raw)
                if time.monotonic() > deadline:
                    raise ScanError("The scan took longer than the time limit.")
            elif raw.startswith(b"@@@"):
                match = _COMBINED_HUNK.match(raw)
                if match:
                    parents = len(match.group(1)) - 1
                    old_left = [
                        int(r.split(b",")[1]) if b"," in r else 1 for r in match.group(2).split()
                    ]
                    new_line = int(match.group(3))
                    new_left = int(match.group(4)) if match.group(4) is not None else 1
            elif raw.startswith(b"+++ "):
                path = "" if raw.startswith(b"+++ /dev/null") else _unquote_path(raw[4:])
            elif raw.startswith(b"diff --cc ") or raw.startswith(b"diff --combined "):
                _flush_pending(collector, pending, commit, epoch)
                path = ""
        _flush_pending(collector, pending, commit, epoch)


def _mark_in_head(repo: Path, collector: _Collector) -> None:
    """Flag hits whose secret is still in the latest commit (not only in old history)."""
    paths = sorted({path for (_fp, path), hit in collector.hits.items() if hit.commit})
    for path, data in probe.head_blobs(repo, paths).items():
        probe_collector = _Collector(allow=collector.allow)
        pending: dict[str, tuple[int, str]] = {}
        for line_no, raw in enumerate(data.split(b"\n"), 1):
            if pending or candidate(raw):
                _scan_line(
                    probe_collector,
                    raw.decode("utf-8", "replace"),
                    path,
                    line_no,
                    "",
                    None,
                    pending,
                )
        _flush_pending(probe_collector, pending, "", None)
        for key in probe_collector.hits:
            if key in collector.hits:
                collector.hits[key].in_worktree = True


def _scan_worktree(
    root: Path,
    collector: _Collector,
    report: ScanReport,
    *,
    deadline: float,
    progress: Progress | None,
) -> None:
    names = probe.worktree_files(root)
    real_root = os.path.realpath(root)
    for index, name in enumerate(names, 1):
        full = os.path.realpath(root / name)
        if not full.startswith(real_root + os.sep) or not os.path.isfile(full):
            continue  # symlinks out of the checkout, submodules, deleted files
        try:
            if os.path.getsize(full) > MAX_WORKTREE_FILE:
                continue
            with open(full, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        report.worktree_files += 1
        pending: dict[str, tuple[int, str]] = {}
        if candidate(data):
            for line_no, raw in enumerate(data.split(b"\n"), 1):
                if pending or candidate(raw):
                    _scan_line(
                        collector,
                        raw.decode("utf-8", "replace").rstrip("\r"),
                        name,
                        line_no,
                        "",
                        None,
                        pending,
                    )
        _flush_pending(collector, pending, "", None)
        if index % 500 == 0:
            if time.monotonic() > deadline:
                raise ScanError("The scan took longer than the time limit.")
            if progress:
                progress("working tree", index, len(names))


def scan_git_dir(
    repo: Path,
    *,
    worktree: Path | None = None,
    allow: frozenset[str] = frozenset(),
    timeout: float = 600.0,
    progress: Progress | None = None,
    source: str = "",
) -> ScanReport:
    """Scan a repository already on disk (a bare mirror, or a checkout)."""
    started = time.monotonic()
    deadline = started + timeout
    collector = _Collector(allow=allow)
    report = ScanReport(source=source or str(repo), hits=[])
    if probe.has_commits(repo):
        _scan_history(repo, collector, report, deadline=deadline, progress=progress)
        _scan_merges(repo, collector, report, deadline=deadline)
        _mark_in_head(repo, collector)
    if worktree is not None:
        _scan_worktree(worktree, collector, report, deadline=deadline, progress=progress)
    report.hits = sorted(collector.hits.values(), key=lambda h: (h.path, h.line, h.rule))
    report.allowlisted = len(collector.allowlisted)
    report.seconds = time.monotonic() - started
    return report


def scan_repository(
    raw_source: str,
    *,
    local_roots: list[str] | None,
    allow: frozenset[str] = frozenset(),
    timeout: float = 600.0,
    max_bytes: int = 1_000_000_000,
    progress: Progress | None = None,
) -> ScanReport:
    """Validate ``raw_source``, mirror-clone it into a temporary folder, scan every
    commit's added lines (and the working tree of a local checkout), clean up."""
    source: Source = probe.validate_source(raw_source, local_roots=local_roots)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="lr-scan-"))
    try:
        if progress:
            progress("cloning", 0, 0)
        mirror = workdir / "mirror.git"
        probe.clone_mirror(source, mirror, timeout=timeout, max_bytes=max_bytes)
        remaining = max(1.0, timeout - (time.monotonic() - started))
        worktree = Path(source.location) if source.kind == "local" else None
        return scan_git_dir(
            mirror,
            worktree=worktree,
            allow=allow,
            timeout=remaining,
            progress=progress,
            source=source.location,
        )
    finally:
        probe.cleanup(workdir)
