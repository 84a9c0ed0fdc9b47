from __future__ import annotations

import pytest
from django.urls import reverse

from clients import services
from clients.models import Activity, Impact, ItemState


def _tick_stage(sprint, by, number):
    for item in sprint.stages.get(number=number).items.all():
        services.item_set_state(item=item, by=by, state=ItemState.DONE)


def test_advance_is_refused_with_open_items_and_the_refusal_is_logged(sprint_a, consultant):
    with pytest.raises(services.StageGateRefused) as refused:
        services.stage_advance(sprint=sprint_a, by=consultant)
    assert "checklist item" in str(refused.value)
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 1
    assert Activity.objects.filter(sprint=sprint_a, kind="stage.refused").count() == 1


def test_advance_is_refused_with_an_open_blocker_even_when_items_are_done(sprint_a, consultant):
    _tick_stage(sprint_a, consultant, 1)
    services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=sprint_a.stages.get(number=1),
        title="Admin open",
        impact=Impact.BLOCKER,
    )
    with pytest.raises(services.StageGateRefused) as refused:
        services.stage_advance(sprint=sprint_a, by=consultant)
    assert refused.value.reasons == ["1 launch blocker still open"]


def test_override_needs_a_reason_and_is_logged(sprint_a, consultant):
    with pytest.raises(services.StageGateRefused):
        services.stage_advance(sprint=sprint_a, by=consultant, override_reason="   ")
    stage = services.stage_advance(
        sprint=sprint_a, by=consultant, override_reason="Client asked to move on"
    )
    assert stage.number == 2
    first = sprint_a.stages.get(number=1)
    assert first.override_reason == "Client asked to move on"
    log = Activity.objects.get(sprint=sprint_a, kind="stage.override")
    assert "Client asked to move on" in log.message and not log.visible_to_founder


def test_advance_succeeds_once_items_are_done_and_blockers_fixed(sprint_a, consultant):
    _tick_stage(sprint_a, consultant, 1)
    finding = services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=sprint_a.stages.get(number=1),
        title="Open admin",
        impact=Impact.BLOCKER,
    )
    services.finding_update(finding=finding, by=consultant, status="fixed")
    services.stage_advance(sprint=sprint_a, by=consultant)
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 2
    assert not Activity.objects.filter(sprint=sprint_a, kind="stage.override").exists()


def test_advance_view_refuses_with_422_and_explains(staff_client, sprint_a):
    response = staff_client.post(
        reverse("clients:stage_advance", args=[sprint_a.code]), {"override_reason": ""}
    )
    assert response.status_code == 422
    assert b"cannot close yet" in response.content
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 1


def test_advance_view_with_override_moves_on(staff_client, sprint_a):
    response = staff_client.post(
        reverse("clients:stage_advance", args=[sprint_a.code]),
        {"override_reason": "Agreed on call"},
    )
    assert response.status_code == 302
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 2


def test_go_decision_refused_with_open_blockers_but_accepted_risks_allowed(sprint_a, consultant):
    for _ in range(6):
        services.stage_advance(sprint=sprint_a, by=consultant, override_reason="test")
    sprint_a.refresh_from_db()
    services.finding_create(
        sprint=sprint_a,
        by=consultant,
        stage=sprint_a.stages.get(number=7),
        title="No backups",
        impact=Impact.BLOCKER,
    )
    with pytest.raises(services.ServiceError):
        services.sprint_decide(sprint=sprint_a, by=consultant, outcome="go")
    with pytest.raises(services.ServiceError):
        services.sprint_decide(sprint=sprint_a, by=consultant, outcome="accepted_risks", reason="")
    services.sprint_decide(
        sprint=sprint_a, by=consultant, outcome="accepted_risks", reason="Backups start Monday"
    )
    sprint_a.refresh_from_db()
    assert sprint_a.outcome == "accepted_risks" and sprint_a.finished_at is not None
    assert sprint_a.findings.get().decision == "accepted"
