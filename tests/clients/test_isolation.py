"""Per-client isolation, swept over every URL pattern rather than sampled."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.isolation import KWARG_FACTORIES, PUBLIC_KWARGS

# Patterns that take no client object, or whose keyword arguments are not objects
# (tokens that are credentials themselves), or that are public by design (see the reasons
# in tests/isolation.py's PUBLIC_KWARGS).
NOT_OBJECT_KWARGS = {"uidb64", "token", *PUBLIC_KWARGS}


def _walk(patterns, namespace=""):
    """(name with its namespace, pattern) for every named pattern outside the admin."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin has its own test below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def object_patterns():
    out = []
    for name, pattern in _walk(get_resolver().url_patterns):
        kwargs = set(getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex)
        if kwargs and not kwargs & NOT_OBJECT_KWARGS:
            out.append((name, tuple(sorted(kwargs))))
    return sorted(set(out))


def plain_patterns():
    out = []
    for name, pattern in _walk(get_resolver().url_patterns):
        kwargs = getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex
        if not kwargs:
            out.append(name)
    return sorted(set(out))


def _url_for(name, kwarg_names, client, sprint, consultant):
    missing = [k for k in kwarg_names if k not in KWARG_FACTORIES]
    assert not missing, f"URL {name} takes {missing}: add a factory to tests/isolation.py"
    return reverse(
        name, kwargs={k: KWARG_FACTORIES[k](client, sprint, consultant) for k in kwarg_names}
    )


def test_sweep_covers_the_foundation_urls():
    names = {name for name, _ in object_patterns()}
    assert {
        "clients:sprint_detail",
        "clients:client_detail",
        "clients:finding_edit",
        "clients:item_state",
        "clients:portal_sprint",
    } <= names


@pytest.mark.parametrize("name,kwarg_names", object_patterns())
def test_founder_gets_404_for_other_clients_objects(
    client, founder, consultant, client_b, sprint_a, sprint_b, name, kwarg_names
):
    url = _url_for(name, kwarg_names, client_b, sprint_b, consultant)
    client.force_login(founder)
    # A POST-only view may answer a GET with 405 before looking anything up.
    assert client.get(url).status_code in (404, 405), url
    assert client.post(url, {}).status_code == 404, url


@pytest.mark.parametrize("name,kwarg_names", object_patterns())
def test_outsider_without_membership_gets_404(
    client, outsider, consultant, client_b, sprint_b, name, kwarg_names
):
    url = _url_for(name, kwarg_names, client_b, sprint_b, consultant)
    client.force_login(outsider)
    assert client.get(url).status_code in (404, 405), url
    assert client.post(url, {}).status_code == 404, url


@pytest.mark.parametrize("name,kwarg_names", object_patterns())
def test_anonymous_is_sent_to_login(client, consultant, client_b, sprint_b, name, kwarg_names):
    url = _url_for(name, kwarg_names, client_b, sprint_b, consultant)
    response = client.get(url)
    if response.status_code == 401:
        return  # token-authenticated API endpoints answer 401, never data
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("login")), url


STAFF_ONLY_PLAIN = {"clients:dashboard", "clients:client_list", "clients:client_create"}


@pytest.mark.parametrize("name", sorted(STAFF_ONLY_PLAIN))
def test_founder_gets_404_on_staff_screens(founder_client, name):
    assert founder_client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "clients:sprint_detail",
        "clients:client_detail",
        "clients:client_edit",
        "clients:sprint_activity",
    ],
)
def test_founder_gets_404_on_staff_screens_of_their_own_client(founder_client, sprint_a, name):
    kwargs = (
        {"sprint_code": sprint_a.code}
        if "sprint" in name
        else {"client_code": sprint_a.client.code}
    )
    assert founder_client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_founder_can_open_own_portal(founder_client, sprint_a):
    response = founder_client.get(reverse("clients:portal_sprint", args=[sprint_a.code]))
    assert response.status_code == 200
    assert sprint_a.client.name.encode() in response.content


def test_staff_can_open_any_clients_sprint(staff_client, sprint_a, sprint_b):
    for sprint in (sprint_a, sprint_b):
        url = reverse("clients:sprint_detail", args=[sprint.code])
        assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path_name", ["admin:index", "admin:clients_client_changelist", "admin:auth_user_changelist"]
)
def test_founder_is_sent_to_admin_login(founder_client, path_name):
    response = founder_client.get(reverse(path_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_founder_cannot_open_admin_change_page_of_other_client(founder_client, client_b):
    response = founder_client.get(reverse("admin:clients_client_change", args=[client_b.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_can_use_admin(client, consultant):
    consultant.is_superuser = True
    consultant.save()
    client.force_login(consultant)
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 200
