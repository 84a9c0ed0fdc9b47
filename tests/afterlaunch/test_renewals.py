"""The renewal calendar: RDAP through the network boundary (a real RDAP server on
loopback), certificates from checks and monitors, recorded account dates, the staff
page's order and filters, and the iCalendar feeds parsed back."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from checks.models import CheckResult, CheckRun
from checks.monitoring.models import Monitor
from checks.renewals import services
from checks.renewals.models import CalendarFeed, Registration
from clients.jobs.models import JobStatus
from clients.models import Domain, ServiceAccount

pytestmark = pytest.mark.django_db


class _Rdap(BaseHTTPRequestHandler):
    """/bootstrap/domain/X redirects to /registry/domain/X, as rdap.org does."""

    def do_GET(self) -> None:  # noqa: N802
        expiries = self.server.expiries  # type: ignore[attr-defined]
        if self.path.startswith("/bootstrap/domain/"):
            self.send_response(302)
            self.send_header("Location", self.path.replace("/bootstrap/", "/registry/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        name = self.path.rsplit("/", 1)[-1]
        if name not in expiries:
            body, status = b'{"errorCode": 404}', 404
        else:
            status = 200
            body = json.dumps(
                {
                    "objectClassName": "domain",
                    "ldhName": name,
                    "events": [
                        {"eventAction": "registration", "eventDate": "2019-01-01T00:00:00Z"},
                        {"eventAction": "expiration", "eventDate": expiries[name]},
                    ],
                }
            ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def rdap_server(settings):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Rdap)
    httpd.expiries = {"acme.test": "2026-12-24T10:00:00Z"}  # type: ignore[attr-defined]
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    settings.RDAP_BASE_URL = f"http://127.0.0.1:{httpd.server_address[1]}/bootstrap/domain/"
    settings.RDAP_TIMEOUT_SECONDS = 3
    yield httpd
    httpd.shutdown()
    httpd.server_close()


TODAY = date(2026, 11, 28)


@pytest.fixture
def renewals_data(client_a, client_b, sprint_a, make_monitor):
    """client A: acme.test from RDAP, a cert from checks, a cert from a monitor, two
    accounts (one overdue); client B: a recorded domain date."""
    Registration.objects.create(
        domain=Domain.objects.get(hostname="bravo.test"), recorded_expires_on=date(2027, 2, 1)
    )
    run = CheckRun.objects.create(
        sprint=sprint_a, status=JobStatus.DONE, finished_at=timezone.now()
    )
    CheckResult.objects.create(
        run=run,
        check_id="tls.expiry",
        target="acme.test (203.0.113.5)",
        status="pass",
        summary="ok",
        evidence={"not_after": "2027-01-10T12:00:00+00:00", "days_left": 43},
    )
    monitor = make_monitor("https://app.acme.test/login")
    Monitor.objects.filter(pk=monitor.pk).update(
        cert_not_after=datetime(2026, 12, 5, 8, tzinfo=UTC)
    )
    ServiceAccount.objects.create(
        client=client_a, kind="hosting", vendor="Render", renewal_date=date(2026, 11, 20)
    )
    ServiceAccount.objects.create(
        client=client_a, kind="email", vendor="Postmark", renewal_date=date(2026, 12, 15)
    )


def test_rdap_expiry_is_read_through_a_redirect(client_a, rdap_server):
    domain = Domain.objects.get(hostname="www.acme.test")
    reg = services.registration_refresh(domain=domain)
    assert reg.rdap_expires_at == datetime(2026, 12, 24, 10, tzinfo=UTC)
    assert reg.rdap_error == ""


def test_unknown_name_and_unreachable_registry_keep_the_recorded_date(client_b, rdap_server):
    domain = Domain.objects.get(hostname="bravo.test")
    Registration.objects.create(domain=domain, recorded_expires_on=date(2027, 2, 1))
    reg = services.registration_refresh(domain=domain)
    assert reg.rdap_expires_at is None and "no RDAP record" in reg.rdap_error
    rdap_server.shutdown()
    rdap_server.server_close()
    reg = services.registration_refresh(domain=domain)
    assert reg.rdap_error.startswith("RDAP lookup failed")
    [renewal] = services.renewals_list(clients=[client_b], kind="domain", today=TODAY)
    assert (renewal.due, renewal.source) == (date(2027, 2, 1), "recorded")


def test_rdap_goes_through_the_private_address_guard(client_a, rdap_server, settings):
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    reg = services.registration_refresh(domain=Domain.objects.get(hostname="acme.test"))
    assert reg.rdap_expires_at is None and reg.rdap_error.startswith("RDAP lookup failed")


def test_refresh_due_looks_each_registrable_domain_up_once_a_day(client_a, rdap_server):
    now = timezone.now()
    assert services.registrations_refresh_due(now=now) == 1  # acme.test and www.acme.test: one name
    assert services.registrations_refresh_due(now=now + timedelta(hours=2)) == 0


def test_list_is_overdue_first_then_by_date_and_filters(
    client_a, client_b, renewals_data, rdap_server
):
    services.registration_refresh(domain=Domain.objects.get(hostname="acme.test"))
    rows = services.renewals_list(clients=[client_a, client_b], today=TODAY)
    assert [(r.kind, r.subject, r.due, r.source) for r in rows] == [
        ("account", "Render (Hosting / deployment)", date(2026, 11, 20), "recorded"),
        ("certificate", "TLS certificate for app.acme.test", date(2026, 12, 5), "uptime monitor"),
        ("account", "Postmark (Email sending)", date(2026, 12, 15), "recorded"),
        ("domain", "acme.test registration", date(2026, 12, 24), "RDAP"),
        ("certificate", "TLS certificate for acme.test", date(2027, 1, 10), "last check"),
        ("domain", "bravo.test registration", date(2027, 2, 1), "recorded"),
    ]
    assert rows[0].days_left(TODAY) < 0
    only_b = services.renewals_list(clients=[client_b], today=TODAY)
    assert [r.subject for r in only_b] == ["bravo.test registration"]
    certs = services.renewals_list(clients=[client_a, client_b], kind="certificate", today=TODAY)
    assert {r.kind for r in certs} == {"certificate"} and len(certs) == 2


def test_staff_page_filters_and_founder_gets_404(
    staff_client, founder, client, client_a, client_b, renewals_data
):
    url = reverse("renewal_calendar")
    html = staff_client.get(url).content.decode()
    assert "Render" in html and "bravo.test registration" in html
    html = staff_client.get(url, {"client": client_b.code}).content.decode()
    assert "bravo.test registration" in html and "Render" not in html
    html = staff_client.get(url, {"kind": "account"}).content.decode()
    assert "Render" in html and "bravo.test registration" not in html
    client.force_login(founder)
    assert client.get(url).status_code == 404


def _events(body: bytes):
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def test_ics_feed_parses_with_one_event_per_renewal_and_two_alarms(
    client, consultant, client_a, client_b, renewals_data
):
    feed = services.feed_create(owner=consultant, client=None)
    response = client.get(reverse("renewal_feed_ics", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    expected = services.renewals_list(clients=[client_a, client_b], today=timezone.localdate())
    dated = [r for r in expected if r.due is not None]
    assert len(events) == len(dated) == 5  # acme.test has no date until RDAP answers
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)
    for renewal in dated:
        event = by_uid[f"{renewal.uid}@launchready"]
        assert event.decoded("DTSTART") == renewal.due
        assert event.decoded("DTEND") == renewal.due + timedelta(days=1)
        assert renewal.subject in str(event["SUMMARY"])
        alarms = event.walk("VALARM")
        assert sorted(a.decoded("TRIGGER") for a in alarms) == [
            timedelta(days=-30),
            timedelta(days=-7),
        ]
        assert all(str(a["ACTION"]) == "DISPLAY" for a in alarms)


def test_client_feed_shows_only_that_client(client, consultant, client_a, client_b, renewals_data):
    feed = services.feed_create(owner=consultant, client=client_b)
    events = _events(client.get(reverse("renewal_feed_ics", args=[feed.token])).content)
    assert [str(e["SUMMARY"]) for e in events] == ["Bravo Bots: bravo.test registration renews"]


def test_revoked_or_unknown_token_is_404(staff_client, client, consultant, renewals_data):
    feed = services.feed_create(owner=consultant, client=None)
    url = reverse("renewal_feed_ics", args=[feed.token])
    assert client.get(url).status_code == 200
    assert staff_client.post(reverse("renewal_feed_revoke", args=[feed.code])).status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(reverse("renewal_feed_ics", args=["x" * 43])).status_code == 404


def test_a_feed_stops_when_its_owner_loses_access(client, consultant, renewals_data):
    feed = services.feed_create(owner=consultant, client=None)
    consultant.is_staff = False
    consultant.save()
    assert _events(client.get(reverse("renewal_feed_ics", args=[feed.token])).content) == []


def test_staff_create_feeds_and_cannot_revoke_anothers(staff_client, client, client_b, consultant):
    from django.contrib.auth import get_user_model

    assert (
        staff_client.post(
            reverse("renewal_feed_new"), {"client": client_b.code, "label": "Bravo"}
        ).status_code
        == 302
    )
    feed = CalendarFeed.objects.get()
    assert feed.client == client_b and feed.owner == consultant and len(feed.token) >= 40
    other = get_user_model().objects.create_user("other-staff", is_staff=True)
    client.force_login(other)
    assert client.post(reverse("renewal_feed_revoke", args=[feed.code])).status_code == 404
    assert CalendarFeed.objects.get().revoked_at is None
