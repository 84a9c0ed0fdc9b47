"""The score history of one route: geometry computed here, markup in
templates/browser/score_chart.svg (colours shared with the uptime charts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from checks.browser.models import LighthouseAudit
from checks.monitoring.charts import GOOD, WARN, label_time

BAD = "#c92a2a"

SERIES = (
    ("performance", "Performance", "#1c7ed6"),
    ("accessibility", "Accessibility", "#2b8a3e"),
    ("best_practices", "Best practices", "#845ef7"),
    ("seo", "SEO", "#e67700"),
)


def score_history_svg(
    audits: Sequence[LighthouseAudit],
    *,
    title: str,
    target: int,
    width: int = 960,
    height: int = 200,
) -> SafeString:
    """One line per category over the audits (oldest first), 0 to 100, with the target."""
    left, right, top, bottom = 40, 16, 20, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(audits)

    def x(i: int) -> float:
        return round(left + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2), 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / 100), 1)

    lines: list[dict[str, Any]] = []
    for attr, label, colour in SERIES:
        points = [
            (x(i), y(getattr(a, attr)), getattr(a, attr))
            for i, a in enumerate(audits)
            if getattr(a, attr) is not None
        ]
        lines.append(
            {
                "label": label,
                "colour": colour,
                "path": " ".join(f"{px},{py}" for px, py, _ in points),
                "points": points,
            }
        )
    verdict_colour = {"pass": GOOD, "fail": BAD, "error": WARN}
    ticks = [
        {"x": x(i), "label": label_time(a.audited_at), "colour": verdict_colour.get(a.status, WARN)}
        for i, a in enumerate(audits)
    ]
    for i, t in enumerate(ticks):
        t["anchor"] = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
    for k, line in enumerate(lines):
        line["legend_x"] = width - right - 110 * (len(lines) - k)
    step = max(1, n // 6)
    context = {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "right_x": width - right,
        "bottom_y": top + plot_h,
        "grid": [{"y": y(v), "label": v} for v in (0, 50, 100)],
        "target_y": y(target),
        "target": target,
        "lines": lines,
        "ticks": ticks,
        "labels": ticks[::step],
        "empty": n == 0,
    }
    svg = render_to_string("browser/score_chart.svg", context)
    return mark_safe(svg)  # noqa: S308 - template output
