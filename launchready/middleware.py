from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from launchready.guard.fields import SecretValueRefused

# Everything the app serves comes from its own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the headers Django's SecurityMiddleware does not: CSP and a permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class SecretValueRefusedMiddleware:
    """A write that reaches the model layer with a secret value (a view that posts to a
    service without a form, an API body) answers 422 with the refusal, never a 500.
    The value is not in the answer; the transaction of the request has rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SecretValueRefused):
            return None
        message = " ".join(exception.messages)
        wants_json = "json" in request.headers.get("Accept", "") or "json" in (
            request.content_type or ""
        )
        if wants_json:
            return JsonResponse({"error": "secret_value", "message": message}, status=422)
        if request.htmx:  # set by django-htmx before any view runs
            return HttpResponse(
                format_html('<p class="error" role="alert">{}</p>', message), status=422
            )
        response = TemplateResponse(request, "refused.html", {"message": message}, status=422)
        return response.render()
