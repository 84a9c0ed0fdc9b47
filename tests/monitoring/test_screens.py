"""Monitor screens: staff forms (422 keeps what was typed), founders see their own
client's monitors only (404 otherwise), the dashboard lists what is down."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from checks.monitoring import services
from checks.monitoring.models import Monitor

FORM = {
    "name": "Booking page",
    "kind": "url",
    "url": "https://acme.test/book",
    "method": "GET",
    "expected_status": "200",
    "expected_text": "Book",
    "interval_seconds": "60",
    "timeout_seconds": "10",
    "failures_before_alert": "2",
    "alert_emails": "founder@acme.test",
    "webhook_url": "",
    "reminder_hours": "6",
}


def _monitor(client, by, *, name="Home", url="https://acme.test/") -> Monitor:
    return services.monitor_create(
        client=client, by=by, name=name, url=url, alert_emails="a@b.test"
    )


def test_staff_adds_a_monitor_during_the_sprint(staff_client, client_a, sprint_a):
    response = staff_client.post(reverse("monitoring:monitor_add", args=[client_a.code]), FORM)
    monitor = Monitor.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "monitoring:monitor_detail", args=[monitor.code]
    )
    assert (monitor.client, monitor.sprint, monitor.status) == (client_a, sprint_a, "new")
    assert monitor.next_due_at <= timezone.now()


def test_invalid_monitor_form_answers_422_and_keeps_what_was_typed(staff_client, client_a):
    bad = {
        **FORM,
        "interval_seconds": "10",
        "alert_emails": "founder@acme.test, not-an-email",
        "url": "ftp://acme.test/",
    }
    response = staff_client.post(reverse("monitoring:monitor_add", args=[client_a.code]), bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert "not-an-email" in page and 'value="Booking page"' in page and 'value="10"' in page
    assert "Ensure this value is greater than or equal to 30" in page
    assert not Monitor.objects.exists()


def test_staff_edit_pause_and_resume(staff_client, client_a, consultant):
    monitor = _monitor(client_a, consultant)
    response = staff_client.post(
        reverse("monitoring:monitor_edit", args=[monitor.code]), {**FORM, "name": "Homepage"}
    )
    assert response.status_code == 302
    staff_client.post(reverse("monitoring:monitor_pause", args=[monitor.code]))
    monitor.refresh_from_db()
    assert (monitor.name, monitor.enabled, monitor.display_status) == ("Homepage", False, "paused")
    staff_client.post(reverse("monitoring:monitor_resume", args=[monitor.code]))
    monitor.refresh_from_db()
    assert monitor.enabled and monitor.status == "new"


def test_maintenance_window_form_rejects_an_end_before_the_start(
    staff_client, client_a, consultant
):
    monitor = _monitor(client_a, consultant)
    url = reverse("monitoring:maintenance_add", args=[monitor.code])
    response = staff_client.post(
        url, {"starts_at": "2026-03-02T10:00", "ends_at": "2026-03-02T09:00", "reason": "deploy"}
    )
    assert response.status_code == 422 and "must end after it starts" in response.content.decode()
    response = staff_client.post(
        url, {"starts_at": "2026-03-02T10:00", "ends_at": "2026-03-02T11:00", "reason": "deploy"}
    )
    assert response.status_code == 302 and monitor.maintenance_windows.count() == 1


def test_founder_sees_own_monitors_with_charts(founder_client, client_a, consultant):
    monitor = _monitor(client_a, consultant, name="Homepage")
    response = founder_client.get(reverse("monitoring:monitor_portal", args=[client_a.code]))
    page = response.content.decode()
    assert response.status_code == 200 and "Homepage" in page and "<svg" in page
    assert reverse("monitoring:monitor_edit", args=[monitor.code]) not in page


def test_founder_gets_404_for_another_clients_monitors(founder_client, client_b, consultant):
    other = _monitor(client_b, consultant, name="Bravo API", url="https://bravo.test/")
    url = reverse("monitoring:monitor_portal", args=[client_b.code])
    assert founder_client.get(url).status_code == 404
    assert (
        founder_client.get(reverse("monitoring:monitor_detail", args=[other.code])).status_code
        == 404
    )


def test_founder_gets_404_on_staff_monitor_screens_of_own_client(
    founder_client, client_a, consultant
):
    monitor = _monitor(client_a, consultant)
    for name, arg in (
        ("monitoring:monitor_list", client_a.code),
        ("monitoring:monitor_add", client_a.code),
        ("monitoring:monitor_detail", monitor.code),
        ("monitoring:monitor_edit", monitor.code),
    ):
        assert founder_client.get(reverse(name, args=[arg])).status_code == 404, name
    assert (
        founder_client.post(reverse("monitoring:monitor_pause", args=[monitor.code])).status_code
        == 404
    )


def test_dashboard_lists_monitors_that_are_down_across_clients(
    staff_client, client_a, client_b, consultant
):
    now = timezone.now()
    for client, status in ((client_a, "down"), (client_b, "up")):
        m = _monitor(client, consultant, name=f"{client.name} site", url="https://x.test/")
        Monitor.objects.filter(pk=m.pk).update(
            status=status, failing_since=now - timedelta(minutes=7), last_error="Connection refused"
        )
    page = staff_client.get(reverse("clients:dashboard")).content.decode()
    assert (
        "Monitors that are down now" in page
        and "Acme Coaching site" in page
        and "Bravo Bots site" not in page
    )


def test_client_page_and_stage_six_show_the_monitors_panel(
    staff_client, client_a, sprint_a, consultant
):
    _monitor(client_a, consultant, name="Homepage")
    assert (
        "Uptime monitors"
        in staff_client.get(reverse("clients:client_detail", args=[client_a.code])).content.decode()
    )


def test_portal_sprint_page_links_to_the_uptime_charts(
    founder_client, client_a, sprint_a, consultant
):
    _monitor(client_a, consultant, name="Homepage")
    page = founder_client.get(
        reverse("clients:portal_sprint", args=[sprint_a.code])
    ).content.decode()
    assert reverse("monitoring:monitor_portal", args=[client_a.code]) in page
