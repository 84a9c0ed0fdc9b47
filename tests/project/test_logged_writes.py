"""Each write service leaves its line in the activity log (issue 14): the services that
took over writes views used to do themselves, and the monitor, secret record and
env-var writes that used to leave none. Staff-side changes, so founders do not see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checks import services as check_services
from checks.models import DomainCheckSettings, RedirectRule
from checks.monitoring import services as monitoring
from checks.secrets import services as secrets
from checks.secrets.models import EnvVar, SecretRecord
from clients import services
from clients.models import Activity


def _logged(sprint) -> list[str]:
    """The kinds logged after the sprint's own "started" line."""
    kinds = sprint.activities.order_by("pk").values_list("kind", flat=True)
    return [kind for kind in kinds if kind != "sprint.started"]


def test_editing_a_client_goes_through_client_update_and_is_logged(staff_client, sprint_a):
    client = sprint_a.client
    response = staff_client.post(
        reverse("clients:client_edit", args=[client.code]),
        {"client-name": "Acme Coaching Ltd", "client-business_type": "coach",
         "client-maturity": "launch"},
    )  # fmt: skip
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.name == "Acme Coaching Ltd"
    entry = Activity.objects.get(sprint=sprint_a, kind="client.updated")
    assert "Acme Coaching Ltd" in entry.message and entry.visible_to_founder is False


def test_adding_a_founder_is_logged(sprint_a, consultant):
    services.founder_add(client=sprint_a.client, by=consultant, email="new@acme.test")
    assert "founder.added" in _logged(sprint_a)
    # Adding the same person again changes nothing and logs nothing.
    services.founder_add(client=sprint_a.client, by=consultant, email="NEW@acme.test")
    assert _logged(sprint_a).count("founder.added") == 1


def test_redirect_rules_are_added_and_removed_through_services_and_logged(staff_client, sprint_a):
    client = sprint_a.client
    url = reverse("checks:checks_redirect_add", args=[client.code])
    form = {"source_url": "https://acme.test/old", "target_url": "https://acme.test/new"}
    assert staff_client.post(url, form).status_code == 302
    again = staff_client.post(url, form)
    assert again.status_code == 422
    assert "already in the redirect map" in again.content.decode()
    rule = RedirectRule.objects.get(client=client)
    delete = reverse("checks:checks_redirect_delete", args=[client.code, rule.code])
    assert staff_client.post(delete).status_code == 302
    assert not RedirectRule.objects.exists()
    assert _logged(sprint_a) == ["redirect.added", "redirect.deleted"]


def test_domain_check_settings_are_saved_through_a_service_and_logged(consultant, sprint_a):
    domain = sprint_a.client.domains.first()
    check_services.domain_check_settings_save(
        domain=domain, by=consultant, dkim_selectors=["s1"], health_path="/up", key_routes=[]
    )
    check_services.domain_check_settings_save(
        domain=domain, by=consultant, dkim_selectors=[], health_path="/healthz", key_routes=[]
    )
    assert DomainCheckSettings.objects.get(domain=domain).health_path == "/healthz"
    assert _logged(sprint_a) == ["check_settings.saved", "check_settings.saved"]


def test_monitor_writes_are_logged(consultant, sprint_a):
    now = timezone.now()
    monitor = monitoring.monitor_create(
        client=sprint_a.client, by=consultant, name="Homepage", url="https://acme.test/"
    )
    monitoring.monitor_update(monitor=monitor, by=consultant, name="Home page")
    monitoring.monitor_pause(monitor=monitor, by=consultant)
    monitoring.monitor_resume(monitor=monitor, by=consultant)
    window = monitoring.maintenance_add(
        monitor=monitor, by=consultant, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    monitoring.maintenance_delete(window=window, by=consultant)
    assert _logged(sprint_a) == [
        "monitor.added",
        "monitor.updated",
        "monitor.paused",
        "monitor.resumed",
        "monitor.maintenance_added",
        "monitor.maintenance_deleted",
    ]
    assert not monitor.maintenance_windows.exists()


def test_secret_record_and_env_var_writes_are_logged(consultant, sprint_a):
    client = sprint_a.client
    record = SecretRecord(client=client, name="STRIPE_SECRET_KEY", kind="api_key")
    secrets.secret_record_save(record=record, by=consultant)
    record.owner = "Ada"
    secrets.secret_record_save(record=record, by=consultant)
    var = secrets.envvar_save(var=EnvVar(client=client, name="DATABASE_URL"), by=consultant)
    var.owner = "Ada"
    secrets.envvar_save(var=var, by=consultant)
    secrets.envvar_delete(var=var, by=consultant)
    assert _logged(sprint_a) == [
        "secrets.record_added",
        "secrets.record_updated",
        "secrets.envvar_added",
        "secrets.envvar_updated",
        "secrets.envvar_deleted",
    ]
    assert not sprint_a.activities.filter(
        visible_to_founder=True, kind__startswith="secrets."
    ).exists()


@pytest.mark.parametrize("who", ["founder_b", "outsider"])
def test_others_get_404_on_the_new_write_urls(client, who, request, sprint_a):
    client.force_login(request.getfixturevalue(who))
    code = sprint_a.client.code
    url = reverse("checks:checks_redirect_add", args=[code])
    answer = client.post(url, {"source_url": "https://a.test/x", "target_url": "https://a.test/"})
    assert answer.status_code == 404
    assert not RedirectRule.objects.exists()
