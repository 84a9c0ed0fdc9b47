"""The guard remembers texts it found clean (so the playbook's texts are not scanned again
on every sprint), by a keyed digest only, and never remembers a flagged text."""

from __future__ import annotations

from launchready.guard import fields
from tests.guard.planted import PLANTED


def test_flagged_values_are_refused_every_time_and_never_remembered():
    for kind, value in PLANTED.items():
        for _ in range(3):
            assert fields.refusal_for(value) is not None, kind
        assert fields._digest(value) not in fields._CLEAN, kind


def test_clean_texts_are_remembered_by_digest_not_text():
    text = "Point the www record at the load balancer"
    assert fields.refusal_for(text) is None
    assert fields._digest(text) in fields._CLEAN
    assert all(isinstance(key, bytes) and len(key) == 16 for key in fields._CLEAN)
    assert text.encode() not in b"".join(fields._CLEAN)
    assert fields.refusal_for(text) is None  # answered from the cache, the same verdict


def test_the_cache_stays_bounded():
    for number in range(fields._CLEAN_MAX + 50):
        fields.refusal_for(f"checklist line {number}")
    assert len(fields._CLEAN) <= fields._CLEAN_MAX
