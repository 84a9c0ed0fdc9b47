"""Inline SVG charts rendered on the server: no script, no CDN, no inline styles (the CSP
allows neither), only presentation attributes. Pure functions from numbers to markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from checks.monitoring.stats import Day, LatencyPoint

INK, MUTED, GRID = "#1d2330", "#667085", "#e3e6eb"
P50, P95, BAD = "#3b5bdb", "#e67700", "#c92a2a"
GOOD, WARN, EMPTY = "#2b8a3e", "#f59f00", "#dee2e6"


def _nice_max(value: float) -> float:
    for step in (
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        2500,
        5000,
        10000,
        20000,
        30000,
        60000,
    ):
        if value <= step:
            return float(step)
    return float(value)


def _fmt_ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


def latency_svg(
    points: Sequence[LatencyPoint],
    *,
    title: str,
    label_format: str = "%H:%M",
    width: int = 960,
    height: int = 220,
) -> SafeString:
    """p50 and p95 lines over time; gaps where nothing was measured; red ticks for failures."""
    left, right, top, bottom = 56, 28, 18, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for p in points for v in (p.p50, p.p95) if v is not None]
    ymax = _nice_max(max(values) * 1.1 if values else 100)
    n = max(1, len(points) - 1)

    def x(i: int) -> float:
        return left + plot_w * (i / n if len(points) > 1 else 0.5)

    def y(v: float) -> float:
        return top + plot_h * (1 - min(v, ymax) / ymax)

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = top + plot_h * (1 - frac)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" fill="{MUTED}">{_fmt_ms(ymax * frac)}</text>'
        )
    ticks = max(1, len(points) // 6)
    for i in range(0, len(points), ticks):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">'
            f"{points[i].at.strftime(label_format)}</text>"
        )
    for i, p in enumerate(points):
        if p.failures:
            out.append(
                f'<rect x="{x(i) - 1.5:.1f}" y="{top}" width="3" height="{plot_h}" fill="{BAD}" opacity="0.25">'
                f"<title>{p.failures} failed probe{'s' if p.failures > 1 else ''} at {p.at:%H:%M}</title></rect>"
            )
    measured = sum(1 for p in points if p.p50 is not None)
    for attr, colour, name in (("p95", P95, "p95"), ("p50", P50, "p50")):
        segment: list[str] = []
        segments = []
        for i, p in enumerate(points):
            v = getattr(p, attr)
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline class="line-{name}" fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-linejoin="round" points="{" ".join(seg)}"/>'
                )
            if len(seg) == 1 or measured <= 12:
                for pt in seg:
                    cx, cy = pt.split(",")
                    out.append(
                        f'<circle class="dot-{name}" cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>'
                    )
    legend_x = width - right - 150
    out.append(f'<rect x="{legend_x}" y="2" width="10" height="3" fill="{P50}"/>')
    out.append(f'<text x="{legend_x + 14}" y="8" fill="{INK}">p50</text>')
    out.append(f'<rect x="{legend_x + 50}" y="2" width="10" height="3" fill="{P95}"/>')
    out.append(f'<text x="{legend_x + 64}" y="8" fill="{INK}">p95</text>')
    if not measured:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="{MUTED}">'
            "No successful probes in this period yet</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped or numeric


def uptime_colour(pct: float | None) -> str:
    if pct is None:
        return EMPTY
    if pct >= 99.9:
        return GOOD
    if pct >= 99.0:
        return WARN
    return BAD


def uptime_bars_svg(
    days: Sequence[Day], *, title: str, width: int = 960, height: int = 48
) -> SafeString:
    """One bar per day, coloured by that day's uptime; hover shows the numbers."""
    gap = 2
    bar_w = (width - gap * (len(days) - 1)) / max(1, len(days))
    out = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for i, d in enumerate(days):
        pct = d.agg.uptime_pct
        label = (
            f"{d.day:%d %b}: no data"
            if pct is None
            else f"{d.day:%d %b}: {pct:.2f}% up ({d.agg.failures} failed of {d.agg.total})"
        )
        out.append(
            f'<rect class="bar" x="{i * (bar_w + gap):.1f}" y="0" width="{bar_w:.1f}" height="{height - 16}" '
            f'rx="2" fill="{uptime_colour(pct)}"><title>{escape(label)}</title></rect>'
        )
    if days:
        out.append(f'<text x="0" y="{height - 3}" fill="{MUTED}">{days[0].day:%d %b}</text>')
        out.append(
            f'<text x="{width}" y="{height - 3}" text-anchor="end" fill="{MUTED}">today</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308


def label_time(at: datetime | None) -> str:
    return "" if at is None else at.strftime("%d %b %H:%M")
