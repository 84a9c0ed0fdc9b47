"""Writes go through one service each: the client form creates the founder through
founder_add and the domain through domain_add, client-level additions are logged on
the running sprint, and closing a stage refuses a form that does not validate."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from clients.models import Client, Membership
from tests.guard.planted import PLANTED


def test_new_client_with_domain_and_founder_goes_through_the_services(
    staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("clients:client_create"),
            {
                "client-name": "Sunrise Studio",
                "client-business_type": "coach",
                "client-maturity": "launch",
                "domain-hostname": "sunrise.test",
                "domain-role": "canonical",
                "founder-email": "Ada@Sunrise.test",
                "founder-full_name": "Ada Lovelace",
            },
        )
    assert response.status_code == 302
    client = Client.objects.get(name="Sunrise Studio")
    assert list(client.domains.values_list("hostname", flat=True)) == ["sunrise.test"]
    membership = Membership.objects.get(client=client)
    # founder_add's own rules: email lower-cased, an invitation instead of a password
    assert membership.user.username == "ada@sunrise.test"
    assert not membership.user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["ada@sunrise.test"]]


def test_adding_a_domain_or_an_account_is_logged_on_the_running_sprint(staff_client, sprint_a):
    client = sprint_a.client
    staff_client.post(
        reverse("clients:domain_add", args=[client.code]),
        {"hostname": "shop.acme.test", "role": "app"},
    )
    response = staff_client.post(
        reverse("clients:account_add", args=[client.code]),
        {"vendor": "Namecheap", "kind": "registrar"},
    )
    assert response.status_code == 302
    logged = dict(sprint_a.activities.values_list("kind", "message"))
    assert "added shop.acme.test" in logged["domain.added"]
    assert "Namecheap" in logged["account.added"]


def test_closing_a_stage_with_a_refused_reason_re_renders_422_and_does_not_advance(
    staff_client, sprint_a
):
    response = staff_client.post(
        reverse("clients:stage_advance", args=[sprint_a.code]),
        {"override_reason": f"just ship it {PLANTED['stripe']}"},
    )
    assert response.status_code == 422
    sprint_a.refresh_from_db()
    assert sprint_a.current_stage == 1
    assert not sprint_a.activities.filter(kind__startswith="stage.").exists()
