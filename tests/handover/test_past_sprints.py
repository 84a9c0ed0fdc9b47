"""Past sprints: finished sprints with outcome, finish date and handover version,
searchable by client name or code, in pages; staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import BusinessType, Client, Maturity, Outcome, Sprint
from handover.views.past import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _finished(name: str, by, *, outcome=Outcome.GO, days_ago: int = 1) -> Sprint:
    client = Client.objects.create(
        name=name, business_type=BusinessType.COACH, maturity=Maturity.LAUNCH
    )
    sprint = services.sprint_start(client=client, by=by)
    Sprint.objects.filter(pk=sprint.pk).update(
        finished_at=timezone.now() - timedelta(days=days_ago), outcome=outcome, current_stage=7
    )
    return sprint


def test_lists_finished_sprints_with_outcome_date_and_handover_version(
    staff_client, issued, consultant, sprint_b
):
    _finished("Zebra Zines", consultant, outcome=Outcome.NO_GO, days_ago=3)
    html = staff_client.get(reverse("handover:past_sprints")).content.decode()
    assert "Acme Coaching" in html and "Launched with accepted risks" in html
    assert (
        "Version 1" in html
        and reverse("handover:handover_draft", args=[issued.sprint.code]) in html
    )
    assert "Zebra Zines" in html and "No-go" in html and "none issued" in html
    assert "Bravo Bots" not in html, "a running sprint is not past"
    assert html.index("Acme Coaching") < html.index("Zebra Zines"), "newest first"
    assert "1 accepted risk" in html


def test_search_by_client_name_or_code(staff_client, consultant):
    a = _finished("Harbour Bakery", consultant)
    _finished("Mountain Gym", consultant)
    by_name = staff_client.get(reverse("handover:past_sprints"), {"q": "harbour"}).content.decode()
    assert "Harbour Bakery" in by_name and "Mountain Gym" not in by_name
    assert 'value="harbour"' in by_name
    by_code = staff_client.get(
        reverse("handover:past_sprints"), {"q": a.client.code}
    ).content.decode()
    assert "Harbour Bakery" in by_code and "Mountain Gym" not in by_code
    nothing = staff_client.get(reverse("handover:past_sprints"), {"q": "nobody"}).content.decode()
    assert "No finished sprint for" in nothing


def test_pages_keep_the_search(staff_client, consultant):
    for i in range(PAGE_SIZE + 2):
        _finished(f"Shop {i:02d}", consultant, days_ago=i + 1)
    first = staff_client.get(reverse("handover:past_sprints"), {"q": "shop"}).content.decode()
    assert "Shop 00" in first and f"Shop {PAGE_SIZE + 1}" not in first
    assert "?q=shop&amp;page=2" in first
    second = staff_client.get(
        reverse("handover:past_sprints"), {"q": "shop", "page": 2}
    ).content.decode()
    assert f"Shop {PAGE_SIZE + 1}" in second and "Shop 00" not in second


def test_linked_from_the_staff_nav(staff_client):
    html = staff_client.get(reverse("clients:dashboard")).content.decode()
    assert f'href="{reverse("handover:past_sprints")}"' in html


def test_founder_and_outsider_get_404(client, founder, outsider):
    for user in (founder, outsider):
        client.force_login(user)
        assert client.get(reverse("handover:past_sprints")).status_code == 404
