"""Inline SVG charts rendered on the server: no script, no CDN, no inline styles (the CSP
allows neither), only presentation attributes. Python computes the geometry; the
markup lives in ``templates/monitoring/*.svg`` (as healthchecks draws its badges), so
every text is escaped by the template engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from checks.monitoring.stats import Day, LatencyPoint

INK, MUTED, GRID = "#1d2330", "#667085", "#e3e6eb"
P50, P95, BAD = "#3b5bdb", "#e67700", "#c92a2a"
GOOD, WARN, EMPTY = "#2b8a3e", "#f59f00", "#dee2e6"
NICE_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 30000)
NICE_STEPS += (60000,)


def _nice_max(value: float) -> float:
    return float(next((step for step in NICE_STEPS if value <= step), value))


def _fmt_ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    text: str


@dataclass(frozen=True)
class Line:
    name: str  # p50 / p95
    colour: str
    points: str  # "x,y x,y ..." for a polyline; empty for a lone point
    dots: list[tuple[str, str]]


@dataclass(frozen=True)
class Mark:
    x: str
    title: str


@dataclass(frozen=True)
class Bar:
    x: str
    width: str
    colour: str
    title: str


def _series(points: Sequence[LatencyPoint], attr: str, x, y) -> list[list[tuple[str, str]]]:
    """The runs of consecutive measured points: a gap where nothing was measured."""
    segments: list[list[tuple[str, str]]] = [[]]
    for i, p in enumerate(points):
        v = getattr(p, attr)
        if v is None:
            segments.append([])
        else:
            segments[-1].append((f"{x(i):.1f}", f"{y(v):.1f}"))
    return [s for s in segments if s]


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

    grid = []
    for frac in (0, 0.25, 0.5, 0.75, 1):
        gy = top + plot_h * (1 - frac)
        grid.append(Label(f"{gy:.1f}", f"{gy + 4:.1f}", _fmt_ms(ymax * frac)))
    step = max(1, len(points) // 6)
    ticks = [
        Label(f"{x(i):.1f}", str(height - 8), points[i].at.strftime(label_format))
        for i in range(0, len(points), step)
    ]
    failures = [
        Mark(
            f"{x(i) - 1.5:.1f}",
            f"{p.failures} failed probe{'s' if p.failures > 1 else ''} at {p.at:%H:%M}",
        )
        for i, p in enumerate(points)
        if p.failures
    ]
    measured = sum(1 for p in points if p.p50 is not None)
    lines = []
    for attr, colour in (("p95", P95), ("p50", P50)):
        for seg in _series(points, attr, x, y):
            dots = seg if len(seg) == 1 or measured <= 12 else []
            polyline = " ".join(f"{a},{b}" for a, b in seg) if len(seg) > 1 else ""
            lines.append(Line(attr, colour, polyline, dots))
    context = {
        "title": title,
        "width": width,
        "height": height,
        "left": left,
        "grid_right": width - right,
        "top": top,
        "plot_h": plot_h,
        "label_x": left - 6,
        "grid": grid,
        "ticks": ticks,
        "failures": failures,
        "lines": lines,
        "legend_x": width - right - 150,
        "empty": None if measured else Label(f"{left + plot_w / 2}", f"{top + plot_h / 2}", ""),
        "colours": {"ink": INK, "muted": MUTED, "grid": GRID, "p50": P50, "p95": P95, "bad": BAD},
    }
    return render_to_string("monitoring/latency_chart.svg", context)


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
    bars = []
    for i, d in enumerate(days):
        pct = d.agg.uptime_pct
        label = (
            f"{d.day:%d %b}: no data"
            if pct is None
            else f"{d.day:%d %b}: {pct:.2f}% up ({d.agg.failures} failed of {d.agg.total})"
        )
        bars.append(Bar(f"{i * (bar_w + gap):.1f}", f"{bar_w:.1f}", uptime_colour(pct), label))
    context = {
        "title": title,
        "width": width,
        "height": height,
        "bar_h": height - 16,
        "label_y": height - 3,
        "bars": bars,
        "first_day": f"{days[0].day:%d %b}" if days else "",
        "muted": MUTED,
    }
    return render_to_string("monitoring/uptime_bars.svg", context)


def label_time(at: datetime | None) -> str:
    return "" if at is None else at.strftime("%d %b %H:%M")
