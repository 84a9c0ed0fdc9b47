from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2_in_production(settings, db):
    from django.conf import settings as live

    assert live.PASSWORD_HASHERS  # the fixture swapped them; read the module itself
    from launchready import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = module.PASSWORD_HASHERS
    user = get_user_model().objects.create_user("argon", password=PASSWORD)
    assert identify_hasher(user.password).algorithm == "argon2"


def test_login_locks_out_after_repeated_failures(client, founder, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": founder.username, "password": "wrong"})
    response = client.post(url, {"username": founder.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_login_works_and_founder_lands_on_portal(client, founder, sprint_a):
    response = client.post(
        reverse("login"), {"username": founder.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("clients:portal_sprint", args=[sprint_a.code])


def test_consultant_lands_on_dashboard(client, consultant):
    response = client.post(
        reverse("login"), {"username": "consultant", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("clients:dashboard")


def test_password_reset_sends_a_working_link(client, founder, mailoutbox):
    client.post(reverse("password_reset"), {"email": founder.email})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-new-Passphrase-42", "new_password2": "a-new-Passphrase-42"}
    )
    assert response.status_code == 302
    founder.refresh_from_db()
    assert founder.check_password("a-new-Passphrase-42")


def test_logout_requires_post(founder_client):
    assert founder_client.get(reverse("logout")).status_code == 405
    assert founder_client.post(reverse("logout")).status_code == 302
