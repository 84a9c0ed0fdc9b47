"""Nothing leaves in another form: log lines are redacted by the last-line filter,
django-axes never records a secret-shaped username, every form and admin in the
project carries the guard."""

from __future__ import annotations

import inspect
import io
import logging
from importlib import import_module

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from launchready.guard.checks import project_apps
from launchready.guard.forms import GuardedFormMixin
from launchready.guard.logfilter import RedactSecretsFilter
from tests.guard.planted import PLANTED, leaked


@pytest.mark.logs_planted_secret
@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_log_filter_redacts_every_planted_value_in_message_args_and_traceback(kind):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger(f"tests.guard.{kind}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("webhook failed for %s", PLANTED[kind])
        try:
            raise RuntimeError(f"server said {PLANTED[kind]}")
        except RuntimeError:
            logger.exception("delivery")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "webhook failed for" in written and "RuntimeError" in written
    assert not leaked(written)


def test_log_filter_leaves_ordinary_lines_alone():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET %s %s", ("/sprints/ab12/", 200), None
    )
    RedactSecretsFilter().filter(record)
    assert record.getMessage() == "GET /sprints/ab12/ 200"


def test_the_console_handler_carries_the_filter():
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]


@pytest.mark.parametrize("kind", ["github", "stripe", "aws-key-id"])
def test_axes_records_a_secret_shaped_username_only_as_a_hash(client, db, kind):
    from axes.models import AccessAttempt

    for _ in range(2):
        response = client.post(reverse("login"), {"username": PLANTED[kind], "password": "x"})
        assert not leaked(response.content)
    attempts = list(AccessAttempt.objects.values_list("username", flat=True))
    assert attempts and all("secret-shaped username" in name for name in attempts)
    assert not leaked(" ".join(attempts))
    assert AccessAttempt.objects.get().failures_since_start == 2  # still grouped for lockout


def test_axes_keeps_an_ordinary_username(client, db):
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": "ann@acme.test", "password": "wrong"})
    assert AccessAttempt.objects.get().username == "ann@acme.test"


def _project_form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for config in project_apps():
        for module_name in (f"{config.name}.forms", f"{config.name}.admin"):
            try:
                module = import_module(module_name)
            except ModuleNotFoundError:
                continue
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                    found.append(obj)
    return found


def test_every_form_class_in_the_project_is_guarded():
    classes = _project_form_classes()
    assert len(classes) >= 20
    assert [c.__qualname__ for c in classes if not issubclass(c, GuardedFormMixin)] == []


def test_every_admin_form_and_inline_is_guarded(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    unguarded = []
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request)
        # A read-only admin (django-axes' logs) has no field anyone can type into.
        if form.base_fields and not issubclass(form, GuardedFormMixin):
            unguarded.append(model._meta.label)
        for inline in model_admin.get_inline_instances(request):
            if not issubclass(inline.get_formset(request).form, GuardedFormMixin):
                unguarded.append(f"{model._meta.label} inline {inline.model._meta.label}")
    assert unguarded == []
    assert apps.get_model("auth.User") in admin.site._registry
