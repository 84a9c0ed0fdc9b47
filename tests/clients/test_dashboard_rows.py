"""The dashboard rows are the one place HTML is built in Python: every value that comes
from the database is escaped."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clients.dashboard_rows import RowRenderer, ago
from clients.views.dashboard import ROW_FIELDS

PLANT = "<script>alert(1)</script>"


def test_every_text_column_of_a_row_is_escaped():
    now = timezone.now()
    row = {
        "pk": 1,
        "code": PLANT,
        "deadline": now + timedelta(hours=5),
        "current_stage": 3,
        "last_activity": PLANT,
        "last_activity_at": now - timedelta(minutes=3),
        "client__name": PLANT,
        "client__business_type": PLANT,
        "inbox__unread": 2,  # a count, not text: shown as the unread badge
    }
    assert set(row) == set(ROW_FIELDS)  # a new column joins this test on the day it is added
    html = str(RowRenderer(now).render(row, blocker_count=2))
    assert "<script" not in html
    # code (in the link), client name and last activity each appear escaped
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3


def test_ago_uses_timesince_and_reads_like_a_person_wrote_it():
    now = timezone.now()
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=7), now) == "7\xa0minutes ago"
    assert ago(now - timedelta(hours=30), now) == "1\xa0day ago"
    assert ago(now - timedelta(days=4), now) == "4\xa0days ago"
