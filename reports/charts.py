"""Inline SVG charts with a title, a description and a text equivalent (a table).

Every chart is drawn from numbers only (labels are escaped), so it is safe in HTML and in
the PDF, needs no script and no external file, and reads the same for a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from markupsafe import Markup

PALETTE = ("#1f5fa8", "#e07b24", "#3f9b57", "#8a5ab4", "#c23b4b", "#5b6472", "#1aa3a3")


@dataclass(frozen=True)
class Chart:
    """An SVG chart and its text equivalent (``header`` + ``rows``) for a table."""

    svg: Markup
    title: str
    description: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _fmt(v: float | None) -> str:
    return "–" if v is None or not np.isfinite(v) else f"{v:.2f}"


def _box(x: float, y: float, w: float, h: float) -> str:
    """A rectangle as a closed subpath of an SVG path."""
    return f"M{x:.1f} {y:.1f}h{w:.1f}v{h:.1f}h{-w:.1f}z"


def _open(width: int, height: int, title: str, description: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="12">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    scale: tuple[float, float],
    title: str,
    description: str,
    markers: Sequence[float | None] | None = None,
    marker_label: str = "",
    ident: str = "chart",
) -> Chart:
    """Horizontal bars: one row per label, one bar per series, an optional marker per row.

    ``series`` is ``[(name, values)]`` with one value per label (None = not shown).
    ``markers`` (e.g. a role's required level) are drawn as a dark tick on each row.
    """
    lo, hi = scale
    if hi <= lo:
        raise ValueError(f"scale must rise, got {scale}")
    n_s = max(len(series), 1)
    bar_h, gap = 12, 10
    row_h = n_s * bar_h + gap
    left, right, top = 210, 30, 28 + 16 * ((n_s + (1 if markers else 0) + 2) // 3)
    width = 720
    plot_w = width - left - right
    height = top + row_h * len(labels) + 30

    def x(v: float) -> float:
        return left + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    # Shapes of one colour share one path: WeasyPrint pays per SVG element (about as
    # much for a rectangle as for a table cell), not per segment of a path.
    out = _open(width, height, title, description, ident)
    fills: dict[str, list[str]] = {}
    texts = []
    legend = [(name, PALETTE[i % len(PALETTE)]) for i, (name, _) in enumerate(series)]
    if markers:
        legend.append((marker_label, "#1d2430"))
    for i, (name, colour) in enumerate(legend):
        lx, ly = 10 + (i % 3) * 235, 8 + (i // 3) * 16
        fills.setdefault(colour, []).append(_box(lx, ly, 10, 10))
        texts.append(f'<text x="{lx + 14}" y="{ly + 9}">{escape(name)}</text>')
    whole = float(lo).is_integer() and float(hi).is_integer() and 3 <= hi - lo <= 6
    ticks = np.arange(lo, hi + 1) if whole else np.linspace(lo, hi, 6 if hi - lo <= 1 else 5)
    grid = "".join(f"M{x(t):.1f} {top - 4}V{height - 26}" for t in ticks)
    out.append(f'<path d="{grid}" stroke="#d5dae1" fill="none"/>')
    for t in ticks:
        texts.append(
            f'<text x="{x(t):.1f}" y="{height - 12}" text-anchor="middle" fill="#5b6472">'
            f"{t:g}</text>"
        )
    ticks_d = []
    for r, label in enumerate(labels):
        y0 = top + r * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        texts.append(
            f'<text x="{left - 8}" y="{y0 + row_h / 2:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(short)}</text>'
        )
        for s, (_, values) in enumerate(series):
            v = values[r]
            if v is None or not np.isfinite(v):
                continue
            fills.setdefault(PALETTE[s % len(PALETTE)], []).append(
                _box(left, y0 + s * bar_h, x(v) - left, bar_h - 2)
            )
        if markers and markers[r] is not None:
            mx = x(float(markers[r]))  # type: ignore[arg-type]
            ticks_d.append(f"M{mx:.1f} {y0 - 2}V{y0 + n_s * bar_h}")
    out += [f'<path d="{"".join(d)}" fill="{colour}"/>' for colour, d in fills.items()]
    if ticks_d:
        out.append(f'<path d="{"".join(ticks_d)}" stroke="#1d2430" stroke-width="3"/>')
    out += texts
    out.append("</svg>")
    header = ("", *(name for name, _ in series), *((marker_label,) if markers else ()))
    rows = tuple(
        (
            label,
            *(_fmt(values[r]) for _, values in series),
            *((_fmt(markers[r]),) if markers else ()),
        )
        for r, label in enumerate(labels)
    )
    return Chart(Markup("".join(out)), title, description, header, rows)


def histogram(
    values: Sequence[float] | np.ndarray,
    *,
    edges: Sequence[float],
    title: str,
    description: str,
    marker: float | None = None,
    marker_label: str = "",
    ident: str = "hist",
) -> Chart:
    """Counts of ``values`` between ``edges`` as columns; NaN values are left out."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    e = np.asarray(edges, dtype=float)
    if e.ndim != 1 or len(e) < 2 or np.any(np.diff(e) <= 0):
        raise ValueError("edges must be at least two rising numbers")
    counts, _ = np.histogram(v, bins=e)
    width, height, left, bottom, top = 720, 240, 40, 36, 24
    plot_w, plot_h = width - left - 20, height - top - bottom
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    col_w = plot_w / len(counts)
    out = _open(width, height, title, description, ident)
    columns = "".join(
        _box(left + i * col_w + 1, top + plot_h - plot_h * c / peak, col_w - 2, plot_h * c / peak)
        for i, c in enumerate(counts)
    )
    out.append(f'<path d="{columns}" fill="{PALETTE[0]}"/>')  # one path: see bar_chart
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        cx = left + i * col_w
        if c:
            out.append(
                f'<text x="{cx + col_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                f'text-anchor="middle" font-size="10">{int(c)}</text>'
            )
    for edge in e[:: max(1, len(e) // 10)]:
        ex = left + plot_w * (edge - e[0]) / (e[-1] - e[0])
        out.append(
            f'<text x="{ex:.1f}" y="{height - 18}" text-anchor="middle" fill="#5b6472">'
            f"{edge:g}</text>"
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#5b6472"/>'
    )
    if marker is not None and e[0] <= marker <= e[-1]:
        mx = left + plot_w * (marker - e[0]) / (e[-1] - e[0])
        out.append(
            f'<line x1="{mx:.1f}" y1="{top - 6}" x2="{mx:.1f}" y2="{top + plot_h}" '
            'stroke="#c23b4b" stroke-width="2" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{mx + 4:.1f}" y="{top - 8}" fill="#c23b4b">{escape(marker_label)}</text>'
        )
    out.append("</svg>")
    rows = tuple((f"{e[i]:g}–{e[i + 1]:g}", str(int(c))) for i, c in enumerate(counts))
    return Chart(Markup("".join(out)), title, description, ("range", "count"), rows)
