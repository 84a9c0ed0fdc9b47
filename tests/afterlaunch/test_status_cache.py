"""The public page's ETag comes from cheap facts: a matching If-None-Match answers 304
without reading the uptime data or building the page, the body is served from the cache
under its ETag, and any change the page would show gives a new ETag."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checks.monitoring.models import MaintenanceWindow, Monitor
from checks.statuspage import services
from checks.statuspage.models import StatusPage
from tests.afterlaunch import test_status_page

pytestmark = pytest.mark.django_db

status_setup = test_status_page.status_setup  # the same cast as the page tests

URL = reverse("status_public", args=["acme"])
HEAVY = ("monitoring_rollup", "monitoring_proberesult", "statuspage_dailyuptime")


@pytest.fixture(autouse=True)
def _frozen():
    """One minute, held still: the ETag holds the minute the page says "as of"."""
    cache.clear()
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        yield
    cache.clear()


def _heavy(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in HEAVY)]


def test_matching_etag_answers_304_without_building_the_page(client, status_setup):
    first = client.get(URL)
    assert first.status_code == 200 and first["ETag"].startswith('"')
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(URL, HTTP_IF_NONE_MATCH=f'"x", {first["ETag"]}')
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=30"
    assert _heavy(ctx) == [] and len(ctx.captured_queries) <= 5
    weak = client.get(URL, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")  # after a gzip proxy
    assert weak.status_code == 304


def test_body_is_served_from_the_cache_under_its_etag(client, status_setup):
    first = client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(URL)
    assert second.status_code == 200 and second.content == first.content
    assert second["ETag"] == first["ETag"] and _heavy(ctx) == []
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        third = client.get(URL)
    assert third.content == first.content and _heavy(ctx) != []  # built again


def _etag(client) -> str:
    return client.get(URL)["ETag"]


def test_every_change_the_page_shows_gives_a_new_etag(client, status_setup, consultant):
    status, public, private = status_setup
    seen = [_etag(client)]
    assert _etag(client) == seen[0]  # nothing changed, same ETag

    def changed() -> bool:
        etag = _etag(client)
        new = etag not in seen
        seen.append(etag)
        return new

    Monitor.objects.filter(pk=public.pk).update(status="down", consecutive_failures=3)
    assert changed()
    Monitor.objects.filter(pk=public.pk).update(consecutive_failures=4)
    assert changed()
    services.incident_update_add(
        incident=public.incidents.first(), by=consultant, state="monitoring", body="x", public=True
    )
    assert changed()
    services.status_page_update(
        page=StatusPage.objects.get(pk=status.pk),
        enabled=True,
        slug="acme",
        title="Acme Coaching Ltd",
        intro="",
        public={public.pk: ("Website", False)},
    )
    assert changed()
    window = MaintenanceWindow.objects.filter(monitor=public).get()
    MaintenanceWindow.objects.filter(pk=window.pk).update(
        starts_at=window.starts_at - timedelta(minutes=5)
    )
    assert changed()
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert changed()  # "as of" moved on


def test_what_private_monitors_do_does_not_change_the_etag(client, status_setup):
    status, public, private = status_setup
    etag = _etag(client)
    Monitor.objects.filter(pk=private.pk).update(status="up", consecutive_failures=0)
    MaintenanceWindow.objects.create(
        monitor=private,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    assert _etag(client) == etag
