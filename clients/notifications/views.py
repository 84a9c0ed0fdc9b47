"""Notification screens: each person's settings, the one-click unsubscribe (works signed
out), the consultant's reply and "mark read", and the founder portal's visit mark."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clients.access import get_sprint_for_user, staff_required
from clients.notifications import delivery, services
from clients.notifications.forms import PreferenceForm, ReplyForm
from clients.notifications.messages import consultant_reply_post
from clients.notifications.models import Channel
from clients.services import ServiceError


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    pref = services.preference_for(request.user)
    initial = {"email": pref.email, "chat": pref.chat}
    form = PreferenceForm(
        request.POST or None,
        initial=initial,
        staff=request.user.is_staff,
        current_webhook=pref.chat_webhook_url,
    )
    if request.method == "POST":
        if form.is_valid():
            services.preference_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Notification settings saved.")
            return redirect("notification_settings")
        return render(request, "notifications/settings.html", {"form": form}, status=422)
    return render(request, "notifications/settings.html", {"form": form})


# Mail providers POST here without a session or a CSRF token (RFC 8058); the signed
# token is the authority, and all it can do is turn one channel off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = delivery.unsubscribe_read(token)
    user = None
    if found is not None and found[1] in Channel.values:
        user = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    if user is None:
        raise Http404
    channel = Channel(found[1])
    context = {"channel": channel, "email": user.email, "token": token, "done": False}
    if request.method == "POST":
        services.unsubscribe(user=user, channel=channel)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)


@staff_required
@require_POST
def inbox_read(request: HttpRequest, sprint_code: str) -> HttpResponse:
    sprint = get_sprint_for_user(request, sprint_code)
    services.inbox_mark_read(sprint=sprint, by=request.user)
    if request.headers.get("HX-Request") == "true":
        return render(request, "notifications/_inbox.html", {"sprint": sprint, "unread": 0})
    return redirect(reverse("clients:sprint_detail", args=[sprint.code]) + "#activity")


@staff_required
@require_POST
def sprint_reply(request: HttpRequest, sprint_code: str) -> HttpResponse:
    from clients.views.sprints import _sprint_context

    sprint = get_sprint_for_user(request, sprint_code)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            consultant_reply_post(sprint=sprint, by=request.user, text=form.cleaned_data["text"])
        except ServiceError as exc:
            form.add_error("text", str(exc))
        else:
            # Replying means the founder's messages were read.
            services.inbox_mark_read(sprint=sprint, by=request.user)
            messages.success(request, "Reply sent: the founder sees it on their launch page.")
            return redirect(reverse("clients:sprint_detail", args=[sprint.code]) + "#activity")
    ctx = _sprint_context(request, sprint, reply_form=form)
    return render(request, "clients/sprint_detail.html", ctx, status=422)


@login_required
@require_POST
def portal_seen(request: HttpRequest, sprint_code: str) -> HttpResponse:
    """The portal page posts this once it is shown (GET requests never write)."""
    sprint = get_sprint_for_user(request, sprint_code)
    if not request.user.is_staff:
        services.portal_visit_record(user=request.user, sprint=sprint)
    return HttpResponse(status=204)
