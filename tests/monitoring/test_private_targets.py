"""Monitors and webhooks that point at the server's own network are refused when they
are saved, with the sentence the probe records, unless LAUNCHREADY_ALLOW_PRIVATE_TARGETS
is on. The names below resolve through a real DNS server on loopback."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from checks import net
from checks.monitoring.evaluation import ProbeSpec
from checks.monitoring.models import Monitor
from checks.monitoring.probe import probe
from tests.checks.servers import Lab

PRIVATE_LITERALS = [
    "http://127.0.0.1/",
    "http://127.9.9.9:8080/health",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[fd00::1]/",
    "http://localhost:8000/",
    "http://api.localhost/",
]
PRIVATE_NAMES = {
    "intranet.acme.test": ("A", "10.0.0.7"),
    "loop.acme.test": ("A", "127.0.0.1"),
    "meta.acme.test": ("A", "169.254.169.254"),
    "v6loop.acme.test": ("AAAA", "::1"),
    "cgnat.acme.test": ("A", "100.64.1.1"),
}
PUBLIC_URL = "https://public.acme.test/"


@pytest.fixture(scope="module")
def dns_lab():
    lab = Lab()
    yield lab
    lab.stop()


@pytest.fixture
def private_refused(dns_lab, settings):
    dns_lab.reset()
    for name, (rtype, value) in PRIVATE_NAMES.items():
        dns_lab.zone.add(name, rtype, value)
    dns_lab.zone.add("public.acme.test", "A", "93.184.216.34")
    dns_lab.zone.add("mixed.acme.test", "A", "93.184.216.34")
    dns_lab.zone.add("mixed.acme.test", "A", "192.168.0.9")
    settings.LAUNCHREADY_DNS_NAMESERVERS = [f"127.0.0.1:{dns_lab.dns_port}"]
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    yield dns_lab
    dns_lab.reset()


def url_fields() -> list[tuple[type[models.Model], str]]:
    """Every URL-ish field of every monitoring model, and of any model anywhere with a
    webhook: URLFields, and fields whose name says they hold a URL or a webhook."""
    found = []
    for model in apps.get_models():
        monitoring = model._meta.app_label == "monitoring"
        for field in model._meta.concrete_fields:
            name = field.name
            urlish = (
                isinstance(field, models.URLField)
                or "url" in name
                or name == "webhook"
                or name.endswith("_webhook")
            )
            if urlish and (monitoring or "webhook" in name):
                found.append((model, field.name))
    return found


def test_the_sweep_finds_the_monitor_url_and_the_webhook():
    names = {(model.__name__, name) for model, name in url_fields()}
    assert {("Monitor", "url"), ("Monitor", "webhook_url")} <= names


def _valid_monitor(**fields) -> Monitor:
    from clients.models import Client

    client = Client.objects.create(name="Acme", business_type="b2b", maturity="mvp")
    defaults = {
        "client": client,
        "name": "Home",
        "url": PUBLIC_URL,
        "alert_emails": "ops@acme.test",
        "next_due_at": "2026-01-01T00:00:00Z",
    }
    return Monitor(**{**defaults, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize("model,field_name", url_fields())
@pytest.mark.parametrize("url", PRIVATE_LITERALS + [f"https://{n}/x" for n in PRIVATE_NAMES])
def test_every_url_field_refuses_private_targets(private_refused, model, field_name, url):
    instance = _valid_monitor() if model is Monitor else model()
    setattr(instance, field_name, url)
    with pytest.raises(ValidationError) as refused:
        instance.full_clean()
    errors = refused.value.message_dict[field_name]
    expected = net.url_refusal(url)
    assert expected and f"{expected[:1].upper()}{expected[1:]}." in errors


@pytest.mark.django_db
def test_a_name_with_one_private_address_among_public_ones_is_refused(private_refused):
    monitor = _valid_monitor(url="https://mixed.acme.test/")
    with pytest.raises(ValidationError) as refused:
        monitor.full_clean()
    assert "192.168.0.9" in str(refused.value)


@pytest.mark.django_db
def test_public_and_unresolvable_names_are_accepted(private_refused):
    _valid_monitor(
        url=PUBLIC_URL, webhook_url="https://public.acme.test/hook/T0/B1/zz"
    ).full_clean()
    # Not in DNS yet: saved, and the probe guards whatever it resolves to later.
    _valid_monitor(url="https://not-yet.acme.test/").full_clean()


def test_the_form_error_is_the_probes_own_sentence(private_refused):
    facts = probe(ProbeSpec(1, "http://intranet.acme.test/", "GET", 200, "", 2))
    assert facts.error == "refused to contact 10.0.0.7: it is a private address"
    assert net.url_refusal("http://intranet.acme.test/") == facts.error


FORM = {
    "name": "Intranet",
    "kind": "url",
    "method": "GET",
    "expected_status": "200",
    "expected_text": "",
    "interval_seconds": "60",
    "timeout_seconds": "10",
    "failures_before_alert": "2",
    "alert_emails": "ops@acme.test",
    "reminder_hours": "6",
}


def test_the_add_form_refuses_a_private_url_with_422_and_keeps_what_was_typed(
    private_refused, staff_client, client_a
):
    data = {**FORM, "url": "http://intranet.acme.test/status", "webhook_url": ""}
    response = staff_client.post(reverse("monitoring:monitor_add", args=[client_a.code]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Refused to contact 10.0.0.7: it is a private address." in page
    assert "http://intranet.acme.test/status" in page
    assert not Monitor.objects.exists()


def test_the_form_refuses_a_private_webhook_without_echoing_it(
    private_refused, staff_client, client_a
):
    hook = "http://169.254.169.254/services/T000/B000/s3cr3tpathpart"
    data = {**FORM, "url": PUBLIC_URL, "webhook_url": hook}
    response = staff_client.post(reverse("monitoring:monitor_add", args=[client_a.code]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Refused to contact 169.254.169.254: it is a" in page
    assert "s3cr3tpathpart" not in page
    assert not Monitor.objects.exists()


def test_loopback_is_accepted_when_private_targets_are_allowed(
    private_refused, settings, staff_client, client_a
):
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = True
    data = {**FORM, "url": "http://127.0.0.1:8080/", "webhook_url": "http://[::1]:9000/hook"}
    response = staff_client.post(reverse("monitoring:monitor_add", args=[client_a.code]), data)
    assert response.status_code == 302
    assert Monitor.objects.get().url == "http://127.0.0.1:8080/"


@pytest.mark.parametrize(
    "url", PRIVATE_LITERALS + [f"https://{n}/x" for n in [*PRIVATE_NAMES, "mixed.acme.test"]]
)
def test_no_browser_starts_for_a_private_page(private_refused, url, tmp_path):
    """Lighthouse and journeys refuse every private page before a browser starts, in the
    sentence the monitor form and the probe use (docs/browser.md)."""
    from checks.browser.journey import StepSpec, run_journey
    from checks.browser.lighthouse import audit

    reason = net.url_refusal(url)
    assert reason
    audited = audit(url)
    assert audited.elapsed_s == 0 and audited.performance is None
    assert audited.error.startswith("Lighthouse could not load the page: the network guard refused")
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or {'http': 80, 'https': 443}[parts.scheme]}"
    assert audited.refused == (f"{where}: {reason}",)
    journey = run_journey([StepSpec("visit", url)], artefact_dir=tmp_path)
    assert not journey.ok and journey.failed_step == 1 and journey.elapsed_ms == 0
    assert journey.refused == audited.refused and journey.screenshot is None
    assert journey.error.endswith("the network guard refused this address.")


def test_a_public_page_is_left_to_the_browser_and_its_proxy(private_refused):
    from checks.browser.proxy import page_refusal

    assert page_refusal(PUBLIC_URL) is None
    assert page_refusal("https://not-yet.acme.test/") is None  # not in DNS: the browser says
