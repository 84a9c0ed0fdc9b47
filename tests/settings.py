"""Settings for the tests: the production settings read from an environment with test
defaults, so a plain `uv run pytest` (pyproject.toml names this module) runs the suite
as bin/test does. Variables already set (DATABASE_URL, REDIS_URL, ...) win."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEST_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "test-only-secret-key-never-used-in-production-0123456789",
    "SITE_URL": "https://launchready.test",  # required when DEBUG=0 (handover links)
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "HUEY_IMMEDIATE": "1",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
for _name, _value in TEST_ENV.items():
    os.environ.setdefault(_name, _value)
if not os.environ.get("LAUNCHREADY_VAR_DIR"):
    # Set in the environment, so processes the tests start share the directory.
    os.environ["LAUNCHREADY_VAR_DIR"] = tempfile.mkdtemp(prefix="launchready-test.")
# WhiteNoise warns on every request when STATIC_ROOT is missing.
(Path(os.environ["LAUNCHREADY_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

from launchready.settings import *  # noqa: E402, F403
