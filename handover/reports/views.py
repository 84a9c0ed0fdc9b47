"""Weekly report screens: opt in or out (founders for their clients, staff for any), a
staff preview of the email, and the unsubscribe link that works signed out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clients.access import get_client_for_user, staff_required
from handover.reports import services
from handover.reports.build import parse_week, previous_week, report_build
from handover.reports.models import ReportSubscription


@login_required
@require_POST
def report_subscription(request: HttpRequest, client_code: str) -> HttpResponse:
    """Toggle the signed-in person's weekly email for this client (404 for other clients)."""
    client = get_client_for_user(request, client_code)
    on = request.POST.get("on") == "1"
    services.subscription_set(user=request.user, client=client, on=on)
    if on and not getattr(request.user, "email", ""):
        messages.warning(request, "Add an email address to your account to receive the report.")
    else:
        messages.success(
            request,
            f"Weekly report for {client.name}: {'on, every Monday at 08:00' if on else 'off'}.",
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)


@staff_required
def report_preview(request: HttpRequest, client_code: str) -> HttpResponse:
    """The email as it would go out, for the week given (?week=2026-W47) or the last one."""
    client = get_client_for_user(request, client_code)
    week = request.GET.get("week", "")
    try:
        monday = parse_week(week) if week else previous_week(timezone.localdate())
    except ValueError:
        monday = previous_week(timezone.localdate())
        messages.error(request, "Write the week as YYYY-Www, e.g. 2026-W47; showing last week.")
    rendered = services.report_render(report_build(client=client, monday=monday))
    response = HttpResponse(services.html_with_data_uris(rendered))
    # The email's markup uses inline styles (mail clients ignore stylesheets); this one
    # response, which holds only our own template's output, may apply them.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response


# RFC 8058 one-click: mail clients POST here without a session or a CSRF token; the
# signed token is the only authority, and it can only switch this one email off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def report_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    ids = services.unsubscribe_read(token)
    if ids is None:
        return render(request, "reports/unsubscribe.html", {"bad": True}, status=404)
    subscribed = (
        ReportSubscription.objects.filter(user_id=ids[0], client_id=ids[1])
        .select_related("client")
        .first()
    )
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "reports/unsubscribe.html", {"done": True})
    return render(request, "reports/unsubscribe.html", {"subscription": subscribed})
