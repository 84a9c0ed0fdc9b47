from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from checks.monitoring import charts, services, stats
from checks.monitoring.forms import MaintenanceForm, MonitorForm, monitor_form_initial
from checks.monitoring.models import MaintenanceWindow, Monitor
from clients.access import clients_for_user, get_client_for_user, safe_next, staff_required
from clients.jobs.services import QueueUnavailable
from clients.jobs.views import render_unavailable
from clients.models import Client


def get_monitor_for_user(request: HttpRequest, monitor_code: str) -> Monitor:
    return get_object_or_404(
        Monitor.objects.filter(client__in=clients_for_user(request.user)).select_related(
            "client", "sprint"
        ),
        code=monitor_code,
    )


def get_window_for_user(request: HttpRequest, window_code: str) -> MaintenanceWindow:
    return get_object_or_404(
        MaintenanceWindow.objects.filter(
            monitor__client__in=clients_for_user(request.user)
        ).select_related("monitor"),
        code=window_code,
    )


def monitor_cards(monitors: list[Monitor], *, now, with_year: bool = False) -> list[dict]:
    """What a monitor card shows, the same for staff and founders."""
    cards = []
    for summary in stats.summaries(monitors, now=now, with_year=with_year):
        m = summary.monitor
        cards.append(
            {
                "monitor": m,
                "periods": summary.periods,
                "p95_24h": summary.periods["24h"].p(95),
                "latency_chart": charts.latency_svg(
                    stats.recent_latency(m, now=now),
                    title=f"{m.name}: latency over the last 24 hours (UTC), p50 and p95",
                ),
                "uptime_bars": charts.uptime_bars_svg(
                    summary.days, title=f"{m.name}: uptime per day, last 30 days"
                ),
                "incidents": list(m.incidents.all()[:5]),
                "cert_days_left": m.cert_days_left(now),
            }
        )
    return cards


def _client_monitors(client: Client) -> list[Monitor]:
    return list(client.monitors.select_related("client"))


def _cards_page(
    request: HttpRequest, client_code: str, *, template: str, staff: bool
) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    now = timezone.now()
    context = {
        "client": client,
        "cards": monitor_cards(_client_monitors(client), now=now),
        "now": now,
        "staff": staff,
    }
    return render(request, template, context)


@staff_required
def monitor_list(request: HttpRequest, client_code: str) -> HttpResponse:
    return _cards_page(request, client_code, template="monitoring/monitor_list.html", staff=True)


@login_required
def monitor_portal(request: HttpRequest, client_code: str) -> HttpResponse:
    """The founder's view of their own client's monitors (404 for anyone else's)."""
    return _cards_page(request, client_code, template="monitoring/portal.html", staff=False)


def _form_page(request, form, *, client, monitor=None, status=200) -> HttpResponse:
    return render(
        request,
        "monitoring/monitor_form.html",
        {"form": form, "client": client, "monitor": monitor, "next": safe_next(request)},
        status=status,
    )


@staff_required
def monitor_add(request: HttpRequest, client_code: str) -> HttpResponse:
    client = get_client_for_user(request, client_code)
    sprint = client.sprints.filter(finished_at__isnull=True).first()
    if request.method != "POST":
        initial = monitor_form_initial(user=request.user, client=client)
        return _form_page(request, MonitorForm(initial=initial), client=client)
    form = MonitorForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, client=client, status=422)
    fields = {name: form.cleaned_data[name] for name in services.MONITOR_FIELDS}
    with transaction.atomic():
        monitor = services.monitor_create(client=client, by=request.user, sprint=sprint, **fields)
        _save_steps(monitor, form)
    messages.success(request, f"Monitoring {monitor.url}. The first check runs within a minute.")
    return redirect(safe_next(request) or reverse("monitoring:monitor_detail", args=[monitor.code]))


@staff_required
def monitor_edit(request: HttpRequest, monitor_code: str) -> HttpResponse:
    monitor = get_monitor_for_user(request, monitor_code)
    form = MonitorForm(request.POST or None, instance=monitor)
    if request.method != "POST":
        return _form_page(request, form, client=monitor.client, monitor=monitor)
    if not form.is_valid():
        return _form_page(request, form, client=monitor.client, monitor=monitor, status=422)
    fields = {name: form.cleaned_data[name] for name in services.MONITOR_FIELDS}
    with transaction.atomic():
        services.monitor_update(monitor=monitor, by=request.user, **fields)
        _save_steps(monitor, form)
    messages.success(request, "Saved.")
    return redirect("monitoring:monitor_detail", monitor_code=monitor.code)


def _save_steps(monitor: Monitor, form: MonitorForm) -> None:
    if monitor.kind == "journey":
        from checks.browser.journeys import journey_steps_set

        journey_steps_set(monitor=monitor, steps=form.cleaned_data["steps"])


def _detail(
    request: HttpRequest, monitor: Monitor, *, window_form=None, status=200
) -> HttpResponse:
    now = timezone.now()
    card = monitor_cards([monitor], now=now, with_year=True)[0]
    days = stats.summaries([monitor], now=now)[0].days
    context = {
        "client": monitor.client,
        "monitor": monitor,
        "card": card,
        "now": now,
        "daily_chart": charts.latency_svg(
            stats.daily_latency(days),
            title=f"{monitor.name}: daily p50 and p95, last 30 days",
            label_format="%d %b",
            width=640,
        ),
        "percentile_rows": [
            {
                "name": name,
                "uptime": agg.uptime_pct,
                "ps": [agg.p(50), agg.p(95), agg.p(99)],
                "total": agg.total,
            }
            for name, agg in card["periods"].items()
        ],
        "incidents": monitor.incidents.all()[:20],
        "windows": monitor.maintenance_windows.filter(ends_at__gt=now),
        "alerts": monitor.alerts.all()[:20],
        "window_form": window_form or MaintenanceForm(),
        **_check_now_context(request, monitor),
    }
    if monitor.kind == "journey":
        from checks.browser.panels import journey_panel

        context["journey_panel"] = journey_panel(request=request, monitor=monitor)
    return render(request, "monitoring/monitor_detail.html", context, status=status)


@staff_required
def monitor_detail(request: HttpRequest, monitor_code: str) -> HttpResponse:
    return _detail(request, get_monitor_for_user(request, monitor_code))


def _set_paused(request: HttpRequest, monitor_code: str, *, paused: bool) -> HttpResponse:
    monitor = get_monitor_for_user(request, monitor_code)
    if paused:
        services.monitor_pause(monitor=monitor, by=request.user)
        messages.success(request, f"Paused {monitor.name}: no probes, no alerts.")
    else:
        services.monitor_resume(monitor=monitor, by=request.user)
        messages.success(request, f"Resumed {monitor.name}.")
    return redirect("monitoring:monitor_detail", monitor_code=monitor.code)


@staff_required
@require_POST
def monitor_pause(request: HttpRequest, monitor_code: str) -> HttpResponse:
    return _set_paused(request, monitor_code, paused=True)


@staff_required
@require_POST
def monitor_resume(request: HttpRequest, monitor_code: str) -> HttpResponse:
    return _set_paused(request, monitor_code, paused=False)


@staff_required
@require_POST
def monitor_check(request: HttpRequest, monitor_code: str) -> HttpResponse:
    """Queue one probe; the page then polls for its result."""
    monitor = get_monitor_for_user(request, monitor_code)
    try:
        requested = services.monitor_check_request(monitor=monitor)
    except QueueUnavailable as exc:
        return render_unavailable(request, exc)
    since = int(requested.timestamp())
    detail = reverse("monitoring:monitor_detail", args=[monitor.code])
    return redirect(f"{detail}?checking={since}#check-now")


def _since(request: HttpRequest) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(request.GET.get("checking", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


@staff_required
def monitor_check_status(request: HttpRequest, monitor_code: str) -> HttpResponse:
    """Polled by the page after "Check now": "checking…" until the result lands."""
    monitor = get_monitor_for_user(request, monitor_code)
    return render(request, "monitoring/_check_now.html", _check_now_context(request, monitor))


def _check_now_context(request: HttpRequest, monitor: Monitor) -> dict:
    since = _since(request)
    result = services.monitor_check_result(monitor=monitor, since=since) if since else None
    return {
        "monitor": monitor,
        "since": since,
        "checking": request.GET.get("checking", ""),
        "result": result,
    }


@staff_required
@require_POST
def maintenance_add(request: HttpRequest, monitor_code: str) -> HttpResponse:
    monitor = get_monitor_for_user(request, monitor_code)
    form = MaintenanceForm(request.POST)
    if not form.is_valid():
        return _detail(request, monitor, window_form=form, status=422)
    services.maintenance_add(monitor=monitor, by=request.user, **form.cleaned_data)
    messages.success(request, "Maintenance window added: no alerts while it is open.")
    return redirect("monitoring:monitor_detail", monitor_code=monitor.code)


@staff_required
@require_POST
def maintenance_delete(request: HttpRequest, window_code: str) -> HttpResponse:
    window = get_window_for_user(request, window_code)
    services.maintenance_delete(window=window, by=request.user)
    messages.success(request, "Maintenance window removed.")
    return redirect("monitoring:monitor_detail", monitor_code=window.monitor.code)
