"""Fixtures for the secrets tests: a git repository with planted secrets, and settings
that let the scanner read repositories under the test's temporary folder."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache

# Planted values: built from parts so this file itself does not trip a scanner.
OLD_DELETED = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"  # Stripe, committed then deleted
RENAMED = "ghp_" + "R3n4m3dT0k3nAbCdEfGhIjKlMnOpQrStUvWx"  # GitHub, in a file later renamed
BINARY = "AKIA" + "QX7ZB2RENAMEDBIN"  # AWS, inside a file git treats as binary
ALLOWED = "xoxb-" + "111122223333-444455556666-fixturetokenvalue"  # Slack, test fixture
PLANTED = (OLD_DELETED, RENAMED, BINARY, ALLOWED)


@dataclass
class PlantedRepo:
    path: Path

    def git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": "2024-03-01T10:00:00Z",
            "GIT_COMMITTER_DATE": "2024-03-01T10:00:00Z",
        }
        return subprocess.run(
            ["git", "-C", str(self.path), *args],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)


def make_repo(path: Path) -> PlantedRepo:
    path.mkdir(parents=True)
    repo = PlantedRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.email", "dev@acme.test")
    repo.git("config", "user.name", "Dev")
    (path / "README.md").write_text("# Acme app\n")
    (path / "config.py").write_text(f'STRIPE_SECRET_KEY = "{OLD_DELETED}"\nDEBUG = False\n')
    repo.commit("initial")
    (path / "config.py").write_text(
        'import os\nSTRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]\nDEBUG = False\n'
    )
    repo.commit("read the key from the environment")
    (path / "deploy.sh").write_text(
        f"#!/bin/sh\ncurl -H 'Authorization: token {RENAMED}' https://api.github.com\n"
    )
    repo.commit("deploy script")
    repo.git("mv", "deploy.sh", "scripts-deploy.sh")
    repo.commit("rename")
    (path / "logo.dat").write_bytes(
        b"\x89PNG\x00\x00\x01\xff\xfe" + f" aws_key={BINARY} ".encode() + b"\x00\x02\n"
    )
    repo.commit("binary asset")
    (path / "tests").mkdir()
    (path / "tests" / "fixture.txt").write_text(f"SLACK_BOT_TOKEN={ALLOWED}\n")
    repo.commit("test fixture")
    return repo


@pytest.fixture
def scan_root(tmp_path, settings):
    root = tmp_path / "repos"
    root.mkdir()
    settings.SECRETS_SCAN_LOCAL_ROOTS = [str(root)]
    return root


@pytest.fixture
def planted_repo(scan_root) -> PlantedRepo:
    return make_repo(scan_root / "acme")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()
