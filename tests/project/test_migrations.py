"""The migrations describe the models exactly: `makemigrations --check` finds nothing to
write. (bin/test builds the SQLite test database from the models, without running the
migrations; the PostgreSQL pass in .ci/run runs every one of them.)"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_match_the_models():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations would write a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
