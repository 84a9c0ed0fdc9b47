"""Public status page (no sign-in, by design) and the staff screens that shape it.

Public views find their page by slug or their subscriber by token and answer 404 for
anything else, including a page that is switched off."""

from __future__ import annotations

from datetime import datetime

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from checks.monitoring.models import Incident
from checks.statuspage import services
from checks.statuspage.forms import IncidentUpdateForm, StatusPageForm, SubscribeForm
from checks.statuspage.models import StatusPage, Subscriber
from checks.statuspage.svg import bars_svg
from clients.access import clients_for_user, get_client_for_user, staff_required
from launchready.guard.fields import refusal_for
from launchready.sites import site_url

# The ETag holds the minute, so a cached body is never served past it; two minutes of
# expiry only bound how long an unused one stays in the cache.
BODY_CACHE_SECONDS = 120


def _get_public_page(slug: str) -> StatusPage:
    return get_object_or_404(StatusPage.objects.select_related("client"), slug=slug, enabled=True)


def _render_body(page: StatusPage, form: SubscribeForm, *, now: datetime) -> str:
    view = services.page_view(page, now=now)
    rows = [(entry, bars_svg(entry)) for entry in view.entries]
    # Rendered without the request: no context processor touches the session, so the
    # response carries no "Vary: Cookie" and shared caches may keep it.
    return render_to_string(
        "statuspage/public.html", {"view": view, "form": form, "rows": rows, "page": page}
    )


def _render_public(
    request: HttpRequest, page: StatusPage, form: SubscribeForm, status: int = 200
) -> HttpResponse:
    return HttpResponse(_render_body(page, form, now=timezone.now()), status=status)


@require_http_methods(["GET", "HEAD"])
def status_public(request: HttpRequest, status_slug: str) -> HttpResponse:
    """The page itself: cacheable for 30 s by anyone (it holds nothing private). The ETag
    comes from a few cheap facts (services.page_etag), so a matching If-None-Match answers
    304 without building the page, and the body is kept in the cache under its ETag."""
    page = _get_public_page(status_slug)
    now = timezone.now()
    etag = services.page_etag(page, now=now)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.STATUS_PAGE_MAX_AGE}",
    }
    # A proxy that compresses the body (nginx gzip) weakens the ETag to W/"..."; the
    # visitor's next request sends that back, and it still names this body.
    sent = request.headers.get("If-None-Match", "")
    if etag in [t.strip().removeprefix("W/") for t in sent.split(",")]:
        return HttpResponse(status=304, headers=headers)
    key = f"status-page:{page.pk}:{etag}"
    body = cache.get(key)
    if body is None:
        body = _render_body(page, SubscribeForm(), now=now)
        cache.set(key, body, timeout=BODY_CACHE_SECONDS)
    return HttpResponse(body, headers=headers)


def _subscribe_limited(request: HttpRequest, slug: str) -> bool:
    def key(group: str, req: HttpRequest) -> str:
        return f"{slug}:{get_client_ip_address(req) or 'unknown'}"

    return is_ratelimited(
        request,
        group="status-subscribe",
        key=key,
        rate=settings.STATUS_SUBSCRIBE_RATE,
        increment=True,
    )


# The page is cached publicly, so it carries no CSRF token; this form changes nothing
# until the address owner clicks the emailed link, and it is rate-limited per address.
@csrf_exempt
@require_POST
def status_subscribe(request: HttpRequest, status_slug: str) -> HttpResponse:
    page = _get_public_page(status_slug)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _render_public(request, page, form, status=422)
    # Only requests that would send an email count towards the limit.
    if _subscribe_limited(request, status_slug):
        form.add_error(None, "Too many sign-ups from your network. Please try again in an hour.")
        return _render_public(request, page, form, status=429)
    services.subscriber_add(page=page, email=form.cleaned_data["email"], base_url=site_url(request))
    return render(
        request,
        "statuspage/message.html",
        {
            "page": page,
            "heading": "Check your inbox",
            "text": "If that address can receive mail, a confirmation link is on its way. "
            "Nothing will be sent until you click it.",
        },
    )


def _get_subscriber(token: str) -> Subscriber:
    return get_object_or_404(
        Subscriber.objects.select_related("page"), token=token, page__enabled=True
    )


@require_http_methods(["GET", "POST"])
def status_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that prefetch links confirm nothing); POST confirms."""
    subscriber = _get_subscriber(token)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
        return render(
            request,
            "statuspage/message.html",
            {
                "page": subscriber.page,
                "heading": "You are subscribed",
                "text": "You will get an email when an incident is posted or updated. Every "
                "email has a link to stop them.",
            },
        )
    return render(
        request, "statuspage/confirm.html", {"subscriber": subscriber, "page": subscriber.page}
    )


# RFC 8058 one-click: mail clients POST here without a session or CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def status_leave(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = Subscriber.objects.select_related("page").filter(token=token).first()
    if request.method == "POST":
        services.subscriber_remove(token=token)
        page = subscriber.page if subscriber else None
        return render(
            request,
            "statuspage/message.html",
            {
                "page": page,
                "heading": "Unsubscribed",
                "text": "You will get no more incident emails from this page.",
            },
        )
    if subscriber is None:
        raise Http404
    return render(
        request, "statuspage/leave.html", {"subscriber": subscriber, "page": subscriber.page}
    )


# ---------------------------------------------------------------- staff


@staff_required
@require_http_methods(["GET", "POST"])
def status_settings(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    page = services.status_page_for(client)
    monitors = list(client.monitors.all())
    entries = {e.monitor_id: e for e in page.entries.all()}
    form = StatusPageForm(request.POST or None, instance=page)
    rows = []
    for m in monitors:
        entry = entries.get(m.pk)
        rows.append(
            {
                "monitor": m,
                "public": request.POST.get(f"pub_{m.code}") == "on"
                if request.method == "POST"
                else entry is not None,
                "name": request.POST.get(f"name_{m.code}", "").strip()
                if request.method == "POST"
                else (entry.public_name if entry else ""),
                "show_url": request.POST.get(f"url_{m.code}") == "on"
                if request.method == "POST"
                else bool(entry and entry.show_url),
                "error": "",
            }
        )
    if request.method == "POST":
        ok = form.is_valid()
        for row in rows:
            raw = request.POST.get(f"name_{row['monitor'].code}", "")
            if raw and (refused := refusal_for(raw)) is not None:
                row["error"], row["name"] = refused.messages[0], ""
                ok = False
            elif row["public"] and not row["name"]:
                row["error"] = "Give it a public name: visitors never see the internal one."
                ok = False
            elif len(row["name"]) > 80:
                row["error"] = "At most 80 characters."
                ok = False
        if ok:
            services.status_page_update(
                page=page,
                enabled=form.cleaned_data["enabled"],
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                public={r["monitor"].pk: (r["name"], r["show_url"]) for r in rows if r["public"]},
            )
            messages.success(request, "Status page saved.")
            return redirect("status_settings", client_code=client.code)
    incidents = list(
        Incident.objects.filter(
            monitor__in=[r["monitor"] for r in rows if entries.get(r["monitor"].pk)]
        )
        .select_related("monitor")
        .prefetch_related("public_updates")[:10]
    )
    context = {
        "client": client,
        "page": page,
        "form": form,
        "rows": rows,
        "incidents": incidents,
        "update_form": IncidentUpdateForm(),
        "subscribers": page.subscribers.filter(confirmed_at__isnull=False).count(),
    }
    return render(
        request,
        "statuspage/settings.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


def get_incident_for_user(request: HttpRequest, incident_code: str) -> Incident:
    return get_object_or_404(
        Incident.objects.filter(monitor__client__in=clients_for_user(request.user)).select_related(
            "monitor__client"
        ),
        code=incident_code,
    )


@staff_required
@require_POST
def incident_update_new(request: HttpRequest, incident_code: str) -> HttpResponse:
    incident = get_incident_for_user(request, incident_code)
    client = incident.monitor.client
    form = IncidentUpdateForm(request.POST)
    if not form.is_valid():
        page = services.status_page_for(client)
        return render(
            request,
            "statuspage/update_form.html",
            {"client": client, "page": page, "incident": incident, "update_form": form},
            status=422,
        )
    services.incident_update_add(
        incident=incident,
        by=request.user,
        state=form.cleaned_data["state"],
        body=form.cleaned_data["body"],
        public=form.cleaned_data["public"],
        now=timezone.now(),
    )
    messages.success(request, "Update posted.")
    return redirect("status_settings", client_code=client.code)
