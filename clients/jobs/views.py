"""The one polling view and the one "Try again" action for every job kind. Both are
staff screens: every job kind so far belongs to staff pages, and each row is scoped to
the clients the user may see through its kind's ``job_scope``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clients.access import clients_for_user, staff_required
from clients.jobs.models import Job
from clients.jobs.services import QueueUnavailable, job_model_for_kind, job_retry


def get_job_for_user(request: HttpRequest, kind: str, job_code: str) -> Job:
    model = job_model_for_kind(kind)
    if model is None:
        raise Http404
    scoped = model.objects.filter(**{f"{model.job_scope}__in": clients_for_user(request.user)})
    return get_object_or_404(scoped, code=job_code)


def render_unavailable(
    request: HttpRequest, exc: QueueUnavailable, job: Job | None = None
) -> HttpResponse:
    """503 with the sentence: the progress partial for htmx, a small page otherwise."""
    if request.htmx and job is not None:
        return render(request, "jobs/_progress.html", {"job": job}, status=503)
    return render(request, "jobs/unavailable.html", {"message": str(exc), "job": job}, status=503)


@staff_required
def job_progress(request: HttpRequest, kind: str, job_code: str) -> HttpResponse:
    """htmx polls this every second while the job is queued or running. Read only: a job
    whose worker died is failed by the reaper, not here. When the job has finished, the
    page reloads to show the kind's own results."""
    job = get_job_for_user(request, kind, job_code)
    response = render(request, "jobs/_progress.html", {"job": job})
    if job.status == "done" and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@staff_required
@require_POST
def job_try_again(request: HttpRequest, kind: str, job_code: str) -> HttpResponse:
    job = get_job_for_user(request, kind, job_code)
    try:
        job = job_retry(job=job, by=request.user)
    except QueueUnavailable as exc:
        job.refresh_from_db()
        return render_unavailable(request, exc, job)
    if request.htmx:
        return render(request, "jobs/_progress.html", {"job": job})
    return redirect(job.get_absolute_url())
