"""The digest's charts as PNG images for e-mail, drawn by matplotlib from the same series as the web SVG charts.

Mail clients (Gmail, Outlook) show no inline SVG, so the e-mail carries these PNGs as related parts referenced by
``cid:``. Each image is 560 px wide at 1.5× density (840 px), so it stays sharp on a phone and fits the 600 px layout.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from molva.digest.charts import GRID, INK, MUTED, Bar, Series

WIDTH_IN, DPI = 5.6, 150  # 840 px, shown at 560 px (1.5× for sharp phone screens)


def _figure(height_in: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=9)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    fig.tight_layout(pad=0.6)
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05)  # the legend sits below the axes
    return buffer.getvalue()


def _legend(ax, n: int) -> None:  # type: ignore[no-untyped-def]
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(n, 3), fontsize=8.5, frameon=False, labelcolor=INK
    )


def _week_ticks(ax, labels: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
    """Every week a tick, every second one labelled (the last always), so dates never overlap at 560 px."""
    x = list(range(len(labels)))
    step = 1 if len(labels) <= 6 else 2
    shown = [lab if (len(labels) - 1 - i) % step == 0 else "" for i, lab in enumerate(labels)]
    ax.set_xticks(x, shown)


def line_png(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_format: Callable[[float], str],
    y_clamp: tuple[float, float] | None = None,
) -> bytes:
    """Lines over the weeks; the bold series (all platforms) drawn thicker."""
    fig, ax = _figure(3.2)
    x = list(range(len(labels)))
    for s in series:
        ys = [float("nan") if v is None else float(v) for v in s.values]
        ax.plot(x, ys, color=s.color, linewidth=2.4 if s.bold else 1.2, marker="o", markersize=2.5, label=s.name)
    _week_ticks(ax, labels)
    if y_clamp is not None:
        low, high = y_clamp
        pad = (high - low) * 0.04  # room for the markers on the scale's ends
        ax.set_ylim(low - pad, high + pad)
    ax.yaxis.set_major_formatter(lambda v, _pos: y_format(v))
    _legend(ax, len(series))
    return _png(fig)


def stacked_png(labels: Sequence[str], series: Sequence[Series], *, y_format: Callable[[float], str]) -> bytes:
    """Stacked weekly bars, one colour per platform."""
    fig, ax = _figure(3.2)
    x = list(range(len(labels)))
    bottom = [0.0] * len(labels)
    for s in series:
        ys = [float(v or 0.0) for v in s.values]
        ax.bar(x, ys, bottom=bottom, color=s.color, width=0.7, label=s.name)
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    _week_ticks(ax, labels)
    ax.yaxis.set_major_formatter(lambda v, _pos: y_format(v))
    _legend(ax, len(series))
    return _png(fig)


def grouped_png(groups: Sequence[tuple[str, Sequence[Bar]]], *, value_format: Callable[[float], str]) -> bytes:
    """Horizontal bars: one group per metric, one bar per brand, on a shared −100..100 axis."""
    n_bars = sum(len(bars) for _, bars in groups)
    fig, ax = _figure(1.0 + 0.2 * n_bars + 0.2 * len(groups))
    y, ticks, names = 0.0, [], []
    seen: set[str] = set()
    for label, bars in groups:
        start = y
        for bar in bars:
            value = bar.value if bar.value is not None else 0.0
            legend = bar.label if bar.label not in seen else None
            seen.add(bar.label)
            ax.barh(-y, value, height=0.8, color=bar.color, label=legend)
            if bar.value is not None:
                # the value beside the bar's end: right of a positive bar, left of a negative one
                label = value_format(value)
                text, align = (f" {label}", "left") if value >= 0 else (f"{label} ", "right")
                ax.text(value, -y, text, va="center", ha=align, fontsize=8, color=INK)
            y += 1
        ticks.append(-(start + y - 1) / 2)
        names.append(label)
        y += 0.8
    ax.set_yticks(ticks, names)
    ax.set_xlim(-100, 100)
    ax.axvline(0, color=MUTED, linewidth=0.6)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.grid(axis="y", visible=False)
    _legend(ax, len(seen))
    return _png(fig)
