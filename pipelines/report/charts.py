"""Line and bar charts as inline SVG (no JavaScript, prints as vector graphics)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .formatting import esc, fmt_date, fmt_number

# Okabe-Ito / Tableau-like palette, distinguishable in print; the city line is drawn black.
LINE_COLOURS = [
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#8c6d31",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#9467bd",
    "#e377c2",
]
CITY_COLOUR = "#111111"


@dataclass
class Series:
    label: str
    points: list[tuple[date, float | None]]
    colour: str = CITY_COLOUR
    emphasis: bool = False


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5, 5 x 10^n steps)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi, lo = hi + (abs(hi) or 1) * 0.5, lo - (abs(lo) or 1) * 0.5
    raw = (hi - lo) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    ticks, value = [], start
    while True:
        ticks.append(round(value, 10))
        if value >= hi - step * 1e-9:  # the last tick covers the maximum
            return ticks
        value += step


def _tick_decimals(ticks: list[float]) -> int:
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return 0 if step >= 1 else min(3, max(1, -math.floor(math.log10(step))))


def time_ticks(dates: list[date]) -> tuple[list[date], list[tuple[date, str]]]:
    """(tick positions, labelled positions) of a time axis.

    Yearly values on 31.12 get a tick and the year at each data point; longer monthly series
    get ticks at year boundaries and the year centred in between; short ones a few dates.
    """
    first, last = dates[0], dates[-1]
    if all((d.month, d.day) == (12, 31) for d in dates):
        stride = max(1, math.ceil(len(dates) / 10))
        shown = dates[::stride]
        return shown, [(d, str(d.year)) for d in shown]
    if (last - first).days > 400:
        bounds = [date(y, 1, 1) for y in range(first.year + 1, last.year + 1)]
        middles = [date(y, 7, 1) for y in range(first.year, last.year + 1)]
        labels = [(m, str(m.year)) for m in middles if first <= m <= last]
        stride = max(1, math.ceil(len(labels) / 10))
        return bounds, labels[::stride]
    shown = dates[:: max(1, math.ceil(len(dates) / 6))]
    return shown, [(d, f"{d.month:02d}/{d.year}") for d in shown]


def line_chart(
    series: list[Series],
    *,
    unit: str,
    decimals: int,
    label: str,
    width: int = 640,
    height: int = 250,
) -> str:
    """SVG line chart; suppressed points (None) leave a gap instead of being bridged."""
    left, right, top, bottom = 58, 14, 12, 30
    values = [v for s in series for _, v in s.points if v is not None]
    dates = sorted({d for s in series for d, _ in s.points})
    if not values or not dates:
        return ""
    lo, hi = min(values), max(values)
    if lo >= 0 and lo <= hi * 0.5:
        lo = 0.0  # shares: an axis from zero does not exaggerate differences
    ticks = nice_ticks(lo, hi)
    y_min, y_max = ticks[0], ticks[-1]
    d0, d1 = dates[0].toordinal(), dates[-1].toordinal()
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(d: date) -> float:
        return left + (plot_w / 2 if d1 == d0 else (d.toordinal() - d0) / (d1 - d0) * plot_w)

    def y(v: float) -> float:
        return top + plot_h - (v - y_min) / ((y_max - y_min) or 1) * plot_h

    tick_dec = _tick_decimals(ticks)
    parts = []
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
            f'<text class="ytick" x="{left - 6}" y="{y(t) + 3.5:.1f}">{fmt_number(t, tick_dec)}</text>'
        )
    tick_dates, labelled = time_ticks(dates)
    for d in tick_dates:
        parts.append(
            f'<line class="xtick" x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{top + plot_h}" '
            f'y2="{top + plot_h + 4}"/>'
        )
    for d, text in labelled:
        parts.append(f'<text class="xlabel" x="{x(d):.1f}" y="{height - 10}">{esc(text)}</text>')
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/>'
    )
    suffix = f" {unit}" if unit else ""
    for s in sorted(series, key=lambda s: s.emphasis):  # city on top
        stroke = 2.6 if s.emphasis else 1.6
        segment: list[str] = []
        runs: list[list[str]] = []
        for d, v in sorted(s.points):
            if v is None:
                if segment:
                    runs.append(segment)
                segment = []
            else:
                segment.append(f"{x(d):.1f},{y(v):.1f}")
        if segment:
            runs.append(segment)
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{s.colour}" stroke-width="{stroke}" '
                    f'points="{" ".join(run)}"/>'
                )
        if len(s.points) <= 30:
            for d, v in s.points:
                if v is not None:
                    parts.append(
                        f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="{2.8 if s.emphasis else 2.2}" '
                        f'fill="{s.colour}"><title>{esc(s.label)}, {fmt_date(d)}: '
                        f"{fmt_number(v, decimals)}{esc(suffix)}</title></circle>"
                    )
    legend = "".join(
        f'<li><span class="line-key" style="background:{s.colour}"></span>{esc(s.label)}</li>'
        for s in sorted(series, key=lambda s: not s.emphasis)
    )
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(label)}">{"".join(parts)}</svg>'
    )
    return f'<div class="chart-wrap">{svg}<ul class="chart-legend">{legend}</ul></div>'


def bar_chart(
    items: list[tuple[str, float | None]],
    *,
    unit: str,
    decimals: int,
    label: str,
    reference: float | None = None,
    width: int = 640,
) -> str:
    """Horizontal bars (e.g. budget use in % with a 100 % reference line)."""
    rows = [(name, v) for name, v in items if v is not None]
    if not rows:
        return ""
    rows = [(name if len(name) <= 48 else name[:47] + "…", v) for name, v in rows]
    longest = max(len(name) for name, _ in rows)
    left, right, bar_h, gap, top = min(340, 16 + longest * 6.2), 70, 16, 8, 8
    height = top + len(rows) * (bar_h + gap) + 22
    hi = max([v for _, v in rows] + ([reference] if reference is not None else []))
    lo = min(0.0, *(v for _, v in rows))
    span = (hi - lo) or 1.0
    plot_w = width - left - right

    def x(v: float) -> float:
        return left + (v - lo) / span * plot_w

    suffix = f" {unit}" if unit else ""
    parts = []
    for i, (name, v) in enumerate(rows):
        y0 = top + i * (bar_h + gap)
        x0, x1 = sorted((x(0), x(v)))
        over = reference is not None and v > reference
        parts.append(
            f'<text class="bar-label" x="{left - 8}" y="{y0 + bar_h - 4}">{esc(name)}</text>'
            f'<rect class="{"bar over" if over else "bar"}" x="{x0:.1f}" y="{y0}" '
            f'width="{max(x1 - x0, 0.5):.1f}" height="{bar_h}"><title>{esc(name)}: '
            f"{fmt_number(v, decimals)}{esc(suffix)}</title></rect>"
            f'<text class="bar-value" x="{x1 + 4:.1f}" y="{y0 + bar_h - 4}">'
            f"{fmt_number(v, decimals)}{esc(suffix)}</text>"
        )
    if reference is not None:
        parts.append(
            f'<line class="reference" x1="{x(reference):.1f}" x2="{x(reference):.1f}" '
            f'y1="{top - 4}" y2="{height - 18}"/>'
            f'<text class="xlabel" x="{x(reference):.1f}" y="{height - 6}">'
            f"{fmt_number(reference, 0)}{esc(suffix)}</text>"
        )
    return (
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}">{"".join(parts)}</svg>'
    )


def indexed(points: list[tuple[date, float | None]]) -> list[tuple[date, float | None]]:
    """The series as an index, its first value = 100: counts of a city and of its districts
    differ by a factor of ten and more; on one axis the districts would be flat lines."""
    base = next((v for _, v in sorted(points) if v), None)
    if base is None:
        return [(d, None) for d, _ in points]
    return [(d, None if v is None else v / base * 100) for d, v in points]


def sparkline(points: list[tuple[date, float | None]], label: str, width: int = 96) -> str:
    """A small trend line (no axes) for the area profiles; gaps stay gaps."""
    height, pad = 22, 2.5
    values = [v for _, v in points if v is not None]
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    dates = sorted(d for d, _ in points)
    d0, d1 = dates[0].toordinal(), dates[-1].toordinal()

    def xy(d: date, v: float) -> str:
        x = pad + (d.toordinal() - d0) / ((d1 - d0) or 1) * (width - 2 * pad)
        y = pad + (hi - v) / span * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    runs, run = [], []
    for d, v in sorted(points):
        if v is None:
            runs, run = [*runs, run] if run else runs, []
        else:
            run.append(xy(d, v))
    if run:
        runs.append(run)
    lines = "".join(f'<polyline points="{" ".join(r)}"/>' if len(r) > 1 else "" for r in runs)
    last_d, last_v = max((d, v) for d, v in points if v is not None)
    x, y = xy(last_d, last_v).split(",")
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(label)}">{lines}<circle cx="{x}" cy="{y}" r="1.8"/></svg>'
    )


# the parts of a change of cost, in the order they are stacked, with their German names
EFFECTS = (
    ("mengeneffekt", "Mengeneffekt (mehr/weniger Fälle)", "eff-menge"),
    ("preiseffekt", "Preiseffekt (Kosten je Fall)", "eff-preis"),
    ("restglied", "Restglied (beides zusammen)", "eff-rest"),
)


def effects_chart(
    items: list[tuple[str, dict[str, float], float]], *, label: str, width: int = 680
) -> str:
    """How much of each change is more cases and how much a higher cost per case.

    `items`: (name, {effect: EUR}, total change). Per row the positive parts are stacked
    to the right of zero, the negative ones to the left; a black tick marks the total.
    """
    rows = [(n if len(n) <= 44 else n[:43] + "…", parts, total) for n, parts, total in items]
    if not rows:
        return ""
    longest = max(len(n) for n, _, _ in rows)
    left, right, bar_h, gap, top = min(300, 16 + longest * 6.2), 20, 18, 12, 10
    height = top + len(rows) * (bar_h + gap) + 40
    hi = max([0.0] + [sum(v for v in p.values() if v > 0) for _, p, _ in rows])
    lo = min([0.0] + [sum(v for v in p.values() if v < 0) for _, p, _ in rows])
    ticks = nice_ticks(lo, hi, 5)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    span = (hi - lo) or 1.0
    plot_w = width - left - right

    def x(v: float) -> float:
        return left + (v - lo) / span * plot_w

    scale, unit = (1e6, "Mio. EUR") if max(abs(lo), abs(hi)) >= 1e6 else (1e3, "Tsd. EUR")
    scaled = [t / scale for t in ticks]
    decimals = next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in scaled)), 3)
    axis_y = height - 36
    parts = []
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 4}" '
            f'y2="{axis_y}"/><text class="xlabel" x="{x(t):.1f}" y="{axis_y + 14}">'
            f"{fmt_number(t / scale, decimals)}</text>"
        )
    parts.append(
        f'<text class="xlabel" x="{left + plot_w / 2:.1f}" y="{height - 4}">'
        f"Veränderung in {esc(unit)}</text>"
    )
    for i, (name, values, total) in enumerate(rows):
        y0 = top + i * (bar_h + gap)
        parts.append(
            f'<text class="bar-label" x="{left - 8}" y="{y0 + bar_h - 5}">{esc(name)}</text>'
        )
        pos = neg = 0.0
        for key, title, css in EFFECTS:
            v = values.get(key) or 0.0
            start = pos if v >= 0 else neg + v
            if v >= 0:
                pos += v
            else:
                neg += v
            x0, x1 = x(start), x(start + abs(v))
            parts.append(
                f'<rect class="{css}" x="{x0:.1f}" y="{y0}" width="{max(x1 - x0, 0.0):.1f}" '
                f'height="{bar_h}"><title>{esc(name)}: {esc(title)} '
                f"{fmt_number(v, 0)} EUR</title></rect>"
            )
        parts.append(
            f'<line class="eff-total" x1="{x(total):.1f}" x2="{x(total):.1f}" '
            f'y1="{y0 - 3}" y2="{y0 + bar_h + 3}"><title>{esc(name)}: Veränderung insgesamt '
            f"{fmt_number(total, 0)} EUR</title></line>"
        )
    parts.append(
        f'<line class="axis" x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 4}" y2="{axis_y}"/>'
    )
    legend = "".join(
        f'<li><span class="swatch {css}"></span>{esc(title)}</li>' for _, title, css in EFFECTS
    )
    legend += '<li><span class="swatch eff-total"></span>Veränderung insgesamt</li>'
    return (
        f'<svg class="chart effects" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(label)}">{"".join(parts)}</svg>'
        f'<ul class="chart-legend">{legend}</ul>'
    )
