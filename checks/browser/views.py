"""Lighthouse pages (run, scores and history per route) and the files browser runs leave
(reports, screenshots), each loaded through a helper that scopes it to the person: staff,
or the client's own founders; 404 for anyone else."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from checks.browser import services
from checks.browser.charts import score_history_svg
from checks.browser.models import JourneyRun, LighthouseAudit, LighthouseRun
from clients.access import AuthedRequest, clients_for_user, get_client_for_user, staff_required
from clients.jobs.services import QueueUnavailable
from clients.jobs.views import render_unavailable
from clients.services import ServiceError


def get_audit_for_user(request: HttpRequest, audit_code: str) -> LighthouseAudit:
    return get_object_or_404(
        LighthouseAudit.objects.filter(client__in=clients_for_user(request.user)), code=audit_code
    )


def get_journey_run_for_user(request: HttpRequest, run_code: str) -> JourneyRun:
    return get_object_or_404(
        JourneyRun.objects.filter(monitor__client__in=clients_for_user(request.user)),
        code=run_code,
    )


def _file(rel: str, content_type: str, *, download: str | None = None) -> FileResponse:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / rel).resolve()
    if not rel or root not in path.parents or not path.is_file():
        raise Http404("This file is no longer kept.")
    response = FileResponse(path.open("rb"), content_type=content_type)
    if download:
        response["Content-Disposition"] = f'attachment; filename="{download}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def lighthouse_client(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    target = services.lighthouse_target(client)
    history = []
    audits = list(LighthouseAudit.objects.filter(client=client).order_by("audited_at", "id"))
    for latest in services.latest_audits(client):
        route_audits = [a for a in audits if a.route == latest.route][-30:]
        history.append(
            {
                "audit": latest,
                "audit_list": [latest],
                "chart": score_history_svg(
                    route_audits,
                    title=f"Lighthouse scores of {latest.route}, last {len(route_audits)} audits",
                    target=target,
                ),
            }
        )
    context = {
        "client": client,
        "target": target,
        "history": history,
        "pages": services.pages_for_client(client),
        "job": LighthouseRun.objects.filter(sprint__client=client).order_by("-created_at").first(),
        "staff": request.user.is_staff,
    }
    return render(request, "browser/lighthouse.html", context)


@staff_required
@require_POST
def lighthouse_start(request: AuthedRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    sprint = client.sprints.order_by("-started_at", "-id").first()
    if sprint is None:
        messages.error(request, "Start a sprint for this client first: audits are part of one.")
        return redirect("lighthouse_client", client_code=client.code)
    try:
        run = services.lighthouse_run_request(
            sprint=sprint, by=request.user, desktop=request.POST.get("desktop") == "1"
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    except QueueUnavailable as exc:
        return render_unavailable(request, exc)
    else:
        messages.success(request, f"Lighthouse is auditing {run.progress_total or 'the'} pages.")
    return redirect("lighthouse_client", client_code=client.code)


@login_required
def lighthouse_report(request: HttpRequest, audit_code: str) -> FileResponse:
    audit = get_audit_for_user(request, audit_code)
    response = _file(audit.report, "application/json", download=f"lighthouse-{audit.code}.json")
    response["Content-Encoding"] = "gzip"
    return response


@login_required
def journey_screenshot(request: HttpRequest, journey_run_code: str) -> FileResponse:
    run = get_journey_run_for_user(request, journey_run_code)
    return _file(run.screenshot, "image/png")
