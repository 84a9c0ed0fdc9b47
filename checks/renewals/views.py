"""The renewal calendar (staff) and its iCalendar feeds (by token, no sign-in)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from checks.renewals import services
from checks.renewals.models import CalendarFeed
from clients.access import clients_for_user, staff_required
from launchready.guard.forms import GuardedForm
from launchready.sites import site_url


class FeedForm(GuardedForm):
    client = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Every client", to_field_name="code"
    )
    label = forms.CharField(max_length=80, required=False, help_text="e.g. Team calendar")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients_for_user(user)


def _filters(request: HttpRequest):
    clients = clients_for_user(request.user)
    client_code = request.GET.get("client", "")
    kind = request.GET.get("kind", "")
    if kind not in services.KINDS:
        kind = ""
    selected = clients.filter(code=client_code).first() if client_code else None
    return clients, selected, kind


@staff_required
def renewal_calendar(request: HttpRequest) -> HttpResponse:
    return _calendar(request, FeedForm(user=request.user))


def _calendar(request: HttpRequest, feed_form: FeedForm, status: int = 200) -> HttpResponse:
    clients, selected, kind = _filters(request)
    today = timezone.localdate()
    renewals = services.renewals_list(
        clients=[selected] if selected else clients, kind=kind or None, today=today
    )
    rows = [{"r": r, "days": r.days_left(today)} for r in renewals]
    feeds = CalendarFeed.objects.filter(owner=request.user).select_related("client")
    context = {
        "rows": rows,
        "clients": clients.order_by("name"),
        "selected": selected,
        "kind": kind,
        "kinds": services.KINDS,
        "feeds": feeds,
        "feed_form": feed_form,
        "base_url": site_url(request),
        "today": today,
    }
    return render(request, "renewals/calendar.html", context, status=status)


@staff_required
@require_POST
def feed_new(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST, user=request.user)
    if not form.is_valid():
        return _calendar(request, form, status=422)
    services.feed_create(
        owner=request.user, client=form.cleaned_data["client"], label=form.cleaned_data["label"]
    )
    messages.success(
        request, "Calendar address created. Add it to your calendar app as a subscription."
    )
    return redirect("renewal_calendar")


def get_feed_for_user(request: HttpRequest, feed_code: str) -> CalendarFeed:
    # A feed is its owner's: another staff member cannot revoke it (404).
    return get_object_or_404(CalendarFeed, owner=request.user, code=feed_code)


@staff_required
@require_POST
def feed_revoke(request: HttpRequest, feed_code: str) -> HttpResponse:
    feed = get_feed_for_user(request, feed_code)
    services.feed_revoke(feed=feed)
    messages.success(request, "Calendar address revoked: calendar apps using it get nothing more.")
    return redirect("renewal_calendar")


@require_http_methods(["GET", "HEAD"])
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself. The token is the credential; a revoked or unknown one is 404."""
    feed = (
        CalendarFeed.objects.select_related("owner", "client")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise Http404
    now = timezone.now()
    services.feed_touch(feed=feed, now=now)
    body = services.feed_ics(
        feed=feed, today=timezone.localdate(), now=now, base_url=site_url(request)
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="renewals.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
