"""Queries compiled once per connection (launchready/prepared.py) return what the ORM
returns, bind their arguments as parameters, and refuse shapes they cannot keep."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import selectors, services
from clients.models import Activity, ChecklistItem, Finding, Impact, ItemState, Sprint
from launchready.prepared import PreparedRows

pytestmark = pytest.mark.django_db


def test_rows_are_the_orms_rows_dates_json_and_joins_included(sprint_a, consultant):
    stage = sprint_a.stages.get(number=2)
    for item in list(stage.items.all())[:2]:
        services.item_set_state(item=item, by=consultant, state=ItemState.DONE, note="n")
    for impact in Impact:
        services.finding_create(
            sprint=sprint_a, by=consultant, stage=stage, title=f"F {impact}", impact=impact
        )
    findings = Finding.objects.filter(sprint_id=sprint_a.pk).order_by(*selectors.FINDING_ORDER)
    items = ChecklistItem.objects.filter(stage_id=stage.pk).order_by("position", "id")
    log = Activity.objects.filter(sprint_id=sprint_a.pk)
    for prepared, queryset in [
        (selectors._FINDINGS, findings.values_list(*selectors._FINDING_FIELDS)),
        (selectors._ITEMS, items.values_list(*selectors._ITEM_FIELDS)),
        (selectors._ACTIVITY, log.values_list(*selectors.ACTIVITY_FIELDS)[:40]),
    ]:
        key = stage.pk if prepared is selectors._ITEMS else sprint_a.pk
        rows = prepared(key)
        assert rows == list(queryset) and rows
        assert prepared(key) == rows  # the second call runs the kept SQL
    created = selectors._FINDINGS(sprint_a.pk)[0][-1]
    assert isinstance(created, datetime.datetime) and timezone.is_aware(created)
    ticked = selectors._ITEMS(stage.pk)[0]
    assert isinstance(ticked[4], list)  # check ids, decoded from JSON
    assert ticked[-1] == consultant.username  # through the join to the user


def test_arguments_are_bound_as_parameters_never_written_into_the_sql(sprint_a):
    by_code = PreparedRows(lambda code: Sprint.objects.filter(code=code).values_list("pk"))
    assert by_code(sprint_a.code) == [(sprint_a.pk,)]
    assert by_code(f"{sprint_a.code}' OR '1'='1") == []
    with CaptureQueriesContext(connection) as ctx:
        by_code(sprint_a.code)
    assert len(ctx.captured_queries) == 1  # counted like any other query


def test_an_argument_the_orm_rewrites_is_refused_at_once():
    contains = PreparedRows(
        lambda code: Sprint.objects.filter(code__contains=code).values_list("pk")
    )
    with pytest.raises(ValueError, match="not one parameter"):
        contains("abc")


def test_only_ids_and_codes_are_accepted_as_arguments(sprint_a):
    by_pk = PreparedRows(lambda pk: Sprint.objects.filter(pk=pk).values_list("code"))
    assert by_pk(sprint_a.pk) == [(sprint_a.code,)]
    with pytest.raises(TypeError):
        by_pk(datetime.date.today())
