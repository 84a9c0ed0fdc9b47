"""Real faults for the background-job tests: a `run_huey` consumer in a subprocess (to be
SIGKILLed), and a redis-server on a spare loopback port (to be stopped and started).
Both share the test's database and queue, so what they do is what production does."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from huey.contrib.djhuey import HUEY

ROOT = Path(__file__).resolve().parent.parent


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database as a DATABASE_URL another process can open."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, *, timeout: float = 60, what: str = "condition"):
    # Waiting for another process to get somewhere, not timing it: the deadline only
    # stops a broken test from hanging.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def shared_queue(tmp_path: Path):
    """Point this process's Huey at a queue a subprocess consumer can read: a fresh SQLite
    file, or (when REDIS_URL is set, as in the PostgreSQL pass) Redis under a fresh name.
    Yields the environment a consumer needs for it. Huey is restored afterwards."""
    saved = HUEY.immediate, HUEY.storage, HUEY.name, dict(HUEY.storage_kwargs)
    name = f"lr-fault-{uuid.uuid4().hex[:8]}"
    env = {"HUEY_IMMEDIATE": "0", "HUEY_NAME": name}
    try:
        HUEY.immediate = False
        HUEY.name = name
        if "filename" in HUEY.storage_kwargs:
            HUEY.storage_kwargs["filename"] = env["HUEY_SQLITE_PATH"] = str(
                tmp_path / "queue.sqlite3"
            )
        HUEY.storage = HUEY.create_storage()
        HUEY.flush()
        yield env
    finally:
        HUEY.flush()
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(saved[3])
        HUEY.immediate, HUEY.name = saved[0], saved[2]
        HUEY.storage = saved[1]


class Consumer:
    """`manage.py run_huey` in its own process group, on the test database."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        full = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        full.update({"DATABASE_URL": database_url(), **env})
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_huey",
                "--workers",
                "2",
                "--worker-type",
                "thread",
                "--no-periodic",
                "--delay",
                "0.05",
                "--max-delay",
                "0.2",
            ],
            cwd=ROOT,
            env=full,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup, no signal handler, exactly a crashed or OOM-killed worker."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._out.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        if not self._out.closed:
            self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class RedisServer:
    """A redis-server of the test's own on a spare loopback port, stopped and started at will."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed (bin/test installs it)")
        self.port = spare_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=30, what="redis-server to answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None
