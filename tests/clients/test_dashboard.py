from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import BusinessType, Client, Impact, Maturity


def _sprint(consultant, name, *, hours_ago=0, blockers=(), business_type=BusinessType.COACH):
    """A client with a running sprint started hours_ago, one open launch blocker per title."""
    client = Client.objects.create(name=name, business_type=business_type, maturity=Maturity.IDEA)
    sprint = services.sprint_start(
        client=client, by=consultant, started_at=timezone.now() - timedelta(hours=hours_ago)
    )
    stage = sprint.stages.get(number=1)
    for title in blockers:
        services.finding_create(
            sprint=sprint, by=consultant, stage=stage, title=title, impact=Impact.BLOCKER
        )
    return sprint


def _make_sprints(n, consultant, *, offset=0):
    for i in range(n):
        _sprint(
            consultant,
            f"Client {offset + i}",
            hours_ago=10 * i,
            blockers=["x"],
            business_type=BusinessType.B2B,
        )


def _query_count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("clients:dashboard"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_sprints(staff_client, consultant):
    _make_sprints(2, consultant)
    few = _query_count(staff_client)
    _make_sprints(25, consultant, offset=2)
    many = _query_count(staff_client)
    assert many == few
    assert many <= 12


def test_dashboard_puts_overdue_first_then_blockers(staff_client, consultant):
    _sprint(consultant, "Calm")
    _sprint(consultant, "Late", hours_ago=50)
    _sprint(consultant, "Blocked", blockers=["x"])
    html = staff_client.get(reverse("clients:dashboard")).content.decode()
    assert html.index("Late") < html.index("Blocked") < html.index("Calm")
    assert "overdue" in html


def test_dashboard_escapes_what_people_typed(staff_client, consultant):
    sprint = _sprint(
        consultant,
        '<script>alert("x")</script> & Co',
        blockers=["<img src=x onerror=y>"],
        business_type=BusinessType.CHATBOT,
    )
    html = staff_client.get(reverse("clients:dashboard")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert "<img src=x" not in html
    assert reverse("clients:sprint_detail", args=[sprint.code]) in html


def test_dashboard_row_shows_stage_clock_blockers_and_last_activity(staff_client, consultant):
    _sprint(consultant, "Northwind", hours_ago=6, blockers=["DNS points nowhere", "No TLS"])
    html = staff_client.get(reverse("clients:dashboard")).content.decode()
    row = html[html.index("Northwind") - 200 : html.index("</tr>", html.index("Northwind"))]
    assert 'class="row-blocked"' in row
    assert "42 h left" in row
    assert '<span class="pill pill-bad">2</span>' in row
    assert "1/7" in row and 'aria-label="Stage 1 of 7"' in row
    assert "No TLS" in row  # the newest log line
    assert "2 open launch blockers" in html


def test_dashboard_paginates_in_urgency_order(staff_client, consultant, monkeypatch):
    _make_sprints(3, consultant)  # started 0, 10 and 20 hours ago: 48, 38 and 28 hours left
    monkeypatch.setattr("clients.views.dashboard.PAGE_SIZE", 2)
    first = staff_client.get(reverse("clients:dashboard")).content.decode()
    second = staff_client.get(reverse("clients:dashboard") + "?page=2").content.decode()
    assert first.index("Client 2") < first.index("Client 1") and "Client 0" not in first
    assert "Client 0" in second and "Client 1" not in second
    assert "Sprints 1–2 of 3" in first


def test_long_log_line_is_cut_once_when_written(staff_client, consultant):
    sprint = _sprint(consultant, "Wordy")
    services.activity_log(sprint=sprint, actor=consultant, kind="note", message="word " * 60)
    sprint.refresh_from_db()
    limit = sprint._meta.get_field("last_activity").max_length
    assert len(sprint.last_activity) == limit and sprint.last_activity.endswith("…")
    assert sprint.last_activity in staff_client.get(reverse("clients:dashboard")).content.decode()
