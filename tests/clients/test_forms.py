from __future__ import annotations

from django.urls import reverse

from clients.models import Client, Domain


def test_new_client_with_invalid_data_re_renders_422_keeping_typed_values(staff_client):
    response = staff_client.post(
        reverse("clients:client_create"),
        {
            "client-name": "Typed Name Ltd",
            "client-business_type": "not-a-type",
            "client-maturity": "demo",
            "domain-hostname": "typed-name.example",
            "domain-role": "canonical",
            "founder-email": "not-an-email",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Typed Name Ltd"' in html
    assert 'value="typed-name.example"' in html
    assert 'value="not-an-email"' in html
    assert not Client.objects.exists()


def test_duplicate_domain_is_refused_with_a_clear_message(staff_client, client_a, client_b):
    response = staff_client.post(
        reverse("clients:domain_add", args=[client_b.code]),
        {"hostname": "https://ACME.test/", "role": "canonical"},
    )
    assert response.status_code == 422
    assert b"acme.test already belongs to another client" in response.content
    assert Domain.objects.filter(hostname="acme.test").count() == 1


def test_duplicate_domain_on_new_client_form_is_refused(staff_client, client_a):
    response = staff_client.post(
        reverse("clients:client_create"),
        {
            "client-name": "Copycat",
            "client-business_type": "b2b",
            "client-maturity": "demo",
            "domain-hostname": "www.acme.test",
            "domain-role": "www",
        },
    )
    assert response.status_code == 422
    assert b"already belongs to another client" in response.content
    assert not Client.objects.filter(name="Copycat").exists()


def test_hostname_is_normalised_from_a_pasted_url(staff_client, client_b):
    response = staff_client.post(
        reverse("clients:domain_add", args=[client_b.code]),
        {"hostname": "HTTPS://App.Bravo.TEST/login?x=1", "role": "app"},
    )
    assert response.status_code == 302
    assert Domain.objects.filter(client=client_b, hostname="app.bravo.test").exists()


def test_old_domain_needs_a_redirect_target(staff_client, client_b):
    response = staff_client.post(
        reverse("clients:domain_add", args=[client_b.code]),
        {"hostname": "old-bravo.test", "role": "old"},
    )
    assert response.status_code == 422
    assert b"need the address visitors should land on" in response.content


def test_new_client_with_domain_and_founder_is_created_and_founder_invited(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("clients:client_create"),
            {
                "client-name": "Fresh Co",
                "client-business_type": "coach",
                "client-maturity": "idea",
                "domain-hostname": "fresh.example",
                "domain-role": "canonical",
                "founder-email": "Fay@Fresh.example",
                "founder-full_name": "Fay Fresh",
            },
        )
    assert response.status_code == 302
    client = Client.objects.get(name="Fresh Co")
    assert client.domains.get().hostname == "fresh.example"
    founder = client.members.get()
    assert founder.email == "fay@fresh.example" and not founder.has_usable_password()
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body


def test_finding_form_errors_return_422_inline(staff_client, sprint_a):
    response = staff_client.post(
        reverse("clients:finding_new", args=[sprint_a.code]),
        {
            "title": "",
            "impact": "1_blocker",
            "decision": "accepted",
            "decision_reason": "",
            "status": "open",
            "stage": sprint_a.stages.get(number=1).pk,
            "evidence": "typed evidence",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b"typed evidence" in response.content
    assert b"An accepted risk needs a reason" in response.content
    assert not sprint_a.findings.exists()


def test_finding_created_inline_with_htmx(staff_client, sprint_a):
    response = staff_client.post(
        reverse("clients:finding_new", args=[sprint_a.code]),
        {
            "title": "SPF too many lookups",
            "impact": "2_trust",
            "decision": "now",
            "status": "open",
            "stage": sprint_a.stages.get(number=2).pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"SPF too many lookups" in response.content
    assert sprint_a.findings.get().stage.number == 2


def test_ticking_an_item_with_htmx_returns_the_item(staff_client, sprint_a):
    item = sprint_a.stages.get(number=1).items.first()
    response = staff_client.post(
        reverse("clients:item_state", args=[sprint_a.code, item.code]),
        {"state": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="item-{item.code}"'.encode() in response.content
    item.refresh_from_db()
    assert item.state == "done" and item.state_by is not None
