""" "Check now" queues one probe (never probes inside the web request) and the monitor page
shows the result when the worker has recorded it; read-only polling until then."""

from __future__ import annotations

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from checks.monitoring import services
from checks.monitoring.models import ProbeResult
from clients.jobs.services import WORKER_UNREACHABLE


@pytest.fixture
def queue_only():
    """Huey out of immediate mode on an in-memory queue: tasks wait there, unrun."""
    from huey.storage import MemoryStorage

    saved = HUEY.immediate, HUEY.storage
    HUEY.immediate = False
    HUEY.storage = MemoryStorage(HUEY.name)
    yield HUEY
    HUEY.immediate, HUEY.storage = saved


def test_check_now_queues_the_probe_and_the_page_shows_the_result_when_it_lands(
    staff_client, site, make_monitor, queue_only
):
    from django.utils import timezone

    monitor = make_monitor(site.url, now=timezone.now())
    response = staff_client.post(reverse("monitoring:monitor_check", args=[monitor.code]))
    assert response.status_code == 302 and "?checking=" in response["Location"]
    assert not ProbeResult.objects.exists()
    assert queue_only.pending_count() == 1  # queued, not probed in the request

    page = staff_client.get(response["Location"]).content.decode()
    assert "Checking" in page and 'hx-trigger="every 1s"' in page
    poll_url = (
        reverse("monitoring:monitor_check_status", args=[monitor.code])
        + "?"
        + response["Location"].split("?")[1].split("#")[0]
    )
    assert "Checking" in staff_client.get(poll_url).content.decode()

    task = queue_only.dequeue()
    assert task.name.endswith("monitor_check_task") and task.args == (monitor.pk,)
    services.monitor_check_now(monitor=monitor)  # what the task does, in the worker's turn
    landed = staff_client.get(poll_url).content.decode()
    assert "Check now: up, HTTP 200" in landed and "hx-trigger" not in landed


def test_check_now_with_the_queue_down_is_503_with_the_sentence(
    staff_client, site, make_monitor, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(HUEY, "enqueue", unreachable)
    monitor = make_monitor(site.url)
    response = staff_client.post(reverse("monitoring:monitor_check", args=[monitor.code]))
    assert response.status_code == 503 and WORKER_UNREACHABLE in response.content.decode()
