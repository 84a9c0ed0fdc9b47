"""The secret scan end to end: planted secrets are found (old and deleted, renamed,
binary-looking), the allowlisted fixture is skipped, and no planted value reaches the
database, the logs or the Huey queue."""

from __future__ import annotations

import io
import json
import logging
import subprocess

import pytest
from django.core.management import call_command
from huey import SqliteHuey

from checks.secrets import scan, services, tasks
from checks.secrets.models import AllowlistEntry, ExposedKey, ScanRun
from clients.jobs.models import JobStatus as ScanStatus
from clients.models import FindingStatus
from launchready.guard.rules import fingerprint
from tests.secrets.conftest import ALLOWED, BINARY, OLD_DELETED, PLANTED, RENAMED


def _allow_fixture(client, consultant):
    AllowlistEntry.objects.create(
        client=client,
        fingerprint=fingerprint("slack-token", ALLOWED),
        reason="Test fixture, not a real token",
        created_by=consultant,
    )


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_scan_finds_old_renamed_and_binary_secrets_skips_allowed_and_leaks_nothing(
    planted_repo,
    client_a,
    sprint_a,
    consultant,
    caplog,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    caplog.set_level(logging.DEBUG)
    _allow_fixture(client_a, consultant)
    # A real, non-immediate queue on disk: what the task carries is what we inspect.
    queue = SqliteHuey("lr-test", filename=str(tmp_path / "queue.db"))
    queue._registry.register(tasks.scan_run_task.task_class)
    monkeypatch.setattr(tasks.scan_run_task, "huey", queue)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(client=client_a, by=consultant, source=str(planted_repo.path))
    assert queue.pending_count() == 1
    queued = (tmp_path / "queue.db").read_bytes()
    message = queue.dequeue()
    queue.execute(message)

    run.refresh_from_db()
    assert run.status == ScanStatus.DONE, run.error
    found = {(hit.rule, hit.path) for hit in run.hits.all()}
    assert ("stripe-key", "config.py") in found
    assert ("github-token", "scripts-deploy.sh") in found
    assert ("aws-key", "logo.dat") in found
    assert not any(path.startswith("tests/") for _, path in found)
    assert run.allowlisted == 1
    stripe = run.hits.get(rule="stripe-key")
    assert stripe.commit and stripe.author_date.year == 2024 and not stripe.in_worktree
    assert stripe.preview == "sk…dc"
    assert run.hits.get(
        rule="github-token", path="scripts-deploy.sh"
    ).in_worktree  # still in HEAD, renamed
    assert len(stripe.fingerprint) == 40

    findings = sprint_a.findings.filter(source=services.SCAN_SOURCE)
    assert findings.count() == 3
    assert all(f.impact == "1_blocker" and f.status == FindingStatus.OPEN for f in findings)

    evidence = (
        _dump()
        + caplog.text
        + queued.decode("latin-1")
        + (tmp_path / "queue.db").read_bytes().decode("latin-1")
    )
    for value in PLANTED:
        assert value not in evidence
        assert value[4:20] not in evidence  # not even a long slice of it


def test_rescan_after_history_rewrite_marks_findings_verified(
    planted_repo, client_a, sprint_a, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_request(client=client_a, by=consultant, source=str(planted_repo.path))
    assert (
        sprint_a.findings.filter(source=services.SCAN_SOURCE, status=FindingStatus.OPEN).count()
        == 4
    )
    # The client rewrites history: a fresh repository with none of the secrets, same place.
    git_dir = planted_repo.path
    import shutil

    shutil.rmtree(git_dir)
    git_dir.mkdir()
    planted_repo.git("init", "-q", "-b", "main")
    planted_repo.git("config", "user.email", "dev@acme.test")
    planted_repo.git("config", "user.name", "Dev")
    (git_dir / "config.py").write_text(
        'import os\nSTRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\n'
    )
    planted_repo.commit("clean history")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(client=client_a, by=consultant, source=str(planted_repo.path))
    run.refresh_from_db()
    assert run.status == ScanStatus.DONE and run.hits.count() == 0
    statuses = set(
        sprint_a.findings.filter(source=services.SCAN_SOURCE).values_list("status", flat=True)
    )
    assert statuses == {FindingStatus.VERIFIED}
    assert not ExposedKey.objects.filter(client=client_a, still_present=True).exists()


def test_scan_of_path_outside_allowed_roots_fails_safely(
    client_a, consultant, tmp_path, scan_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(client=client_a, by=consultant, source=str(tmp_path))
    run.refresh_from_db()
    assert run.status == ScanStatus.FAILED
    assert "SECRETS_SCAN_LOCAL_ROOTS" in run.error


def test_unexpected_error_is_recorded_without_its_message(
    planted_repo, client_a, consultant, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def explode(*args, **kwargs):
        raise ValueError(f"boom {RENAMED}")

    monkeypatch.setattr(services, "scan_repository", explode)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scan_request(client=client_a, by=consultant, source=str(planted_repo.path))
    run.refresh_from_db()
    assert run.status == ScanStatus.FAILED
    assert run.error == "Unexpected ValueError while scanning."
    assert RENAMED not in caplog.text


def test_task_for_a_missing_run_returns_quietly(db):
    tasks.scan_run_task.call_local(999999)


# ---------------------------------------------------------------- command


def test_command_prints_redacted_hits_and_exits_1(planted_repo, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("scan_secrets", str(planted_repo.path))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "stripe-key" in out and "scripts-deploy.sh" in out and "sk…dc" in out
    for value in PLANTED:
        assert value not in out


def test_command_json_output(planted_repo, capsys):
    with pytest.raises(SystemExit):
        call_command("scan_secrets", str(planted_repo.path), "--json")
    data = json.loads(capsys.readouterr().out)
    assert {hit["rule"] for hit in data["hits"]} >= {
        "stripe-key",
        "github-token",
        "aws-key",
        "slack-token",
    }
    assert all(
        set(hit) >= {"path", "line", "commit", "author_date", "preview", "fingerprint"}
        for hit in data["hits"]
    )


def test_command_exits_0_on_a_clean_repository(scan_root, capsys):
    from tests.secrets.conftest import PlantedRepo

    path = scan_root / "clean"
    path.mkdir()
    repo = PlantedRepo(path)
    repo.git("init", "-q")
    repo.git("config", "user.email", "a@b.test")
    repo.git("config", "user.name", "A")
    (path / "app.py").write_text("print('hello')\n")
    repo.commit("hello")
    call_command("scan_secrets", str(path))
    assert "No secrets found" in capsys.readouterr().out


def test_run_row_holds_only_the_key_in_the_queue(client_a, consultant):
    run = ScanRun.objects.create(client=client_a, source="https://example.com/r.git")
    task = tasks.scan_run_task.s(run.pk)
    assert task.args == (run.pk,) and not task.kwargs
    _ = BINARY, OLD_DELETED


def test_uncommitted_file_in_a_checkout_is_scanned(planted_repo, capsys):
    (planted_repo.path / ".env.local").write_text(
        "DATABASE_URL=postgres://app:" + "Zx81kqPw0aQm" + "@db:5432/app\n"
    )
    with pytest.raises(SystemExit):
        call_command("scan_secrets", str(planted_repo.path), "--json")
    hits = json.loads(capsys.readouterr().out)["hits"]
    env_hit = next(hit for hit in hits if hit["path"] == ".env.local")
    assert env_hit["rule"] == "database-url" and env_hit["commit"] == "" and env_hit["in_worktree"]


def test_overlong_minified_line_is_scanned_in_windows(scan_root, capsys):
    from tests.secrets.conftest import PlantedRepo

    path = scan_root / "bundle"
    path.mkdir()
    repo = PlantedRepo(path)
    repo.git("init", "-q")
    repo.git("config", "user.email", "a@b.test")
    repo.git("config", "user.name", "A")
    (path / "app.min.js").write_text(
        "var a=1;" * 300_000 + f'var k="{RENAMED}";' + "var b=2;" * 1000 + "\n"
    )
    repo.commit("bundle")
    with pytest.raises(SystemExit):
        call_command("scan_secrets", str(path), "--json")
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [hit["rule"] for hit in hits] == ["github-token"]


# ---------------------------------------------------------------- merges


def _conflicted_merge(scan_root, resolution: str):
    """Two branches change the same line; the merge's resolution is typed by hand."""
    from tests.secrets.conftest import PlantedRepo

    path = scan_root / "merged"
    path.mkdir()
    repo = PlantedRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.email", "a@b.test")
    repo.git("config", "user.name", "A")
    (path / "settings.py").write_text("HEADER = 1\nTOKEN = 'base'\nFOOTER = 2\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    (path / "settings.py").write_text("HEADER = 1\nTOKEN = 'feature'\nFOOTER = 2\n")
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    (path / "settings.py").write_text("HEADER = 1\nTOKEN = 'main'\nFOOTER = 2\n")
    repo.commit("main")
    subprocess.run(
        ["git", "-C", str(path), "merge", "-q", "feature"], capture_output=True, check=False
    )
    (path / "settings.py").write_text(f"HEADER = 1\n{resolution}\nFOOTER = 2\n")
    repo.commit("merge feature")
    return path


def test_secret_typed_while_resolving_a_merge_conflict_is_found(scan_root):
    secret = "ghp_" + "M3rg3R3s0lut10nT0k3nAbCdEfGhIjKlMnOp"
    path = _conflicted_merge(scan_root, f"TOKEN = '{secret}'")
    report = scan.scan_git_dir(path / ".git")
    hits = [h for h in report.hits if h.rule == "github-token"]
    assert len(hits) == 1
    assert hits[0].path == "settings.py" and hits[0].line == 2
    merge_sha = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert hits[0].commit == merge_sha
    assert secret not in repr(report)


def test_merge_that_only_takes_one_side_adds_nothing(scan_root):
    path = _conflicted_merge(scan_root, "TOKEN = 'main'")
    report = scan.scan_git_dir(path / ".git")
    assert report.hits == []
