"""The consultant's handover page: review and edit sections, issue, watch progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clients.access import AuthedRequest, get_sprint_for_user, staff_required
from clients.jobs.services import QueueUnavailable
from clients.jobs.views import render_unavailable
from clients.models import Sprint
from clients.services import ServiceError
from handover import services
from handover.forms import IssueForm, SectionEditForm
from handover.models import IssueJob
from handover.readiness import readiness
from handover.sections import Handover, build_handover
from handover.signing import SignerInfo, SignerUnavailable, signer_info


def _built(sprint: Sprint) -> tuple[Handover, SignerInfo | None, str]:
    """The handover as the page shows it, with the signer (or why there is none)."""
    try:
        signer, signer_error = signer_info(), ""
    except SignerUnavailable as exc:
        signer, signer_error = None, str(exc)
    return build_handover(sprint, signer=signer), signer, signer_error


def _draft_context(
    request: AuthedRequest,
    sprint: Sprint,
    *,
    bound: SectionEditForm | None = None,
    job: IssueJob | None = None,
    issue_error: str = "",
    issue_form: IssueForm | None = None,
    built: tuple[Handover, SignerInfo | None, str] | None = None,
) -> dict:
    # A refused edit hands over the handover it already built (building it is most of
    # the page's cost); nothing was saved since.
    handover, signer, signer_error = built or _built(sprint)
    rows = []
    for section in handover.sections:
        form = None
        if section.texts:
            form = (
                bound
                if bound is not None and bound.section_obj.key == section.key
                else SectionEditForm(section=section)
            )
        rows.append((section, form))
    if job is None:
        job = sprint.handover_jobs.select_related("issued").first()
    return {
        "sprint": sprint,
        "client": sprint.client,
        "handover": handover,
        "rows": rows,
        "issued": list(sprint.handovers.select_related("issued_by", "acknowledged_by")),
        "signer": signer,
        "signer_error": signer_error,
        "job": job,
        "issue_error": issue_error,
        "readiness": readiness(handover),
        "signer_timestamped": handover.timestamped,
        "issue_form": issue_form or IssueForm(),
    }


@staff_required
def handover_draft(request: AuthedRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    return render(request, "handover/draft.html", _draft_context(request, sprint))


@staff_required
@require_POST
def handover_edit(request: AuthedRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    built = _built(sprint)
    handover = built[0]
    key = request.POST.get("section", "")
    section = next((s for s in handover.sections if s.key == key and s.texts), None)
    if section is None:
        messages.error(request, "That section cannot be edited.")
        return redirect("handover:handover_draft", sprint_code=sprint.code)
    form = SectionEditForm(request.POST, section=section)
    if form.is_valid():
        try:
            services.draft_save(
                sprint=sprint, by=request.user, values=form.values(), confirm=form.confirmations()
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved “{section.title}”.")
            return redirect(
                reverse("handover:handover_draft", args=[sprint.code]) + f"#{section.anchor}"
            )
    return render(
        request,
        "handover/draft.html",
        _draft_context(request, sprint, bound=form, built=built),
        status=422,
    )


@staff_required
@require_POST
def handover_issue(request: AuthedRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    form = IssueForm(request.POST)
    if not form.is_valid():  # e.g. a secret pasted into the reason: refused, never echoed
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if request.htmx:
            context = {"issue_error": message, "sprint": sprint}
            return render(request, "handover/_job.html", context, status=422)
        context = _draft_context(request, sprint, issue_error=message, issue_form=form)
        return render(request, "handover/draft.html", context, status=422)
    reason = form.cleaned_data["override_reason"]
    try:
        job = services.handover_request_issue(
            sprint=sprint, by=request.user, override_reason=reason
        )
    except QueueUnavailable as exc:
        failed = sprint.handover_jobs.first()
        if request.htmx:
            return render(
                request, "handover/_job.html", {"job": failed, "sprint": sprint}, status=503
            )
        return render_unavailable(request, exc, failed)
    except ServiceError as exc:
        if request.htmx:
            return render(
                request,
                "handover/_job.html",
                {"issue_error": str(exc), "sprint": sprint},
                status=422,
            )
        context = _draft_context(request, sprint, issue_error=str(exc), issue_form=form)
        return render(request, "handover/draft.html", context, status=422)
    # The job object as created ("queued"): the page then polls for its progress.
    if request.htmx:
        return render(request, "handover/_job.html", {"job": job, "sprint": sprint})
    return redirect(reverse("handover:handover_draft", args=[sprint.code]) + "#issue")
