"""Charts as inline SVG strings: line charts, stacked bars, grouped horizontal bars and sparklines.

No JavaScript and no external files, so the digest stays one self-contained document that WeasyPrint, browsers and
most mail clients render. Every chart scales to its container (``viewBox`` + ``width=100%``), so it reads on a phone.
All text put into a chart is XML-escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

FONT = "-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
OWN = "#1d4ed8"
GOOD = "#059669"
BAD = "#dc2626"
PALETTE = ["#1d4ed8", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#84cc16", "#ec4899"]


def color_for(key: str, index: int) -> str:
    """A stable colour for a platform (from the connector registry; ``all`` in ink), else the palette by position."""
    from molva.connectors import CONNECTORS

    if key == "all":
        return INK
    found = CONNECTORS.get(key)
    return found.colour if found else PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Series:
    """One line or bar series: a name for the legend, values aligned with the x labels (None = no data), a colour."""

    name: str
    values: Sequence[float | None]
    color: str
    bold: bool = False


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering low..high (the 1-2-5 rule)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{round(width * 1.25)}px;height:auto;display:block" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" class="chart"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: str, *, size: int = 12, fill: str = MUTED, anchor: str = "start", weight: str = ""
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{bold}>'
        f"{escape(text)}</text>"
    )


def _legend(series: Sequence[Series], width: int, y: float) -> tuple[list[str], float]:
    """Legend items laid out left to right, wrapping; returns the parts and the height used."""
    parts, x, row = [], 0.0, 0
    for s in series:
        w = 22 + 7 * len(s.name)
        if x + w > width and x > 0:
            x, row = 0.0, row + 1
        yy = y + row * 16
        parts.append(f'<rect x="{x:.1f}" y="{yy - 8:.1f}" width="12" height="4" rx="2" fill="{s.color}"/>')
        parts.append(_text(x + 16, yy - 2, s.name, fill=INK, weight="600" if s.bold else ""))
        x += w + 10
    return parts, (row + 1) * 16


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_format: Callable[[float], str],
    y_range: tuple[float, float] | None = None,
    y_clamp: tuple[float, float] | None = None,
    width: int = 520,
    height: int = 230,
) -> str:
    """Lines over weeks; gaps where a value is None; the bold series gets its last value printed at the end.

    ``y_range`` fixes the axis; otherwise it fits the data with a margin, kept inside ``y_clamp`` (a 1–5 rating axis
    never shows 6).
    """
    legend, legend_h = _legend(series, width - 10, 14)
    top, left, right, bottom = 14 + legend_h, 46, 44, 24
    values = [v for s in series for v in s.values if v is not None]
    lo, hi = y_range if y_range else ((min(values), max(values)) if values else (0.0, 1.0))
    if not y_range and values:
        pad = (hi - lo) * 0.1 or abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    if y_clamp:
        lo, hi = max(lo, y_clamp[0]), min(hi, y_clamp[1])
    ticks = nice_ticks(lo, hi)
    if y_clamp:
        ticks = [v for v in ticks if y_clamp[0] <= v <= y_clamp[1]] or ticks
    lo, hi = ticks[0], ticks[-1]
    if values:
        lo, hi = min(lo, min(values)), max(hi, max(values))
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)

    def px(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    body = [*legend]
    for t in ticks:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, py(t) + 4, y_format(t), anchor="end"))
    step = 1 if n <= 8 else 2
    for i, label in enumerate(x_labels):
        if (n - 1 - i) % step == 0:
            body.append(_text(px(i), height - 6, label, anchor="middle"))
    for s in series:
        segment: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(segment) > 1:
                    body.append(_polyline(segment, s))
                segment = []
                continue
            segment.append(f"{px(i):.1f},{py(v):.1f}")
            radius = 3.2 if s.bold else 2.2
            body.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="{radius}" fill="{s.color}"/>')
        if len(segment) > 1:
            body.append(_polyline(segment, s))
        last = next(((i, v) for i, v in reversed(list(enumerate(s.values))) if v is not None), None)
        if s.bold and last is not None:
            body.append(_text(px(last[0]) + 7, py(last[1]) + 4, y_format(last[1]), fill=s.color, weight="700"))
    return _svg(width, height, title, body)


def _polyline(points: list[str], s: Series) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{s.color}" '
        f'stroke-width="{2.8 if s.bold else 1.6}" stroke-linejoin="round" stroke-linecap="round"/>'
    )


def stacked_bars(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_format: Callable[[float], str],
    width: int = 520,
    height: int = 220,
) -> str:
    """Bars per week stacked by series (e.g. platforms); the total is printed above the last bar."""
    legend, legend_h = _legend(series, width - 10, 14)
    top, left, right, bottom = 18 + legend_h, 46, 12, 24
    n = max(len(x_labels), 1)
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(x_labels))]
    ticks = nice_ticks(0, max(totals, default=1) or 1)
    hi = ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / n
    bar_w = slot * 0.64
    body = [*legend]
    for t in ticks:
        y = top + plot_h * (1 - t / hi)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, y_format(t), anchor="end"))
    for i, label in enumerate(x_labels):
        x = left + slot * i + (slot - bar_w) / 2
        base = top + plot_h
        for s in series:
            v = s.values[i] or 0
            h = plot_h * v / hi
            if h > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{s.color}"/>'
                )
            base -= h
        if i == n - 1 or n <= 8 or (n - 1 - i) % 2 == 0:
            body.append(_text(x + bar_w / 2, height - 6, label, anchor="middle"))
        if i == n - 1:
            body.append(_text(x + bar_w / 2, base - 4, y_format(totals[i]), fill=INK, anchor="middle", weight="700"))
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Bar:
    """One bar in a group: its label, value (None = no data) and colour."""

    label: str
    value: float | None
    color: str
    bold: bool = False


def grouped_hbars(
    groups: Sequence[tuple[str, Sequence[Bar]]],
    *,
    title: str,
    value_format: Callable[[float], str],
    domain: tuple[float, float],
    width: int = 520,
) -> str:
    """Horizontal bars grouped by metric (one bar per brand), with a zero line when the domain spans zero."""
    label_w, right, bar_h, gap = 120, 52, 15, 4
    lo, hi = domain
    plot_w = width - label_w - right
    rows = sum(len(bars) for _, bars in groups)
    height = 10 + len(groups) * 22 + rows * (bar_h + gap) + 6

    def px(v: float) -> float:
        return label_w + plot_w * (max(min(v, hi), lo) - lo) / (hi - lo)

    body, y = [], 10.0
    zero = px(0) if lo < 0 < hi else px(lo)
    for name, bars in groups:
        body.append(_text(0, y + 12, name, fill=INK, size=13, weight="700"))
        y += 22
        for bar in bars:
            body.append(
                _text(label_w - 8, y + bar_h - 3, bar.label, anchor="end", fill=INK, weight="600" if bar.bold else "")
            )
            if bar.value is None:
                body.append(_text(label_w + 4, y + bar_h - 3, "\u2013"))
            else:
                x0, x1 = sorted((zero, px(bar.value)))
                body.append(
                    f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 1.5):.1f}" height="{bar_h}" rx="2" '
                    f'fill="{bar.color}" opacity="{1 if bar.bold else 0.55}"/>'
                )
                body.append(
                    _text(x1 + 5, y + bar_h - 3, value_format(bar.value), fill=INK, weight="700" if bar.bold else "")
                )
            y += bar_h + gap
        y += 0
    if lo < 0 < hi:
        body.append(
            f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="8" y2="{height - 4}" stroke="{MUTED}" stroke-dasharray="3 3"/>'
        )
    return _svg(width, int(height), title, body)


def sparkline(values: Sequence[float], *, title: str, color: str = BAD, width: int = 96, height: int = 24) -> str:
    """Tiny bar chart of weekly counts; the last (this week's) bar is full colour, earlier ones are faded."""
    n = max(len(values), 1)
    hi = max(max(values, default=0), 1)
    slot = width / n
    body = []
    for i, v in enumerate(values):
        h = max((height - 2) * v / hi, 1 if v else 0.5)
        opacity = 1 if i == n - 1 else 0.35
        body.append(
            f'<rect x="{i * slot + 1:.1f}" y="{height - h:.1f}" width="{slot - 2:.1f}" height="{h:.1f}" '
            f'fill="{color}" opacity="{opacity}"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="spark"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def text_sparkline(values: Sequence[float]) -> str:
    """The same trend as block characters, for Markdown and plain text: ``▁▂▂▃▇``."""
    blocks = "▁▂▃▄▅▆▇█"
    hi = max(max(values, default=0), 1)
    return "".join(blocks[min(int(v / hi * (len(blocks) - 1) + 0.5), len(blocks) - 1)] for v in values)
