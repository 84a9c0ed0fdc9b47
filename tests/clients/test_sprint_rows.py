"""The sprint page's checklist, finding and check result rows are built in Python
(clients/views/sprint_rows.py, checks/panels_rows.py): every text column is escaped."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from checks import panels_rows
from checks.panels_rows import ResultRow
from checks.services import Change
from clients import services
from clients.forms import FindingForm
from clients.models import Activity, ChecklistItem, Finding, Impact, ItemState
from clients.selectors import ActivityRow, ItemRow, activity_entries, sprint_findings, stage_items
from clients.views.sprint_rows import SprintRows, activity_rows
from clients.views.sprints import (
    _BLANK_FINDING_FIELDS,
    blank_finding_fields,
    finding_fields,
    stage_summaries,
)

pytestmark = pytest.mark.django_db

PLANT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _rows(sprint) -> SprintRows:
    return SprintRows(RequestFactory().get("/"), sprint)


def test_every_text_column_of_a_finding_is_escaped(sprint_a):
    finding = Finding(
        code=PLANT,
        title=PLANT,
        evidence=f"{PLANT}\n{PLANT}",
        impact=PLANT,
        decision=PLANT,
        decision_reason=PLANT,
        status=PLANT,
        source=PLANT,
        target=PLANT,
        staff_note=PLANT,
    )
    html = str(_rows(sprint_a).finding(finding))
    assert "<script" not in html
    finding.stage = sprint_a.stages.get(number=4)
    other = str(_rows(sprint_a).other_open(finding))
    assert "<script" not in other
    assert other.count(ESCAPED) == 3  # impact (class, label), title
    assert '<a href="?stage=4">' in other
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;script&gt;" in html  # evidence lines
    # code (id, two URLs, hx-target), impact (class, label), status (two classes, label),
    # title, source, two evidence lines, decision, its reason, target, staff note
    assert html.count(ESCAPED) == 17


def test_every_text_column_of_a_checklist_item_row_is_escaped(sprint_a):
    item = ItemRow(
        pk=1,
        code=PLANT,
        text=PLANT,
        help=PLANT,
        check_ids=[],
        state=ItemState.DONE,
        note=PLANT,
        state_at=timezone.now(),
        state_by_name=PLANT,
    )
    html = str(_rows(sprint_a).item(item))
    assert "<script" not in html
    # code (id, two URLs, hx-target), text, help, who ticked it, note
    assert html.count(ESCAPED) == 8
    assert 'value="open"' in html  # a ticked item offers "Reopen"


@pytest.mark.parametrize(
    ("first_name", "last_name"), [("Ada", "Lovelace"), ("Ada", ""), ("", ""), ("", "Lovelace")]
)
def test_an_item_row_names_who_ticked_it_as_the_user_model_does(sprint_a, first_name, last_name):
    user = get_user_model().objects.create_user(
        "ada", first_name=first_name, last_name=last_name, password="x-pass-123456"
    )
    stage = sprint_a.stages.get(number=1)
    first, second = stage.items.order_by("position", "id")[:2]
    services.item_set_state(item=first, by=user, state=ItemState.DONE, note="<i>n</i>")
    ChecklistItem.objects.filter(pk=second.pk).update(
        state=ItemState.NOT_APPLICABLE, state_at=timezone.now()
    )
    models = list(stage.items.select_related("state_by").order_by("position", "id"))
    rows = stage_items(stage)
    assert [row.pk for row in rows] == [item.pk for item in models]
    assert [row.state_by_name for row in rows] == [
        (m.state_by.get_full_name() or m.state_by.username) if m.state_by else "" for m in models
    ]
    drawn = _rows(sprint_a)
    assert f"by {user.get_full_name() or 'ada'}" in str(drawn.item(rows[0]))
    assert "&lt;i&gt;n&lt;/i&gt;" in str(drawn.item(rows[0]))
    assert "Launch Ready" in str(drawn.item(rows[1]))  # nobody ticked it


def test_finding_rows_are_drawn_as_the_model_instances_are(sprint_a, consultant):
    stage = sprint_a.stages.get(number=2)
    for impact in Impact:
        services.finding_create(
            sprint=sprint_a, by=consultant, stage=stage, title=f"{PLANT} {impact}", impact=impact
        )
    rows = _rows(sprint_a)
    models = list(
        Finding.objects.filter(sprint=sprint_a).order_by("status", "impact", "-created_at")
    )
    found = sprint_findings(sprint_a)
    assert [f.pk for f in found] == [f.pk for f in models]
    assert [str(rows.finding(f)) for f in found] == [str(rows.finding(f)) for f in models]
    assert [f.get_impact_display() for f in found] == [f.get_impact_display() for f in models]
    assert sprint_findings(sprint_a) is found  # read once per request


def test_an_open_item_on_a_closed_sprint_has_no_buttons(sprint_a):
    sprint_a.finished_at = timezone.now()
    item = sprint_a.stages.get(number=1).items.first()
    html = str(_rows(sprint_a).item(item))
    assert "<button" not in html
    assert f'id="item-{item.code}"' in html


def test_every_text_column_of_a_check_result_row_is_escaped():
    row = ResultRow(
        run_id=1,
        check_id=PLANT,
        target=PLANT,
        status="fail",
        summary=PLANT,
        evidence={PLANT: PLANT, "records": [PLANT], "nested": {PLANT: PLANT}},
        title=PLANT,
        advice=PLANT,
    )
    problem = str(panels_rows.problem_rows([row]))
    # title, target, summary, advice, check id, then the evidence: key, value, list item,
    # nested key and value
    assert problem.count(ESCAPED) == 10
    assert str(panels_rows.unknown_rows([row])).count(ESCAPED) == 3  # title, target, id
    assert str(panels_rows.result_rows([row])).count(ESCAPED) == 3  # id, target, summary
    change = Change(PLANT, PLANT, PLANT, PLANT, PLANT)
    assert str(panels_rows.change_rows([change])).count(ESCAPED) == 4  # after, before, id, target
    for html in [problem, panels_rows.unknown_rows([row]), panels_rows.change_rows([change])]:
        assert "<script" not in str(html)
    assert "<script" not in str(panels_rows.result_rows([row]))


def test_every_text_column_of_an_activity_line_is_escaped():
    row = ActivityRow(
        kind=PLANT, message=PLANT, visible_to_founder=False, created_at=timezone.now()
    )
    html = str(activity_rows([row], staff_view=True))
    assert "<script" not in html
    assert html.count(ESCAPED) == 1  # the message; the kind is slugified into the class
    assert 'class="act act-scriptalert1script act-private"' in html
    assert 'title="Founders do not see this entry">staff</span>' in html
    assert "staff</span>" not in str(activity_rows([row], staff_view=False))


# The activity list's markup as the template wrote it before the rows moved to Python.
_ACTIVITY_TEMPLATE = (
    """<ol class="activity">
  {% for a in activities %}
  <li class="act act-{{ a.kind|slugify }}{% if not a.visible_to_founder %} act-private{% endif %}">
    <time datetime="{{ a.created_at|date:'c' }}">{{ a.created_at|date:"D H:i" }}</time>
    <span>{{ a.message }}</span>{% if staff_view and not a.visible_to_founder %} """
    """<span class="pill" title="Founders do not see this entry">staff</span>{% endif %}
  </li>
  {% empty %}<li class="muted">Nothing yet.</li>{% endfor %}
</ol>
"""
)


@pytest.mark.parametrize("staff_view", [True, False])
def test_the_activity_list_is_the_markup_the_template_wrote(sprint_a, settings, staff_view):
    settings.TIME_ZONE = "America/St_Johns"  # a half-hour offset, and a day behind at night
    with timezone.override("America/St_Johns"):
        at = timezone.now().replace(hour=2, minute=5, microsecond=123456)
        for i, (kind, visible) in enumerate(
            [("Stage advanced", True), ("comment", False), ("finding.created", True)]
        ):
            Activity.objects.create(
                sprint=sprint_a,
                kind=kind,
                message=f"<b>&'\"{i}",
                visible_to_founder=visible,
                created_at=at,
            )
        old = Template(_ACTIVITY_TEMPLATE)
        for entries in [sprint_a.activities.all()[:40], sprint_a.activities.none()]:
            context = {"activities": list(entries), "staff_view": staff_view}
            expected = old.render(Context(context))
            assert render_to_string("clients/_activity.html", context) == expected
            context["activities"] = activity_entries(entries)
            assert render_to_string("clients/_activity.html", context) == expected


# The stepper's markup as the template wrote it before the steps moved to Python.
_STEPPER_TEMPLATE = (
    "{% url 'clients:sprint_detail' sprint.code as sprint_url %}"
    """<ol class="stepper" id="stepper" aria-label="Stages"{% if oob %} hx-swap-oob="true"{% """
    """endif %}>
  {% for s in stages %}
  <li class="step step-{{ s.status }}{% if s.override_reason %} step-override{% endif %}"""
    """{% if s.number == stage.number %} step-viewed{% endif %}">
    <a href="{{ sprint_url }}?stage={{ s.number }}"{% if s.number == stage.number %} """
    """aria-current="step"{% endif %}{% if s.override_reason %} title="Closed by override: """
    """{{ s.override_reason }}"{% endif %}>
      <span class="step-num">{% if s.override_reason %}!{% elif s.status == "done" %}✓"""
    """{% else %}{{ s.number }}{% endif %}</span>
      <span class="step-title">{{ s.title }}</span>
      <span class="step-meta">{{ s.items_total|add:0 }} items{% if s.items_open %} · """
    """{{ s.items_open }} open{% endif %}{% if s.override_reason %} · <span class="text-warn">"""
    """overridden</span>{% endif %}{% if s.blockers_open %} · <span class="text-bad">"""
    """{{ s.blockers_open }} blocker{{ s.blockers_open|pluralize }}</span>{% endif %}</span>
    </a>
  </li>
  {% endfor %}
</ol>
"""
)


@pytest.mark.parametrize("oob", [False, True])
def test_the_stepper_is_the_markup_the_template_wrote(sprint_a, consultant, oob):
    stages = list(sprint_a.stages.order_by("number"))
    stages[0].status, stages[0].override_reason = "done", PLANT
    stages[1].status, stages[1].title = "done", PLANT
    stages[2].status = "active"
    for stage in stages[:3]:
        stage.save()
    for impact, number in [(Impact.BLOCKER, 3), (Impact.BLOCKER, 4), (Impact.BLOCKER, 4)]:
        services.finding_create(
            sprint=sprint_a,
            by=consultant,
            stage=stages[number - 1],
            title="Blocker",
            impact=impact,
        )
    summaries = stage_summaries(sprint_a)
    assert [s.blockers_open for s in summaries[2:4]] == [1, 2]
    old = Template(_STEPPER_TEMPLATE)
    for viewed in [summaries[0], summaries[3], None]:
        context = {"sprint": sprint_a, "stages": summaries, "stage": viewed, "oob": oob}
        html = render_to_string("clients/_stepper.html", context)
        assert html == old.render(Context(context))
        assert "<script" not in html
    assert html.count(ESCAPED) == 2  # an override reason, a title


def test_blank_finding_fields_are_kept_per_stage_and_a_form_with_errors_is_not(sprint_a):
    stages = list(sprint_a.stages.order_by("number"))
    for stage in stages[:3]:
        form = FindingForm(sprint=sprint_a, stages=stages, initial={"stage": stage})
        fresh = render_to_string("clients/_finding_fields.html", {"finding_form": form})
        assert finding_fields(form) == fresh == finding_fields(form)
        assert f'<option value="{stage.pk}" selected>' in fresh
    bound = FindingForm({"title": ""}, sprint=sprint_a, stages=stages)
    assert 'class="error"' in finding_fields(bound)


def test_blank_finding_fields_are_drawn_without_building_the_form_once_kept(sprint_a):
    stages = list(sprint_a.stages.order_by("number"))
    stage = stages[3]
    _BLANK_FINDING_FIELDS.clear()
    form, first = blank_finding_fields(sprint_a, stages, stage)
    assert form is not None  # nothing kept yet: the form is built and drawn
    fresh = FindingForm(sprint=sprint_a, stages=stages, initial={"stage": stage})
    assert first == render_to_string("clients/_finding_fields.html", {"finding_form": fresh})
    assert finding_fields(fresh) == first  # one cache, whichever way the page asks
    form, again = blank_finding_fields(sprint_a, stages, stage)
    assert form is None and again == first
    stage.title = "Renamed"
    form, renamed = blank_finding_fields(sprint_a, stages, stage)
    assert form is not None and "4. Renamed" in renamed


def test_the_sprint_page_shows_the_rows_and_open_findings_of_other_stages(
    staff_client, consultant, sprint_a
):
    stage3 = sprint_a.stages.get(number=3)
    services.finding_create(
        sprint=sprint_a, by=consultant, stage=stage3, title="Fonts & <b>", impact=Impact.TRUST
    )
    html = staff_client.get(f"/sprints/{sprint_a.code}/?stage=1").content.decode()
    item = sprint_a.stages.get(number=1).items.first()
    assert f'id="item-{item.code}"' in html
    assert (
        '<li><span class="impact impact-2_trust">Trust issue</span> '
        '<a href="?stage=3">Fonts &amp; &lt;b&gt;</a> <span class="muted">stage 3</span></li>'
    ) in html
    html = staff_client.get(f"/sprints/{sprint_a.code}/?stage=3").content.decode()
    assert '<strong class="finding-title">Fonts &amp; &lt;b&gt;</strong>' in html
    assert "Open in other stages" not in html


def test_a_stage_without_items_or_findings_says_so(staff_client, sprint_a):
    ChecklistItem.objects.filter(stage__sprint=sprint_a, stage__number=2).delete()
    html = staff_client.get(f"/sprints/{sprint_a.code}/?stage=2").content.decode()
    assert '<li class="muted">No checklist items for this stage.</li>' in html
    assert '<li class="muted">Nothing recorded for this stage yet.</li>' in html
    assert "Open in other stages" not in html
