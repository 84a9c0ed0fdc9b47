"""The 90-day uptime bars of the public page, built in Python: the page draws 90 bars per
monitor and up to 20 monitors, and a template loop over 1,800 bars is most of the 50 ms
budget (bench/statuspage_bench.py). Every text is escaped; tests/statuspage checks it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from checks.monitoring.charts import uptime_colour
from checks.statuspage.services import PublicEntry

WIDTH, HEIGHT, GAP = 900, 34, 2


@lru_cache(maxsize=512)
def _day_label(day: date) -> str:
    # strftime for each of 1,800 bars was a fifth of the drawing time; 90 days repeat.
    return f"{day:%d %b %Y}"


def bars_svg(entry: PublicEntry) -> SafeString:
    days = entry.bars
    bar_w = (WIDTH - GAP * (len(days) - 1)) / max(1, len(days))
    title = escape(f"{entry.name}: uptime per day, last {len(days)} days (UTC)")
    out = [
        f'<svg class="bars" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{title}" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">'
        f"<title>{title}</title>"
    ]
    width = f"{bar_w:.1f}"
    for i, d in enumerate(days):
        pct = d.uptime_pct
        day = _day_label(d.day)
        label = (
            f"{day}: no data"
            if pct is None
            else f"{day}: {pct:.2f}% up" + (f", {d.failures} failed checks" if d.failures else "")
        )
        out.append(
            f'<rect x="{i * (bar_w + GAP):.1f}" y="0" width="{width}" height="{HEIGHT}" rx="2" '
            f'fill="{uptime_colour(pct)}"><title>{label}</title></rect>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - only the title holds text, escaped above
