"""The public status page: off until staff switch it on, only public monitors and public
updates, nothing internal in its HTML (swept over every text field), cacheable, and
incident emails with double opt-in and one-click leave."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone

from checks.monitoring import services as monitoring
from checks.monitoring.models import Incident, MaintenanceWindow, Monitor, ProbeResult
from checks.statuspage import services
from checks.statuspage.models import IncidentUpdate, PublicMonitor, StatusPage, Subscriber
from checks.statuspage.svg import bars_svg
from tests.afterlaunch.conftest import status_page_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def status_setup(client_a, make_monitor, consultant):
    now = timezone.now()
    public = make_monitor(
        "https://origin-7f3k.acme.test/healthz?probe=lr",
        name="Homepage origin behind LB 7f3k",
        expected_text="welcome-7f3k",
        alert_emails="oncall-7f3k@acme.test",
        now=now,
    )
    private = make_monitor(
        "https://admin-zq7.acme.test/internal/panel",
        name="Back office panel zq7",
        expected_text="dashboard-zq7",
        alert_emails="secops-zq7@acme.test",
        now=now,
    )
    Monitor.objects.filter(pk=public.pk).update(status="up", last_error="public monitor err 7f3k")
    Monitor.objects.filter(pk=private.pk).update(
        status="down", last_error="TLS handshake with 10.9.8.7 failed (zq7)"
    )
    for monitor, err in (
        (public, "503 from upstream pool-7f3k"),
        (private, "refused by db-zq7.internal"),
    ):
        ProbeResult.objects.create(
            monitor=monitor, checked_at=now - timedelta(minutes=3), ok=False, error=err
        )
        ProbeResult.objects.create(
            monitor=monitor, checked_at=now - timedelta(minutes=2), ok=True, latency_ms=120
        )
    pub_incident = Incident.objects.create(
        monitor=public,
        started_at=now - timedelta(hours=5),
        opened_at=now - timedelta(hours=5),
        closed_at=now - timedelta(hours=4, minutes=30),
        first_error="upstream pool-7f3k timed out",
        last_error="upstream pool-7f3k timed out",
    )
    priv_incident = Incident.objects.create(
        monitor=private,
        started_at=now - timedelta(hours=2),
        opened_at=now - timedelta(hours=2),
        first_error="db-zq7.internal refused",
        last_error="db-zq7.internal refused again",
    )
    MaintenanceWindow.objects.create(
        monitor=private,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
        reason="zq7 database upgrade",
    )
    MaintenanceWindow.objects.create(
        monitor=public,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1),
        reason="LB swap 7f3k",
    )
    for incident, state, body, shown in (
        (pub_incident, "resolved", "Bookings were slow for half an hour; fixed.", True),
        (pub_incident, "identified", "Staff note: pool-7f3k misconfigured", False),
        (priv_incident, "investigating", "Private zq7 incident note", True),
    ):
        services.incident_update_add(
            incident=incident, by=consultant, state=state, body=body, public=shown
        )
    status = status_page_on(client_a, {public.pk: ("Website", False)}, title="Acme Coaching")
    return status, public, private


def _texts(instance: models.Model) -> list[str]:
    """Every non-empty text value of a row, found by introspection."""
    out = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            value = getattr(instance, field.attname)
            if (
                isinstance(value, str)
                and len(value) >= 4
                and field.name not in {"code", "claim_token"}
            ):
                out.append(value)
    return out


def test_page_is_off_by_default_and_404_until_enabled(client, client_a):
    status = services.status_page_for(client_a)
    assert status.enabled is False
    assert client.get(reverse("status_public", args=[status.slug])).status_code == 404


def test_page_shows_public_monitor_and_public_updates_only(client, status_setup):
    status, public, private = status_setup
    html = client.get(reverse("status_public", args=["acme"])).content.decode()
    assert "Website" in html and "Bookings were slow for half an hour" in html
    assert "Staff note" not in html and "Private zq7 incident note" not in html
    assert html.count('class="service"') == 1
    assert "All systems operational" in html  # the private monitor is down, but not shown


def test_no_internal_text_of_any_monitor_reaches_the_page(client, status_setup):
    """Sweep: every text field of the private monitor, its results, incidents, windows
    and staff-only updates, and the public monitor's internal name, URL and errors."""
    status, public, private = status_setup
    html = client.get(reverse("status_public", args=["acme"])).content.decode()
    leaks = []
    rows: list[models.Model] = [private, public]
    for monitor in (private, public):
        rows += list(monitor.results.all()) + list(monitor.incidents.all())
        rows += list(monitor.maintenance_windows.all())
    rows += list(IncidentUpdate.objects.filter(public=False))
    rows += list(IncidentUpdate.objects.filter(incident__monitor=private))
    for row in rows:
        for text in _texts(row):
            if text in html:
                leaks.append((type(row).__name__, text))
    assert leaks == []
    assert "zq7" not in html and "7f3k" not in html


def test_url_is_shown_only_when_marked_public(client, status_setup):
    status, public, private = status_setup
    PublicMonitor.objects.filter(monitor=public).update(show_url=True)
    html = client.get(reverse("status_public", args=["acme"])).content.decode()
    assert public.url.replace("&", "&amp;") in html or public.url in html


def test_etag_and_conditional_get(client, status_setup):
    url = reverse("status_public", args=["acme"])
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=30"
    assert "Cookie" not in first.get("Vary", "")  # nothing per-visitor: shared caches may keep it
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_uptime_bars_count_each_day(client_a, make_monitor):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    monitor = make_monitor("https://acme.test/", now=now)
    for i in range(10):
        ProbeResult.objects.create(
            monitor=monitor, checked_at=now - timedelta(days=1, minutes=i), ok=i != 0, latency_ms=50
        )
    monitoring.rollups_build(now=now, hours=48)
    status = status_page_on(client_a, {monitor.pk: ("Site", False)})
    view = services.page_view(status, now=now)
    bars = view.entries[0].bars
    assert len(bars) == 90 and bars[-1].day == now.date()
    assert (bars[-2].total, bars[-2].failures) == (10, 1)
    assert view.entries[0].uptime_pct == 90.0


def test_bars_escape_the_public_name(client_a, make_monitor):
    monitor = make_monitor("https://acme.test/")
    status = status_page_on(client_a, {monitor.pk: ('<script>x</script> & "q"', False)})
    svg = bars_svg(services.page_view(status).entries[0])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_subscribe_confirm_update_and_leave_end_to_end(
    client, status_setup, consultant, django_capture_on_commit_callbacks
):
    status, public, private = status_setup
    response = client.post(
        reverse("status_subscribe", args=["acme"]), {"email": "Visitor@Example.test"}
    )
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/status/confirm/\S+/", mail.outbox[0].body).group(0)
    path = (
        link.split("launchready.test", 1)[-1]
        if "launchready.test" in link
        else "/" + link.split("/", 3)[3]
    )
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "visitor@example.test" and subscriber.confirmed_at is None
    # An update before confirming reaches nobody.
    incident = public.incidents.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_update_add(
            incident=incident, by=consultant, state="monitoring", body="Watching it.", public=True
        )
    assert len(mail.outbox) == 1
    assert client.get(path).status_code == 200  # shows a button; a link scanner confirms nothing
    assert Subscriber.objects.get().confirmed_at is None
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_update_add(
            incident=incident, by=consultant, state="resolved", body="All good again.", public=True
        )
        services.incident_update_add(
            incident=incident, by=consultant, state="resolved", body="Staff only", public=False
        )
    assert len(mail.outbox) == 2
    update_mail = mail.outbox[1]
    assert update_mail.to == ["visitor@example.test"] and "All good again." in update_mail.body
    assert "Website" in update_mail.subject and "7f3k" not in update_mail.body
    leave = update_mail.extra_headers["List-Unsubscribe"].strip("<>")
    assert update_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    leave_path = "/" + leave.split("/", 3)[3]
    assert client.post(leave_path).status_code == 200  # one click, no session
    assert not Subscriber.objects.exists()
    # Running the notification again sends nothing twice.
    last = IncidentUpdate.objects.filter(public=True).order_by("-created_at").first()
    assert services.update_notify(update_id=last.pk) == 0


def test_subscribe_refuses_bad_address_with_422_and_keeps_it(client, status_setup):
    response = client.post(reverse("status_subscribe", args=["acme"]), {"email": "not-an-address"})
    assert response.status_code == 422
    assert b'value="not-an-address"' in response.content and b"valid email" in response.content
    assert mail.outbox == []


def test_subscribe_is_rate_limited(client, status_setup):
    url = reverse("status_subscribe", args=["acme"])
    codes = [client.post(url, {"email": f"v{i}@example.test"}).status_code for i in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert Subscriber.objects.count() == 5


def test_staff_switch_page_on_and_pick_monitors(staff_client, client_a, make_monitor):
    monitor = make_monitor("https://acme.test/")
    url = reverse("status_settings", args=[client_a.code])
    assert staff_client.get(url).status_code == 200
    bad = staff_client.post(
        url,
        {
            "enabled": "on",
            "slug": "acme-live",
            "title": "Acme",
            f"pub_{monitor.code}": "on",
            f"name_{monitor.code}": "",
        },
    )
    assert bad.status_code == 422 and b"public name" in bad.content
    reserved = staff_client.post(url, {"enabled": "on", "slug": "confirm", "title": "Acme"})
    assert reserved.status_code == 422
    ok = staff_client.post(
        url,
        {
            "enabled": "on",
            "slug": "acme-live",
            "title": "Acme",
            f"pub_{monitor.code}": "on",
            f"name_{monitor.code}": "Website",
        },
    )
    assert ok.status_code == 302
    status = StatusPage.objects.get(client=client_a)
    assert status.enabled and status.slug == "acme-live"
    assert list(status.entries.values_list("public_name", flat=True)) == ["Website"]


def test_founder_cannot_open_staff_status_screens(founder_client, client_a, status_setup):
    status, public, private = status_setup
    assert founder_client.get(reverse("status_settings", args=[client_a.code])).status_code == 404
    incident = public.incidents.first()
    assert (
        founder_client.post(
            reverse("incident_update_new", args=[incident.code]), {"state": "resolved", "body": "x"}
        ).status_code
        == 404
    )


def test_staff_post_an_update_from_the_settings_screen(staff_client, status_setup):
    status, public, private = status_setup
    incident = public.incidents.first()
    url = reverse("incident_update_new", args=[incident.code])
    assert staff_client.post(url, {"state": "resolved", "body": ""}).status_code == 422
    assert (
        staff_client.post(
            url, {"state": "resolved", "body": "Fixed for good.", "public": "on"}
        ).status_code
        == 302
    )
    assert IncidentUpdate.objects.filter(body="Fixed for good.", public=True).exists()
