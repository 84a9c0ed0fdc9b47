"""Through the app's own forms, swept: every form any user is shown (found by crawling
every URL pattern and the admin as staff, founder and anonymous visitor) refuses each
planted value in each of its text boxes, says why without repeating it, keeps the other
fields, and stores nothing. Then the whole database is dumped (SQLite iterdump, or
pg_dump in the PostgreSQL pass) together with a freshly issued handover PDF: neither
holds a planted value.

In the admin each text box gets one planted kind, the kinds taking turns, so every box
and every kind go through it (about 150 posts instead of 1,200, each re-rendering
Django's change form): every admin form and inline is a GuardedFormMixin form
(tests/guard/test_outputs.py), which tests each box with the same refusal_for() the
model fields' validator calls, and tests/guard/test_models.py puts every kind into every
model field. The app's own forms, where views and services differ, get every kind in
every box."""

from __future__ import annotations

import html
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from handover.services import handover_issue
from handover.signing import keygen
from tests.guard.crawl import admin_pages, app_pages, collect
from tests.guard.planted import PLANTED, leaked

REFUSAL_WORDS = b"never stores secret values"


def database_dump() -> str:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"]]
    command += ["-p", str(db["PORT"] or 5432), db["NAME"]]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture
def signer(settings, tmp_path):
    made = keygen(
        common_name="Sam Rivera (test signer)",
        cert_path=tmp_path / "signer.pem",
        key_path=tmp_path / "signer.key",
    )
    settings.HANDOVER_SIGNER_CERT_FILE, settings.HANDOVER_SIGNER_KEY_FILE = (
        made.cert_path,
        made.key_path,
    )
    settings.HANDOVER_SIGNER_PASSPHRASE = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plain_template_rendering():
    """Render without the test environment's instrumentation, which copies the context
    at each of the dozens of templates a page renders so that response.context can be
    read: the sweep never reads it, and the copies cost about a sixth of its time."""
    from django.template import Template
    from django.test.utils import _TestState

    saved = getattr(_TestState, "saved_data", None)
    instrumented = Template._render
    if saved is not None:
        Template._render = saved.template_render
    yield
    Template._render = instrumented


def _django_view(action: str) -> bool:
    return action.startswith(("/admin/", "/accounts/"))


def _sessions(consultant, founder):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("owner", "owner@example.test", "x")
    staff, admin, founder_http, anonymous = (HttpClient() for _ in range(4))
    staff.force_login(consultant)
    admin.force_login(superuser)
    founder_http.force_login(founder)
    return {"staff": staff, "admin": admin, "founder": founder_http, "anonymous": anonymous}


# The sweep is split by who posts, so pytest-xdist spreads it over its workers; each
# part checks that its crawl found the form people of that kind type into.
EXPECTED_ACTION = {
    "staff": "/findings/",
    "admin": "/admin/clients/client/add/",
    "founder": "/portal/",
    "anonymous": "/accounts/login/",
}


def _forms(sessions, pages) -> dict[tuple, tuple]:
    forms: dict[tuple, tuple] = {}
    for who, http in sessions.items():
        for key, form in collect(http, admin_pages() if who == "admin" else pages).items():
            forms.setdefault((who, *key), (http, form))
    return forms


@pytest.mark.django_db
def test_the_crawl_finds_the_forms_people_type_into(consultant, client_a, sprint_a, founder):
    forms = _forms(_sessions(consultant, founder), app_pages(client_a, sprint_a, consultant))
    actions = {form.action for _http, form in forms.values()}
    # The crawl must really find the forms people type into, not an empty set.
    for expected in EXPECTED_ACTION.values():
        assert any(expected in action for action in actions), expected
    assert len(forms) >= 25


@pytest.mark.long
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", sorted(EXPECTED_ACTION))
def test_every_form_refuses_every_planted_value_and_nothing_is_stored(
    who, consultant, client_a, sprint_a, founder, signer, tmp_path, plain_template_rendering
):
    sessions = {who: _sessions(consultant, founder)[who]}
    forms = _forms(sessions, app_pages(client_a, sprint_a, consultant))
    actions = {form.action for _http, form in forms.values()}
    assert any(EXPECTED_ACTION[who] in action for action in actions), EXPECTED_ACTION[who]

    problems: list[str] = []
    posts = 0
    kinds = sorted(PLANTED)
    for (_who, *_), (http, form) in sorted(forms.items(), key=lambda kv: kv[0][:2]):
        for name in form.text_fields:
            planted = list(PLANTED.items())
            if who == "admin":
                kind = kinds[posts % len(kinds)]
                planted = [(kind, PLANTED[kind])]
            for kind, value in planted:
                data = {**form.fields, name: value}
                headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
                response = http.post(form.action, data, **headers)
                posts += 1
                where = f"{who} {form.action} [{name}] {kind}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"{where} server error")
                elif leaked(response.content):
                    problems.append(f"{where} echoes the value")
                elif (
                    # Django's own admin and account views answer an invalid form with 200.
                    response.status_code != (200 if _django_view(form.action) else 422)
                    or REFUSAL_WORDS not in response.content
                ):
                    problems.append(f"{where} not refused")
                else:
                    page = html.unescape(response.content.decode())
                    kept = [
                        other
                        for other, typed in form.fields.items()
                        if other != name
                        and other in form.text_fields
                        and len(typed) > 3
                        and typed.strip() not in page
                    ]
                    if kept:
                        problems.append(f"{where} lost what was typed in {kept}")
    if problems:
        import os

        with open(os.environ.get("GUARD_SWEEP_REPORT", "/dev/null"), "w") as report:
            report.write("\n".join(problems))
    assert not problems, f"{len(problems)} of {posts} posts:\n" + "\n".join(problems[:60])
    assert posts >= (len(kinds) if who == "admin" else 1)  # every kind went through

    # pyHanko signs with asyncio.run(); a browser test earlier in the session leaves
    # Playwright's event loop on this thread, so sign from a fresh one, which closes its
    # database connection when done (else PostgreSQL may still see it when the worker
    # drops its test database at the end of the session).
    def issue():
        try:
            return handover_issue(sprint=sprint_a, by=consultant, override_reason="guard sweep")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        issued = pool.submit(issue).result()
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued.file.read())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Launch" in text and not leaked(text)

    dump = database_dump()
    assert client_a.name in dump  # the dump really holds the data
    assert leaked(dump) == []
