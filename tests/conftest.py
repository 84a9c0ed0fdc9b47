"""The cast every test module shares (healthchecks' alice/bob/charlie):
a consultant (staff), a founder of client A, a founder_b of client B, an outsider."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from clients import services
from clients.models import BusinessType, Client, Domain, DomainRole, Maturity

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True, scope="session")
def _plain_static_files():
    # The live server serves static files from the finders by their plain names; the
    # production manifest storage would link to hashed names it cannot find.
    from django.test import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # On SQLite the test database is a file, not memory: the background-job fault tests
    # run a real `run_huey` consumer in another process on it (tests/faults.py).
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "test-database.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The playbook (stages, checklist templates, targets, glossary) is reference data
    every sprint needs. It is committed once after the migrations, as a running app holds
    it after its first sprint, so each test's rolled-back transaction does not load it
    again (about 0.1 s a test). A transactional test's flush deletes it: see
    pytest_runtest_protocol, which commits it again after such a test."""
    with django_db_blocker.unblock():
        services.playbook_ensure_loaded()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in test_auth); tests elsewhere need speed.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def _user(username: str, *, staff: bool = False, first: str = "", last: str = ""):
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.test",
        password=PASSWORD,
        is_staff=staff,
        first_name=first,
        last_name=last,
    )


def make_consultant():
    return _user("consultant", staff=True, first="Sam", last="Rivera")


def make_client_a() -> Client:
    client = Client.objects.create(
        name="Acme Coaching", business_type=BusinessType.COACH, maturity=Maturity.LAUNCH
    )
    Domain.objects.create(client=client, hostname="acme.test", role=DomainRole.CANONICAL)
    Domain.objects.create(client=client, hostname="www.acme.test", role=DomainRole.WWW)
    return client


def make_founder(client: Client, by):
    membership = services.founder_add(
        client=client, by=by, email="founder@acme.test", full_name="Ann Acme", password=PASSWORD
    )
    return membership.user


@pytest.fixture
def consultant(db):
    return make_consultant()


@pytest.fixture
def client_a(db):
    return make_client_a()


@pytest.fixture
def client_b(db):
    client = Client.objects.create(
        name="Bravo Bots", business_type=BusinessType.CHATBOT, maturity=Maturity.DEMO
    )
    Domain.objects.create(client=client, hostname="bravo.test", role=DomainRole.CANONICAL)
    return client


@pytest.fixture
def founder(client_a, consultant):
    return make_founder(client_a, consultant)


@pytest.fixture
def founder_b(client_b, consultant):
    membership = services.founder_add(
        client=client_b,
        by=consultant,
        email="founder@bravo.test",
        full_name="Bob Bravo",
        password=PASSWORD,
    )
    return membership.user


@pytest.fixture
def outsider(db):
    return _user("outsider", first="Olly")


@pytest.fixture
def sprint_a(client_a, consultant):
    return services.sprint_start(client=client_a, by=consultant)


@pytest.fixture
def sprint_b(client_b, consultant):
    return services.sprint_start(client=client_b, by=consultant)


@pytest.fixture
def add_finding(sprint_a, consultant):
    """Record a finding on sprint A's first stage, as the consultant."""

    def add(title: str, impact: str, **fields):
        return services.finding_create(
            sprint=sprint_a,
            by=consultant,
            stage=sprint_a.stages.get(number=1),
            title=title,
            impact=impact,
            **fields,
        )

    return add


@pytest.fixture
def staff_client(client, consultant):
    client.force_login(consultant)
    return client


@pytest.fixture
def founder_client(client, founder):
    client.force_login(founder)
    return client


# ---------------------------------------------------------------- browser tests
# pytest-playwright drives Debian's chromium; never `playwright install`.

SCREENSHOT_DIR = Path(
    os.environ.get(
        "LAUNCHREADY_SCREENSHOTS", str(Path(__file__).resolve().parent.parent / "screenshots")
    )
)


def _drives_playwright(item: pytest.Item) -> bool:
    return "playwright" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API marks an event loop as running in this thread from its start
    # to the end of the session, and Django refuses ORM calls under a running loop. The
    # browser tests go last (stable order otherwise; pytest-xdist hands each worker its
    # tests in this order), so no other test ever runs under that loop. Within each
    # block the long tests go first, so no worker starts one when the other is nearly done.
    items.sort(key=lambda item: (_drives_playwright(item), item.get_closest_marker("long") is None))


def _flushes_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in getattr(item, "fixturenames", ()) or bool(
        marker and marker.kwargs.get("transaction")
    )


def _recommit_playbook(config: pytest.Config) -> None:
    """After a transactional test's flush, commit the playbook again (django_db_setup)."""
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        services.playbook_ensure_loaded()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    # Only the browser tests may touch the ORM under Playwright's loop (they are safe: one
    # thread, no async code of ours), from their setup to their teardown (the database
    # flush, and the session's end after the last one); every other test runs with
    # Django's guard on.
    saved = os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if _drives_playwright(item):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        return (yield)
    finally:
        # After the session's last test the test database is already gone.
        if nextitem is not None and _flushes_database(item) and not _drives_playwright(item):
            _recommit_playbook(item.config)
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if saved is not None:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1300, "height": 900}}


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves a full-page PNG under screenshots/ to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> str:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return str(path)

    return take


@pytest.fixture
def login_form(page, live_server):
    """Sign in through the sign-in page, as a person does (test_browser_flow)."""

    def do_login(user, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do_login


def sign_in(page, base_url: str, user) -> None:
    """Sign ``user`` in by giving the browser the session cookie the sign-in form would
    set, then open their home page: one page load instead of three (about 0.3 s a
    sign-in). The form itself is driven by login_form and tests/clients/test_auth.py."""
    from django.conf import settings
    from django.test import Client as DjangoClient
    from django.urls import reverse

    http = DjangoClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )
    page.goto(f"{base_url}{reverse('clients:home')}")
    page.wait_for_load_state()


@pytest.fixture
def login(page, live_server):
    return lambda user: sign_in(page, live_server.url, user)


@pytest.fixture(autouse=True)
def _no_planted_secret_leaves(request, caplog):
    """A sweep over the whole suite: after every test, no email in the locmem outbox and
    no log record (as the code logged it, before any redacting filter) carries one of
    the planted secret values. Tests of the redacting filter itself opt out."""
    yield
    from django.core import mail

    from tests.guard.planted import leaked

    if request.node.get_closest_marker("logs_planted_secret") is None:
        for record in caplog.records:
            try:
                text = record.getMessage()
            except Exception:
                continue
            assert not leaked(text), f"a log line carries a planted secret: {record.name}"
    for message in getattr(mail, "outbox", []):
        parts = [message.subject, message.body]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        assert not leaked("\n".join(str(p) for p in parts)), (
            f"an email carries a planted secret: {message.subject!r}"
        )
