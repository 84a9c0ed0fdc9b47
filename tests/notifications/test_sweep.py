"""Every event kind has a subject, text and HTML template, a recipients rule and a test;
every email part renders with no raw template syntax and no HTML entity in a subject."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.template.loader import get_template

import tests.notifications
from clients.notifications import delivery
from clients.notifications.models import Channel, EventKind, Notification
from clients.notifications.recipients import RULES
from tests.notifications.coverage import COVERED


def _load_test_modules() -> None:
    for info in pkgutil.iter_modules(tests.notifications.__path__):
        if info.name.startswith("test_"):
            importlib.import_module(f"tests.notifications.{info.name}")


@pytest.mark.parametrize("kind", EventKind.values)
def test_every_kind_has_templates_a_rule_and_a_test(kind):
    for part in ("subject.txt", "body.txt", "body.html"):
        get_template(f"emails/notify-{kind}-{part}")
    assert kind in RULES
    _load_test_modules()
    assert kind in COVERED, f"no test marked @covers(EventKind.{EventKind(kind).name})"


@pytest.mark.parametrize("kind", EventKind.values)
def test_every_kind_renders_plain_subjects_and_both_parts(kind, founder, consultant, sprint_a):
    client = sprint_a.client
    client.name = "Ann & Bo's <Shop>"
    client.save()
    row = Notification.objects.create(
        kind=kind,
        key="sweep",
        sprint=sprint_a,
        recipient=founder,
        channel=Channel.EMAIL,
        title=f'{client.name}: "quoted" & done',
        text="Line one & two",
        path="/portal/x/",
    )
    subject, text, html = delivery.render([row])
    assert subject and "\n" not in subject
    for entity in ("&amp;", "&lt;", "&#x27;", "&quot;", "&#39;"):
        assert entity not in subject and entity not in text
    for part in (subject, text, html):
        assert "{{" not in part and "{%" not in part
    assert "https://launchready.test/unsubscribe/" in text and "https://launchready.test/" in html
    assert "Ann &amp; Bo" in html
