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
            sprint=sprint, by=consultant, stage=sprint.stages.get(number=1), title="x", impact=Impact.BLOCKER
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
    calm = Client.objects.create(name="Calm", business_type=BusinessType.COACH, maturity=Maturity.IDEA)
    services.sprint_start(client=calm, by=consultant)
    late = Client.objects.create(name="Late", business_type=BusinessType.COACH, maturity=Maturity.IDEA)
    services.sprint_start(client=late, by=consultant, started_at=timezone.now() - timedelta(hours=50))
    blocked = Client.objects.create(name="Blocked", business_type=BusinessType.COACH, maturity=Maturity.IDEA)
    sprint = services.sprint_start(client=blocked, by=consultant)
    services.finding_create(
        sprint=sprint, by=consultant, stage=sprint.stages.get(number=1), title="x", impact=Impact.BLOCKER
    )
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert html.index("Late") < html.index("Blocked") < html.index("Calm")
    assert "overdue" in html
