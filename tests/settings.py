"""Settings for the tests: the production settings read from an environment with test
defaults, so a plain `uv run pytest` (pyproject.toml names this module) runs the suite
as bin/test does. Variables already set (DATABASE_URL, REDIS_URL, ...) win."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


def _own_redis_db(url: str, index: int) -> str:
    """The URL's Redis database number plus the worker's index: workers of one run never
    share a queue or cache (CI's db 7 gives 7, 8, ...). Redis has databases 0-15."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = base + index
    if db > 15:
        raise RuntimeError(f"REDIS_URL db {base} + xdist worker {index} is past Redis's db 15")
    return urlunsplit(parts._replace(path=f"/{db}"))


# pytest-xdist: each worker gets its own directory (SQLite test database, Huey's SQLite
# queue, media), Huey name and Redis database. Processes the tests start inherit the
# result; the marker keeps them from adding the suffix twice.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("LAUNCHREADY_TEST_WORKER") != _worker:
    os.environ["LAUNCHREADY_TEST_WORKER"] = _worker
    _var = Path(os.environ["LAUNCHREADY_VAR_DIR"]) / _worker
    _var.mkdir(parents=True, exist_ok=True)
    os.environ["LAUNCHREADY_VAR_DIR"] = str(_var)
    os.environ["HUEY_NAME"] = f"{os.environ.get('HUEY_NAME', 'launchready-test')}-{_worker}"
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _own_redis_db(
            os.environ["REDIS_URL"], int(_worker.removeprefix("gw"))
        )
# WhiteNoise warns on every request when STATIC_ROOT is missing.
(Path(os.environ["LAUNCHREADY_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

from launchready.settings import *  # noqa: E402, F403
