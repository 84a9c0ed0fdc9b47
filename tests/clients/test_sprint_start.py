from clients.models import ItemState, SprintStage, StageStatus


def test_sprint_starts_with_seven_stages_and_a_48_hour_clock(sprint_a):
    stages = list(SprintStage.objects.filter(sprint=sprint_a).order_by("number"))
    assert [s.number for s in stages] == [1, 2, 3, 4, 5, 6, 7]
    assert stages[0].status == StageStatus.ACTIVE
    assert all(s.status == StageStatus.PENDING for s in stages[1:])
    assert (sprint_a.deadline - sprint_a.started_at).total_seconds() == 48 * 3600


def test_checklist_is_filtered_by_business_type_and_maturity(sprint_a, sprint_b):
    keys_a = set(sprint_a.stages.values_list("items__key", flat=True))
    keys_b = set(sprint_b.stages.values_list("items__key", flat=True))
    # Client A is a coach at launch, B an AI chatbot at demo: their lists differ,
    # and every item starts open.
    assert keys_a and keys_b and keys_a != keys_b
    assert not sprint_a.stages.filter(items__state=ItemState.DONE).exists()
