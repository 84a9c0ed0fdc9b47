from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from clients import services
from clients.access import (
    get_finding_for_user,
    get_item_for_user,
    get_sprint_for_user,
    staff_required,
)
from clients.forms import AdvanceForm, DecisionForm, FindingForm, ItemStateForm
from clients.models import (
    ChecklistItem,
    Finding,
    FindingStatus,
    Impact,
    ItemState,
    Sprint,
    SprintStage,
)
from clients.panels import item_badges, render_panels
from clients.selectors import FindingRow, sprint_findings, sprint_log, stage_item, stage_items
from clients.views.sprint_rows import SprintRows
from launchready.memo import BoundedMemo


def _item_count(*, open_only: bool) -> RawSQL:
    """A correlated count on the item table's stage index. The four filtered DISTINCT
    counts over a join of items and findings it replaces cost the ORM about a
    millisecond a page to build (bench/dashboard_bench.py). Names come from the
    models, values are parameters."""
    q = connection.ops.quote_name
    item, stage = ChecklistItem._meta, SprintStage._meta
    sql = (
        f"SELECT COUNT(*) FROM {q(item.db_table)} WHERE "  # noqa: S608 - our own table names
        f"{q(item.db_table)}.{q(item.get_field('stage').column)} = "
        f"{q(stage.db_table)}.{q(stage.pk.column)}"
    )
    if open_only:
        state = f"{q(item.db_table)}.{q(item.get_field('state').column)}"
        return RawSQL(f"{sql} AND {state} = %s", (ItemState.OPEN.value,), IntegerField())  # noqa: S611
    return RawSQL(sql, (), IntegerField())  # noqa: S611


def stage_summaries(
    sprint: Sprint, findings: Sequence[Finding | FindingRow] | None = None
) -> list[SprintStage]:
    """The seven stages with their item counts (``items_total``, ``items_open``) in one
    query, and their open findings and launch blockers (``findings_open``,
    ``blockers_open``) counted from ``findings``, the sprint's findings when the caller
    has loaded them (else a second query)."""
    # Not through sprint.stages: building the related manager costs more than the query.
    stages = list(
        SprintStage.objects.filter(sprint_id=sprint.pk)
        .annotate(items_total=_item_count(open_only=False), items_open=_item_count(open_only=True))
        .order_by("number")
    )
    if findings is None:
        open_findings = list(
            sprint.findings.filter(status=FindingStatus.OPEN).values_list("stage_id", "impact")
        )
    else:
        open_findings = [(f.stage_id, f.impact) for f in findings if f.status == FindingStatus.OPEN]
    for stage in stages:
        stage.sprint = sprint  # as the related manager would have set it
        stage.findings_open = stage.blockers_open = 0  # type: ignore[attr-defined]
    by_pk = {stage.pk: stage for stage in stages}
    for stage_id, impact in open_findings:
        stage = by_pk[stage_id]
        stage.findings_open += 1  # type: ignore[attr-defined]
        if impact == Impact.BLOCKER:
            stage.blockers_open += 1  # type: ignore[attr-defined]
    return stages


def ordered_findings(queryset):
    # Open before fixed, blockers before trust issues before cleanup.
    return queryset.select_related("stage").order_by("status", "impact", "-created_at")


def _viewed_stage(request: HttpRequest, sprint: Sprint, stages: list[SprintStage]) -> SprintStage:
    try:
        number = int(request.GET.get("stage", sprint.current_stage))
    except ValueError:
        number = sprint.current_stage
    return next((s for s in stages if s.number == number), stages[sprint.current_stage - 1])


_BLANK_FINDING_FIELDS = BoundedMemo(1024)


def _blank_key(choices: list, stage: SprintStage | None) -> tuple:
    return (get_language(), tuple(choices), getattr(stage, "pk", None))


def finding_fields(form: FindingForm) -> SafeString:
    """The "record a finding" fields. Blank, they depend only on the stage choices and
    the stage picked, so they are rendered once per sprint and stage, not on every
    page (about a tenth of the sprint page's time through the form templates)."""
    stage = form.fields["stage"]
    choices = getattr(stage, "_choices", None)  # set when the view passed the stages
    key = None
    if not form.is_bound and isinstance(choices, list):
        key = _blank_key(choices, form.initial.get("stage"))
        cached = _BLANK_FINDING_FIELDS.get(key)
        if cached is not None:
            return cached
    html = SafeString(render_to_string("clients/_finding_fields.html", {"finding_form": form}))
    if key is not None:
        _BLANK_FINDING_FIELDS.remember(key, html)
    return html


def blank_finding_fields(
    sprint: Sprint, stages: list[SprintStage], stage: SprintStage
) -> tuple[FindingForm | None, SafeString]:
    """The blank "record a finding" form and its fields: the form is built only when its
    fields are not cached yet (building it cost about 0.4 ms a page); ``None`` then,
    which the template reads as a form without errors."""
    cached = _BLANK_FINDING_FIELDS.get(_blank_key(FindingForm.stage_choices(stages), stage))
    if cached is not None:
        return None, cached
    form = FindingForm(sprint=sprint, stages=stages, initial={"stage": stage})
    return form, finding_fields(form)


def _joined(rows: Iterable[SafeString]) -> SafeString:
    return SafeString("".join(rows))


def _sprint_context(request: HttpRequest, sprint: Sprint, **extra) -> dict:
    """Everything the sprint page shows, in a number of queries that does not grow with
    the sprint: the stage's items and the sprint's findings are loaded once, as plain
    rows, and shared with the panels (``stage_items()``, ``sprint_findings()``)."""
    # Plain rows, no join to the stage: each gets one of the seven stages loaded below.
    findings = sprint_findings(sprint)
    stages = stage_summaries(sprint, findings)
    wanted = extra.pop("stage", None)
    if wanted is not None:
        stage = next(s for s in stages if s.pk == wanted.pk)
    else:
        stage = _viewed_stage(request, sprint, stages)
    by_pk = {s.pk: s for s in stages}
    for f in findings:
        # Each finding's stage is one of the seven already loaded (and annotated).
        f.stage = by_pk[f.stage_id]
    # Plain rows ordered by position alone, no join to the stage to sort on.
    items = stage_items(stage)
    badges = item_badges(request=request, sprint=sprint, items=items)
    for item in items:
        item.badges = badges.get(item.pk, [])
    rows = SprintRows(request, sprint)
    stage_findings = [f for f in findings if f.stage_id == stage.pk]
    context = {
        "sprint": sprint,
        "client": sprint.client,
        "stages": stages,
        "stage": stage,
        "items": items,
        # Each list joined here, not looped over in the template (about 1.5 us a row).
        "item_rows": _joined(rows.item(item) for item in items),
        "findings": stage_findings,
        "finding_rows": _joined(rows.finding(f) for f in stage_findings),
        "other_open_rows": _joined(
            rows.other_open(f)
            for f in findings
            if f.status == FindingStatus.OPEN and f.stage_id != stage.pk
        ),
        "gate_reasons": services.stage_gate_reasons(sprint=sprint, stages=stages, findings=findings)
        if sprint.is_active
        else [],
        "accepted_risks": services.accepted_risks(sprint=sprint, findings=findings),
        "activities": sprint_log(sprint),
        # Built only if the template reads them (a refused advance, the last stage).
        "advance_form": SimpleLazyObject(AdvanceForm),
        "decision_form": SimpleLazyObject(DecisionForm),
        "panels": render_panels("sprint", request=request, sprint=sprint, stage=stage),
    }
    form = extra.pop("finding_form", None)
    context.update(extra)
    if form is None:
        form, fields = blank_finding_fields(sprint, stages, stage)
    else:
        fields = finding_fields(form)
    context["finding_form"] = form
    context["finding_fields"] = fields
    return context


def _live_parts(request: HttpRequest, sprint: Sprint, stage: SprintStage) -> str:
    """The stepper, the "close stage" panel and the bulk button, swapped out of band so
    every change on the page (a tick, a finding) refreshes their counts."""
    stages = stage_summaries(sprint)
    # The stage the browser is showing (htmx sends its address), else the changed one's.
    shown = parse_qs(urlsplit(request.headers.get("HX-Current-URL", "")).query).get("stage")
    number = int(shown[0]) if shown and shown[0].isdigit() else stage.number
    if not shown and "HX-Current-URL" in request.headers:
        number = sprint.current_stage
    stage = next((s for s in stages if s.number == number), stages[sprint.current_stage - 1])
    context = {
        "sprint": sprint,
        "stages": stages,
        "stage": stage,
        "gate_reasons": services.stage_gate_reasons(sprint=sprint) if sprint.is_active else [],
        "accepted_risks": list(services.accepted_risks(sprint=sprint)),
        "advance_form": AdvanceForm(),
        "oob": True,
    }
    parts = [render_to_string("clients/_stepper.html", context, request=request)]
    if sprint.is_active:
        parts.append(render_to_string("clients/_bulk_done.html", context, request=request))
        if sprint.current_stage < services.STAGE_COUNT:
            parts.append(render_to_string("clients/_gate.html", context, request=request))
    return "".join(parts)


def _with_live_parts(
    request: HttpRequest, response: HttpResponse, sprint: Sprint, stage: SprintStage
) -> HttpResponse:
    response.content += _live_parts(request, sprint, stage).encode()
    response["HX-Trigger"] = "sprint-changed"
    return response


@staff_required
def sprint_detail(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    return render(request, "clients/sprint_detail.html", _sprint_context(request, sprint))


@staff_required
@require_POST
def item_state(request: HttpRequest, sprint_code: str, item_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    item = get_item_for_user(request, sprint, item_code)
    form = ItemStateForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown state.", status=422)
    services.item_set_state(
        item=item,
        by=request.user,
        state=form.cleaned_data["state"],
        note=form.cleaned_data["note"] or None,
    )
    if request.htmx:
        row = stage_item(item)
        row.badges = item_badges(request=request, sprint=sprint, items=[row]).get(row.pk, [])
        response = HttpResponse(SprintRows(request, sprint).item(row))
        return _with_live_parts(request, response, sprint, item.stage)
    detail = reverse("clients:sprint_detail", args=[sprint.code])
    return redirect(f"{detail}?stage={item.stage.number}")


@staff_required
@require_POST
def stage_items_done(request: HttpRequest, sprint_code: str, number: int) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    stage = get_object_or_404(sprint.stages, number=number)
    try:
        count = services.stage_items_complete(stage=stage, by=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked {count} item{pluralize(count)} done.")
    url = f"{reverse('clients:sprint_detail', args=[sprint.code])}?stage={stage.number}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@staff_required
def finding_new(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    form = FindingForm(request.POST or None, sprint=sprint)
    if request.method == "POST":
        if form.is_valid():
            finding = services.finding_create(
                sprint=sprint,
                by=request.user,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
            if request.htmx:
                ctx = _sprint_context(request, sprint, stage=finding.stage)
                response = render(request, "clients/_findings.html", ctx)
                return _with_live_parts(request, response, sprint, ctx["stage"])
            messages.success(request, "Finding recorded.")
            return redirect(
                reverse("clients:sprint_detail", args=[sprint.code])
                + f"?stage={finding.stage.number}"
            )
        if request.htmx:
            ctx = _sprint_context(request, sprint, finding_form=form, finding_form_open=True)
            return render(request, "clients/_findings.html", ctx, status=422)
        ctx = _sprint_context(request, sprint, finding_form=form, finding_form_open=True)
        return render(request, "clients/sprint_detail.html", ctx, status=422)
    return redirect("clients:sprint_detail", sprint_code=sprint.code)


@staff_required
def finding_edit(request: HttpRequest, sprint_code: str, finding_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    finding = get_finding_for_user(request, sprint, finding_code)
    # A per-finding prefix keeps field ids unique beside the "record a finding" form.
    form = FindingForm(
        request.POST or None, instance=finding, sprint=sprint, prefix=f"edit-{finding.code}"
    )
    template = "clients/_finding_form.html" if request.htmx else "clients/finding_edit.html"
    if request.method == "POST":
        if form.is_valid():
            changed = {f: form.cleaned_data[f] for f in form.changed_data if f in form.Meta.fields}
            finding = services.finding_update(
                finding=Finding.objects.get(pk=finding.pk), by=request.user, **changed
            )
            if request.htmx:
                response = HttpResponse(SprintRows(request, sprint).finding(finding))
                return _with_live_parts(request, response, sprint, finding.stage)
            return redirect(
                reverse("clients:sprint_detail", args=[sprint.code])
                + f"?stage={finding.stage.number}"
            )
        return render(
            request, template, {"form": form, "finding": finding, "sprint": sprint}, status=422
        )
    return render(request, template, {"form": form, "finding": finding, "sprint": sprint})


@staff_required
def finding_row(request: HttpRequest, sprint_code: str, finding_code: str) -> HttpResponse:
    """The read-only row, for cancelling an inline edit."""
    sprint = get_sprint_for_user(request, sprint_code)
    finding = get_finding_for_user(request, sprint, finding_code)
    return HttpResponse(SprintRows(request, sprint).finding(finding))


@staff_required
@require_POST
def stage_advance(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        ctx = _sprint_context(request, sprint, advance_form=form, advance_refused=True)
        return render(request, "clients/sprint_detail.html", ctx, status=422)
    try:
        stage = services.stage_advance(
            sprint=sprint, by=request.user, override_reason=form.cleaned_data.get("override_reason")
        )
    except services.StageGateRefused as refused:
        form.add_error(
            "override_reason",
            "This stage cannot close yet: "
            + "; ".join(refused.reasons)
            + ". Finish them, or give a reason to override (it is logged).",
        )
        sprint.refresh_from_db()
        ctx = _sprint_context(request, sprint, advance_form=form, advance_refused=True)
        return render(request, "clients/sprint_detail.html", ctx, status=422)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("clients:sprint_detail", sprint_code=sprint.code)
    messages.success(request, f"Moved on to stage {stage.number}: {stage.title}.")
    return redirect("clients:sprint_detail", sprint_code=sprint.code)


@staff_required
@require_POST
def sprint_decide(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.sprint_decide(
                sprint=sprint,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Decision recorded. The sprint is closed.")
            return redirect("clients:sprint_detail", sprint_code=sprint.code)
    ctx = _sprint_context(request, sprint, decision_form=form)
    return render(request, "clients/sprint_detail.html", ctx, status=422)


@staff_required
def sprint_activity(request: HttpRequest, sprint_code: str) -> HttpResponse:
    """The activity log partial, refreshed by htmx after each change."""
    sprint = get_sprint_for_user(request, sprint_code)
    activities = sprint_log(sprint)
    return render(request, "clients/_activity.html", {"activities": activities, "staff_view": True})
