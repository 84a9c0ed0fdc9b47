"""A monitor's webhook URL is a credential: stored encrypted, delivered to, shown only
redacted (page, edit form, admin), and moved to a new key by `reencrypt_fields`."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from checks.monitoring import services
from launchready.guard import crypto
from tests.monitoring.conftest import T0

HOOK_PATH = "/services/T0A1B2C3D/B4E5F6G7H/" + "Xk9Lm2Np4Qr6St8Uv0Wx2Yz4"


def _stored(monitor) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url FROM monitoring_monitor WHERE id = %s", [monitor.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def fresh_keys(settings):
    def use(*keys: bytes) -> None:
        settings.FIELD_ENCRYPTION_KEYS = [k.decode() for k in keys]
        crypto.fernet.cache_clear()

    yield use
    crypto.fernet.cache_clear()


def test_webhook_url_is_stored_encrypted_and_still_delivered(site, make_monitor):
    hook = type(site)().start()
    try:
        url = hook.url.rstrip("/") + HOOK_PATH
        monitor = make_monitor(site.url, failures_before_alert=1, webhook_url=url)
        stored = _stored(monitor)
        assert stored.startswith("fernet:") and "Xk9Lm2Np" not in stored
        monitor.refresh_from_db()
        assert monitor.webhook_url == url
        site.stop()
        services.monitors_run_due(now=T0)
        assert hook.hits[HOOK_PATH] == 1
    finally:
        hook.stop()


def test_monitor_page_edit_form_and_admin_show_the_webhook_redacted(
    staff_client, make_monitor, site, consultant
):
    monitor = make_monitor(site.url, webhook_url="https://hooks.slack.com" + HOOK_PATH)
    for url in (
        reverse("monitoring:monitor_detail", args=[monitor.code]),
        reverse("monitoring:monitor_edit", args=[monitor.code]),
    ):
        page = staff_client.get(url).content.decode()
        assert "Xk9Lm2Np" not in page
    edit = staff_client.get(
        reverse("monitoring:monitor_edit", args=[monitor.code])
    ).content.decode()
    assert "hooks.slack.com/…/z4" in edit
    consultant.is_superuser = True
    consultant.save()
    admin_page = staff_client.get(
        reverse("admin:monitoring_monitor_change", args=[monitor.pk])
    ).content.decode()
    assert "hooks.slack.com/…/z4" in admin_page and "Xk9Lm2Np" not in admin_page


def test_leaving_the_webhook_blank_on_edit_keeps_it_and_remove_clears_it(
    staff_client, make_monitor, site
):
    url = "https://hooks.slack.com" + HOOK_PATH
    monitor = make_monitor(site.url, webhook_url=url)
    form = {
        "name": "Homepage",
        "kind": "url",
        "url": site.url,
        "method": "GET",
        "expected_status": 200,
        "interval_seconds": 60,
        "timeout_seconds": 5,
        "failures_before_alert": 2,
        "alert_emails": "ops@acme.test",
        "webhook_url": "",
        "reminder_hours": 0,
    }
    edit = reverse("monitoring:monitor_edit", args=[monitor.code])
    assert staff_client.post(edit, form).status_code == 302
    monitor.refresh_from_db()
    assert monitor.webhook_url == url
    assert staff_client.post(edit, {**form, "remove_webhook": "on"}).status_code == 302
    monitor.refresh_from_db()
    assert monitor.webhook_url == ""


def test_reencrypt_moves_every_value_to_the_newest_key(make_monitor, site, fresh_keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    fresh_keys(old)
    monitor = make_monitor(site.url, webhook_url="https://hooks.slack.com" + HOOK_PATH)
    fresh_keys(new, old)
    call_command("reencrypt_fields")
    fresh_keys(new)  # the old key is gone: the value must still decrypt
    monitor.refresh_from_db()
    assert monitor.webhook_url.endswith(HOOK_PATH)


def test_reencrypt_never_overwrites_a_value_it_cannot_decrypt(make_monitor, site, fresh_keys):
    fresh_keys(Fernet.generate_key())
    monitor = make_monitor(site.url, webhook_url="https://hooks.slack.com" + HOOK_PATH)
    before = _stored(monitor)
    fresh_keys(Fernet.generate_key())
    with pytest.raises(SystemExit) as exit_:
        call_command("reencrypt_fields")
    assert exit_.value.code == 1
    assert _stored(monitor) == before


def test_a_bad_key_is_a_configuration_error_naming_the_variable(fresh_keys):
    from django.core.exceptions import ImproperlyConfigured

    fresh_keys(b"not-a-fernet-key")
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.encrypt("x")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_edit_form_in_the_browser_shows_only_the_redacted_webhook(
    page, live_server, login, screenshot, consultant, client_a
):
    monitor = services.monitor_create(
        client=client_a,
        by=consultant,
        name="Homepage",
        url="https://acme.test/",
        alert_emails="ops@acme.test",
        webhook_url="https://hooks.slack.com" + HOOK_PATH,
    )
    login(consultant)
    page.goto(f"{live_server.url}{reverse('monitoring:monitor_edit', args=[monitor.code])}")
    hook = page.locator("[name=webhook_url]")
    assert hook.input_value() == ""
    assert "hooks.slack.com/…/z4" in page.content() and "Xk9Lm2Np" not in page.content()
    screenshot("guard-03-monitor-webhook-redacted")
