"""Organisational domains by the Public Suffix List (the snapshot bundled with the
package; nothing is fetched), and domains typed into the audit command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from checks.probes import email as email_probe


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("mail.example.me.uk", "example.me.uk"),  # the old hard-coded list said me.uk
        ("a.b.shop.com.au", "shop.com.au"),
        ("mail.example.co.uk", "example.co.uk"),
        ("docs.alice.github.io", "alice.github.io"),  # a private suffix: alice and bob differ
        ("x.y.example.kawasaki.jp", "y.example.kawasaki.jp"),  # *.kawasaki.jp wildcard rule
        ("city.kawasaki.jp", "city.kawasaki.jp"),  # !city.kawasaki.jp exception rule
        ("mail.acme.test", "acme.test"),  # unknown TLD: the default "*" rule
        ("mail.xn--fa-hia.example", "xn--fa-hia.example"),
    ],
)
def test_organisational_domain_follows_the_public_suffix_list(name, organisation):
    assert email_probe.organisational_domain(name) == organisation


def test_audit_command_refuses_an_invalid_internationalised_name():
    # The exit code itself is tested through a process in test_audit_command.
    with pytest.raises(CommandError) as refused:
        call_command("audit", "ab--c.exämple")
    assert refused.value.returncode == 2
    assert "hyphen" in str(refused.value).lower()
