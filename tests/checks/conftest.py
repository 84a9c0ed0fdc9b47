"""Loopback lab for the checks tests: started once per session, emptied per test."""

from __future__ import annotations

import threading

import pytest
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

from tests.checks.servers import Lab


@pytest.fixture(scope="session")
def _lab_session():
    lab = Lab()
    yield lab
    lab.stop()


@pytest.fixture
def lab(_lab_session, settings):
    """The lab, with settings pointing the network boundary at it and private targets
    allowed (everything here is on 127.0.0.x)."""
    for name, value in _lab_session.settings_values().items():
        setattr(settings, name, value)
    _lab_session.reset()
    yield _lab_session
    _lab_session.reset()


@pytest.fixture
def real_queue(tmp_path):
    """Switch the project's Huey out of immediate mode onto the queue the settings
    configure: a fresh SQLite file here, or Redis when REDIS_URL is set (as in CI's
    PostgreSQL run). Huey is always restored, even if the test fails."""
    was_immediate, storage = HUEY.immediate, HUEY.storage
    saved_kwargs = dict(HUEY.storage_kwargs)
    finished = threading.Event()

    def _done(signal, task, *args, **kwargs):
        if task.name.endswith("run_checks"):
            finished.set()

    consumer = None
    try:
        HUEY.immediate = False
        if "filename" in HUEY.storage_kwargs:
            HUEY.storage_kwargs["filename"] = str(tmp_path / "queue.sqlite3")
        HUEY.storage = HUEY.create_storage()
        HUEY.flush()
        HUEY.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(_done)
        consumer = HUEY.create_consumer(
            workers=2, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2
        )
        consumer.start()
        yield finished
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        HUEY.disconnect_signal(_done)
        HUEY.flush()
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(saved_kwargs)
        HUEY.immediate = was_immediate
        HUEY.storage = storage
