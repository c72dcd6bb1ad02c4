"""Choropleth maps as inline SVG.

Each finest polygon is written once into a hidden <defs> block and every map reuses it with
<use href="#...">: a report with 20 indicators x 3 levels on 500 areas stays a few MB instead
of hundreds. Coarser levels colour the finest polygons by their ancestor's value.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from .formatting import esc, fmt_number
from .geometry import Polygon, Projection, area_path, fit_projection, outline_path, parse_geometry
from .reader import Area

# ColorBrewer sequential schemes (5 classes), light -> dark.
PALETTES = {
    "schlecht": ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"],  # high = disadvantage
    "gut": ["#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac"],  # high = favourable
    "neutral": ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"],
}
HATCH_FILL = "url(#sm-hatch)"
GREY_FILL = "#d9d9d9"
NO_DATA_FILL = "#ffffff"


def palette_for(polaritaet: object) -> list[str]:
    """Colour scheme by polarity: red for 'a high value is unfavourable', blue-green otherwise."""
    text = str(polaritaet or "").strip().lower()
    if text in ("negativ", "-1", "hoch_schlecht", "hoch_ist_schlecht", "hoeher_schlechter"):
        return PALETTES["schlecht"]
    if text in ("positiv", "1", "+1", "hoch_gut", "hoch_ist_gut", "hoeher_besser"):
        return PALETTES["gut"]
    return PALETTES["neutral"]


def _quantile(sorted_values: list[float], q: float) -> float:
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def class_breaks(values: list[float], k: int = 5) -> list[tuple[float, float]]:
    """Quantile classes [(lower, upper)]; with few distinct values, one class per value."""
    distinct = sorted(set(values))
    if len(distinct) <= k:
        return [(v, v) for v in distinct]
    ordered = sorted(values)
    edges = [ordered[0]]
    for i in range(1, k):
        cut = _quantile(ordered, i / k)
        if cut > edges[-1]:
            edges.append(cut)
    if ordered[-1] > edges[-1]:
        edges.append(ordered[-1])
    return list(itertools.pairwise(edges))


def class_index(value: float, breaks: list[tuple[float, float]]) -> int:
    for i, (_, upper) in enumerate(breaks):
        if value <= upper:
            return i
    return len(breaks) - 1


def class_colours(palette: list[str], n: int) -> list[str]:
    """n colours spread over the palette (n <= len(palette))."""
    if n <= 0:
        return []
    if n == 1:
        return [palette[len(palette) // 2]]
    return [palette[round(i * (len(palette) - 1) / (n - 1))] for i in range(n)]


def break_labels(breaks: list[tuple[float, float]], decimals: int) -> list[str]:
    labels = []
    for i, (lo, hi) in enumerate(breaks):
        if lo == hi:
            labels.append(fmt_number(lo, decimals))
        elif i == 0:
            labels.append(f"{fmt_number(lo, decimals)} bis {fmt_number(hi, decimals)}")
        else:
            labels.append(f"über {fmt_number(lo, decimals)} bis {fmt_number(hi, decimals)}")
    return labels


@dataclass
class MapBase:
    """The shared geometry of every map: projection, polygon defs, ancestors, outlines."""

    projection: Projection
    ids: dict[str, str]  # finest gebiet_id -> svg id
    ancestors: dict[str, dict[str, str]]  # finest gebiet_id -> level -> ancestor gebiet_id
    levels: list[str]  # levels that can be mapped (more than one area), coarse -> fine
    defs: str = ""
    outline_ids: dict[str, str] = field(default_factory=dict)

    def ancestor(self, finest_id: str, level: str) -> str | None:
        return self.ancestors.get(finest_id, {}).get(level)


def ancestor_chain(area_id: str, areas: Mapping[str, Area]) -> dict[str, str]:
    """level -> area key for the area itself and each ancestor (cycle-safe)."""
    chain: dict[str, str] = {}
    current, seen = areas.get(area_id), set()
    while current is not None and current.gebiet_id not in seen:
        seen.add(current.gebiet_id)
        chain.setdefault(current.ebene, current.gebiet_id)
        current = areas.get(current.parent_id) if current.parent_id else None
    return chain


def build_map_base(areas: Mapping[str, Area], levels: list[str]) -> MapBase | None:
    """None when no area carries a usable geometry (the report then says so)."""
    geometries: dict[str, list[Polygon]] = {}
    for area in sorted(areas.values(), key=lambda a: a.gebiet_id):
        polygons = parse_geometry(area.geometry)
        if polygons:
            geometries[area.gebiet_id] = polygons
    projection = fit_projection(geometries.values())
    if projection is None:
        return None
    ids = {gid: f"sm-a{i}" for i, gid in enumerate(geometries)}
    ancestors = {gid: ancestor_chain(gid, areas) for gid in geometries}
    mappable = []
    for level in levels:
        covered = {chain.get(level) for chain in ancestors.values()} - {None}
        if len(covered) > 1:
            mappable.append(level)
    base = MapBase(projection=projection, ids=ids, ancestors=ancestors, levels=mappable)
    parts = [
        '<pattern id="sm-hatch" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f2f2f2"/>'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#7a7a7a" stroke-width="1.6"/></pattern>'
    ]
    for gid, polygons in geometries.items():
        parts.append(f'<path id="{ids[gid]}" d="{area_path(polygons, projection)}"/>')
    for i, level in enumerate(mappable):
        group_of = {gid: base.ancestor(gid, level) for gid in geometries}
        base.outline_ids[level] = f"sm-o{i}"
        parts.append(f'<path id="sm-o{i}" d="{outline_path(geometries, group_of, projection)}"/>')
    base.defs = (
        '<svg class="sm-defs" width="0" height="0" aria-hidden="true" focusable="false">'
        f"<defs>{''.join(parts)}</defs></svg>"
    )
    return base


def render_map(base: MapBase, level: str, fills: Mapping[str, tuple[str, str]], label: str) -> str:
    """SVG of one map. fills: area key at `level` -> (fill, tooltip)."""
    proj = base.projection
    uses = []
    for gid, svg_id in base.ids.items():
        target = base.ancestor(gid, level)
        fill, tip = (
            fills.get(target, (NO_DATA_FILL, "keine Daten"))
            if target
            else (NO_DATA_FILL, "keine Zuordnung")
        )
        uses.append(
            f'<use href="#{svg_id}" fill="{fill}" stroke="{fill}"><title>{esc(tip)}</title></use>'
        )
    outline = base.outline_ids.get(level)
    if outline:
        uses.append(f'<use href="#{outline}" class="outline"/>')
    return (
        f'<svg class="map" viewBox="0 0 {proj.width:.0f} {proj.height:.0f}" '
        f'width="{proj.width:.0f}" height="{proj.height:.0f}" role="img" '
        f'aria-label="{esc(label)}">{"".join(uses)}</svg>'
    )


def legend_html(items: list[tuple[str, str]], title: str = "") -> str:
    """A legend list: (fill, text). Hatch fills are drawn as a small inline SVG swatch."""
    rows = []
    for fill, text in items:
        swatch = (
            '<svg class="swatch" width="18" height="12" aria-hidden="true">'
            f'<rect width="18" height="12" fill="{fill}" stroke="#888" stroke-width="0.5"/></svg>'
        )
        rows.append(f"<li>{swatch}<span>{esc(text)}</span></li>")
    head = f'<p class="legend-title">{esc(title)}</p>' if title else ""
    return f'<div class="legend">{head}<ul>{"".join(rows)}</ul></div>'


def choropleth(
    base: MapBase,
    level: str,
    cells: Mapping[str, tuple[float | None, str | None]],
    names: Mapping[str, str],
    *,
    unit: str,
    decimals: int,
    palette: list[str],
    label: str,
) -> str:
    """Map + legend of one indicator on one level; cells: area key -> (plot value, symbol)."""
    values = [v for v, _ in cells.values() if v is not None]
    breaks = class_breaks(values)
    colours = class_colours(palette, len(breaks))
    suffix = f" {unit}" if unit else ""
    fills: dict[str, tuple[str, str]] = {}
    used_symbols: set[str] = set()
    for area_id, (value, symbol) in cells.items():
        name = names.get(area_id, area_id)
        if value is not None:
            fill = colours[class_index(value, breaks)]
            shown = symbol if symbol == "-" else fmt_number(value, decimals) + suffix
            fills[area_id] = (fill, f"{name}: {shown}")
        elif symbol == "*":
            fills[area_id] = (HATCH_FILL, f"{name}: * (geheimgehalten)")
            used_symbols.add("*")
        else:
            fills[area_id] = (GREY_FILL, f"{name}: {symbol or 'kein Wert'}")
            used_symbols.add("grey")
    items = list(zip(colours, [t + suffix for t in break_labels(breaks, decimals)], strict=True))
    if "*" in used_symbols:
        items.append((HATCH_FILL, "* geheimgehalten"))
    if "grey" in used_symbols:
        items.append((GREY_FILL, "nicht veröffentlicht oder nicht berechenbar (. x /)"))
    items.append((NO_DATA_FILL, "keine Daten"))
    legend = legend_html(items, "Klassen (Quantile)" if len(values) > 5 else "Werte")
    return f'<div class="map-wrap">{render_map(base, level, fills, label)}{legend}</div>'
