from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import services
from clients.access import get_sprint_for_user, sprints_for_user
from clients.forms import CommentForm
from clients.models import FindingStatus, Sprint
from clients.notifications import services as notifications
from clients.notifications.messages import consultant_reply_post, founder_message_post
from clients.panels import founder_labels, render_panels
from clients.selectors import activity_entries
from clients.views.sprints import ordered_findings, stage_summaries


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    sprints = list(sprints_for_user(request.user).select_related("client").order_by("-started_at"))
    if len(sprints) == 1 and not request.user.is_staff:
        return redirect("clients:portal_sprint", sprint_code=sprints[0].code)
    return render(request, "portal/index.html", {"sprints": sprints, "now": timezone.now()})


def _portal_context(request: HttpRequest, sprint: Sprint, **extra) -> dict:
    now = timezone.now()
    findings = list(ordered_findings(sprint.findings.all()))
    labels = founder_labels(findings)
    for f in findings:
        f.founder_title = labels.get(f.pk, f.title)
    context = {
        "sprint": sprint,
        "client": sprint.client,
        "now": now,
        "stages": stage_summaries(sprint, findings),
        "open_risks": [f for f in findings if f.status == FindingStatus.OPEN],
        "accepted": []
        if sprint.is_active
        else services.accepted_risks(sprint=sprint, findings=findings),
        "domains": [] if sprint.is_active else list(sprint.client.domains.all()),
        "fixed_risks": [f for f in findings if f.status != FindingStatus.OPEN],
        "recent": activity_entries(sprint.activities.filter(visible_to_founder=True)[:20]),
        "comment_form": CommentForm(),
        "panels": render_panels("portal", request=request, sprint=sprint),
    }
    if not request.user.is_staff:
        # "New since your last visit": the page itself posts the visit once shown.
        last_visit = notifications.portal_last_visit(user=request.user, sprint=sprint)
        context["last_visit"] = last_visit
        context["new_since"] = notifications.new_since(
            user=request.user, sprint=sprint, since=last_visit
        )
    context.update(extra)
    return context


@login_required
def portal_sprint(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    return render(request, "portal/sprint.html", _portal_context(request, sprint))


@login_required
@require_POST
def portal_comment(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            if request.user.is_staff:
                consultant_reply_post(
                    sprint=sprint, by=request.user, text=form.cleaned_data["text"]
                )
            else:
                founder_message_post(sprint=sprint, by=request.user, text=form.cleaned_data["text"])
        except services.ServiceError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(
                request, "Thanks: your message is on the sprint log and your consultant is told."
            )
            return redirect("clients:portal_sprint", sprint_code=sprint.code)
    return render(
        request,
        "portal/sprint.html",
        _portal_context(request, sprint, comment_form=form),
        status=422,
    )
