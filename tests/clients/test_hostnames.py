"""Domains typed in: IDNA 2008 with UTS #46 mapping, as browsers resolve them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from clients.validators import normalise_hostname


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("faß.example", "xn--fa-hia.example"),  # IDNA 2003 would say fass.example: another domain
        ("Bücher.Example", "xn--bcher-kva.example"),
        ("https://BÜCHER.example/path?q=1", "xn--bcher-kva.example"),
        ("xn--fa-hia.example", "xn--fa-hia.example"),
        ("example.com.", "example.com"),
    ],
)
def test_unicode_names_are_stored_as_their_idna_2008_a_labels(typed, stored):
    assert normalise_hostname(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("ab--c.example", "hyphen"),  # reserved 3rd/4th position hyphens
        ("xn--zz.example", "not a valid hostname"),  # an A-label that does not decode
        ("a\u200db.example", "not a valid hostname"),  # ZERO WIDTH JOINER outside its context
        ("-bad.exämple", "hyphen"),
    ],
)
def test_invalid_labels_are_refused_with_a_clear_error(typed, says):
    with pytest.raises(ValidationError) as refused:
        normalise_hostname(typed)
    assert says in refused.value.messages[0].lower()
