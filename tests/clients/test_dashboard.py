from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import BusinessType, Client, Impact, Maturity


def _make_sprints(n, consultant, *, offset=0):
    for i in range(n):
        client = Client.objects.create(
            name=f"Client {offset + i}", business_type=BusinessType.B2B, maturity=Maturity.DEMO
        )
        sprint = services.sprint_start(
            client=client, by=consultant, started_at=timezone.now() - timedelta(hours=10 * i)
        )
        services.finding_create(
            sprint=sprint,
            by=consultant,
            stage=sprint.stages.get(number=1),
            title="x",
            impact=Impact.BLOCKER,
        )


def _query_count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboard"))
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
    calm = Client.objects.create(
        name="Calm", business_type=BusinessType.COACH, maturity=Maturity.IDEA
    )
    services.sprint_start(client=calm, by=consultant)
    late = Client.objects.create(
        name="Late", business_type=BusinessType.COACH, maturity=Maturity.IDEA
    )
    services.sprint_start(
        client=late, by=consultant, started_at=timezone.now() - timedelta(hours=50)
    )
    blocked = Client.objects.create(
        name="Blocked", business_type=BusinessType.COACH, maturity=Maturity.IDEA
    )
    sprint = services.sprint_start(client=blocked, by=consultant)
    services.finding_create(
        sprint=sprint,
        by=consultant,
        stage=sprint.stages.get(number=1),
        title="x",
        impact=Impact.BLOCKER,
    )
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert html.index("Late") < html.index("Blocked") < html.index("Calm")
    assert "overdue" in html


def test_dashboard_escapes_what_people_typed(staff_client, consultant):
    client = Client.objects.create(
        name='<script>alert("x")</script> & Co',
        business_type=BusinessType.CHATBOT,
        maturity=Maturity.IDEA,
    )
    sprint = services.sprint_start(client=client, by=consultant)
    services.finding_create(
        sprint=sprint,
        by=consultant,
        stage=sprint.stages.get(number=1),
        title="<img src=x onerror=y>",
        impact=Impact.BLOCKER,
    )
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert "<img src=x" not in html
    assert reverse("sprint_detail", args=[sprint.code]) in html


def test_dashboard_row_shows_stage_clock_blockers_and_last_activity(staff_client, consultant):
    client = Client.objects.create(
        name="Northwind", business_type=BusinessType.B2B, maturity=Maturity.DEMO
    )
    sprint = services.sprint_start(
        client=client, by=consultant, started_at=timezone.now() - timedelta(hours=6)
    )
    stage = sprint.stages.get(number=1)
    for title in ("DNS points nowhere", "No TLS"):
        services.finding_create(
            sprint=sprint, by=consultant, stage=stage, title=title, impact=Impact.BLOCKER
        )
    html = staff_client.get(reverse("dashboard")).content.decode()
    row = html[html.index("Northwind") - 200 : html.index("</tr>", html.index("Northwind"))]
    assert 'class="row-blocked"' in row
    assert "42 h left" in row
    assert '<span class="pill pill-bad">2</span>' in row
    assert "1/7" in row and 'aria-label="Stage 1 of 7"' in row
    assert "No TLS" in row  # the newest log line
    assert "2 open launch blockers" in html


def test_dashboard_paginates_in_urgency_order(staff_client, consultant):
    _make_sprints(3, consultant)  # started 0, 10 and 20 hours ago: 48, 38 and 28 hours left
    from clients.views import dashboard as view

    original, view.PAGE_SIZE = view.PAGE_SIZE, 2
    try:
        first = staff_client.get(reverse("dashboard")).content.decode()
        second = staff_client.get(reverse("dashboard") + "?page=2").content.decode()
    finally:
        view.PAGE_SIZE = original
    assert first.index("Client 2") < first.index("Client 1") and "Client 0" not in first
    assert "Client 0" in second and "Client 1" not in second
    assert "Sprints 1–2 of 3" in first


def test_ago_reads_like_a_person_wrote_it():
    from clients.views.dashboard import ago

    now = timezone.now()
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=7), now) == "7 min ago"
    assert ago(now - timedelta(hours=30), now) == "30 h ago"
    assert ago(now - timedelta(days=4), now) == "4 days ago"
