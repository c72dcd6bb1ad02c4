"""Choropleth maps as inline SVG.

Each finest polygon is written once into a hidden <defs> block and every map reuses it with
<use href="#...">: a report with 20 indicators x 3 levels on 500 areas stays a few MB instead
of hundreds. Coarser levels colour the finest polygons by their ancestor's value.

For paper: every map draws the outlines of its own level and, heavier, of the first level below
the city (the districts); areas carry numbers at a point inside them (shapely's polylabel) that
a key under the map resolves; absolute counts are drawn as proportional circles, not as a
choropleth (a large area is not "more" of anything); "keine Daten" is a dotted white pattern
that no class colour resembles.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .formatting import esc, fmt_number
from .geometry import (
    Point,
    Polygon,
    Projection,
    area_path,
    fit_projection,
    outline_path,
    parse_geometry,
)
from .reader import Area

# ColorBrewer sequential schemes, the 6-class versions without their lightest step: the lowest
# class stays clearly coloured on paper and cannot be taken for white "keine Daten" or the
# neutral grey of unpublished values.
PALETTES = {
    "schlecht": ["#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"],  # high = disadvantage
    "gut": ["#ccebc5", "#a8ddb5", "#7bccc4", "#43a2ca", "#0868ac"],  # high = favourable
    "neutral": ["#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
}
# ColorBrewer RdBu (7 classes): a balance (places minus places needed) is diverging, a
# deficit red, a surplus blue, zero the pale middle (not white "keine Daten", not the grey
# of unpublished values)
DIVERGING_NEGATIVE = ["#b2182b", "#ef8a62", "#fddbc7"]  # most negative first
DIVERGING_ZERO = "#f7f4d0"
DIVERGING_POSITIVE = ["#d1e5f0", "#67a9cf", "#2166ac"]  # smallest surplus first
HATCH_FILL = "url(#sm-hatch)"
GREY_FILL = "#d9d9d9"
NO_DATA_FILL = "url(#sm-nodata)"
BASE_FILL = "#eef0f2"  # under proportional circles
HIGHLIGHT_FILL = "#1f4e79"
MAX_LABELS = 60  # more areas than this: numbers would cover the map; the table has them


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


def diverging_classes(
    values: list[float], per_side: int = 3
) -> tuple[list[tuple[float, float]], list[str]]:
    """Classes and colours for a signed value (a Platzsaldo): up to `per_side` quantile
    classes of the negative values (red, darker = larger deficit), a class of exactly 0
    (neutral) where one is 0, up to `per_side` classes of the positive values (blue)."""
    negative = [v for v in values if v < 0]
    positive = [v for v in values if v > 0]
    breaks: list[tuple[float, float]] = []
    colours: list[str] = []
    if negative:
        neg = class_breaks(negative, per_side)
        breaks += neg
        colours += DIVERGING_NEGATIVE[-len(neg) :] if len(neg) < 3 else DIVERGING_NEGATIVE
    if any(v == 0 for v in values):
        breaks.append((0.0, 0.0))
        colours.append(DIVERGING_ZERO)
    if positive:
        pos = class_breaks(positive, per_side)
        if breaks:  # the legend reads "über 0 bis ..." for the first surplus class
            pos[0] = (0.0, pos[0][1])
        breaks += pos
        colours += DIVERGING_POSITIVE[: len(pos)]
    return breaks, colours


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
    shapes: dict[str, list[Polygon]] = field(default_factory=dict)  # finest id -> projected
    _labels: dict[str, dict[str, Point]] = field(default_factory=dict)

    def ancestor(self, finest_id: str, level: str) -> str | None:
        return self.ancestors.get(finest_id, {}).get(level)

    @property
    def district_level(self) -> str | None:
        """The coarsest mappable level: its outlines are drawn heavier on every finer map."""
        return self.levels[0] if self.levels else None

    def areas(self, level: str) -> list[str]:
        return sorted({a for g in self.ids if (a := self.ancestor(g, level))})

    def numbers(self, level: str) -> dict[str, int]:
        """Area key -> its number on maps of this level (1.., in key order)."""
        return {gid: i for i, gid in enumerate(self.areas(level), start=1)}

    def label_points(self, level: str) -> dict[str, Point]:
        """A point well inside each area of the level (pixel coordinates)."""
        if level not in self._labels:
            groups: dict[str, list[Polygon]] = {}
            for gid, polygons in self.shapes.items():
                target = self.ancestor(gid, level)
                if target:
                    groups.setdefault(target, []).extend(polygons)
            self._labels[level] = {gid: label_point(polys) for gid, polys in groups.items()}
        return self._labels[level]


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
    shapes = {
        gid: [[[projection(*pt) for pt in ring] for ring in poly] for poly in polygons]
        for gid, polygons in geometries.items()
    }
    base = MapBase(
        projection=projection, ids=ids, ancestors=ancestors, levels=mappable, shapes=shapes
    )
    parts = [
        '<pattern id="sm-hatch" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f2f2f2"/>'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#7a7a7a" stroke-width="1.6"/></pattern>',
        '<pattern id="sm-nodata" patternUnits="userSpaceOnUse" width="6" height="6">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<circle cx="3" cy="3" r="0.9" fill="#8a8a8a"/></pattern>',
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


def label_point(polygons: list[Polygon]) -> Point:
    """The pole of inaccessibility of the largest part: inside even a crescent-shaped area."""
    from shapely import make_valid, union_all
    from shapely.geometry import Polygon as ShapelyPolygon
    from shapely.ops import polylabel

    parts = [make_valid(ShapelyPolygon(poly[0], poly[1:])) for poly in polygons if poly]
    # a tiny buffer closes the float gaps between neighbouring source polygons
    merged = union_all([p.buffer(0.05) for p in parts if not p.is_empty])
    pieces = list(getattr(merged, "geoms", [merged]))
    largest = max((g for g in pieces if g.geom_type == "Polygon"), key=lambda g: g.area)
    point = polylabel(largest, tolerance=0.5)
    return (point.x, point.y)


def render_map(
    base: MapBase,
    level: str,
    fills: Mapping[str, tuple[str, str]],
    label: str,
    *,
    numbered: bool = True,
    overlay: str = "",
    css: str = "map",
) -> str:
    """SVG of one map. fills: area key at `level` -> (fill, tooltip).

    numbered: draw each area's number (see MapBase.numbers) at its label point, when the level
    has at most MAX_LABELS areas. overlay: extra SVG drawn above the outlines (circles).
    """
    proj = base.projection
    uses = []
    for gid, svg_id in base.ids.items():
        target = base.ancestor(gid, level)
        fill, tip = (
            fills.get(target, (NO_DATA_FILL, "keine Daten"))
            if target
            else (NO_DATA_FILL, "keine Zuordnung")
        )
        stroke = "#ffffff" if fill.startswith("url(") else fill
        uses.append(
            f'<use href="#{svg_id}" fill="{fill}" stroke="{stroke}"><title>{esc(tip)}</title></use>'
        )
    outline = base.outline_ids.get(level)
    if outline:
        uses.append(f'<use href="#{outline}" class="outline"/>')
    district = base.district_level
    if district and district != level and district in base.outline_ids:
        uses.append(f'<use href="#{base.outline_ids[district]}" class="outline district"/>')
    uses.append(overlay)
    numbers = base.numbers(level) if numbered else {}
    if numbers and len(numbers) <= MAX_LABELS:
        points = base.label_points(level)
        size = 15 if len(numbers) <= 20 else 11
        for gid, n in numbers.items():
            if gid in points:
                x, y = points[gid]
                uses.append(
                    f'<text class="area-no" x="{x:.1f}" y="{y + size * 0.35:.1f}" '
                    f'font-size="{size}">{n}</text>'
                )
    return (
        f'<svg class="{css}" viewBox="0 0 {proj.width:.0f} {proj.height:.0f}" '
        f'width="{proj.width:.0f}" height="{proj.height:.0f}" role="img" '
        f'aria-label="{esc(label)}">{"".join(uses)}</svg>'
    )


def map_key(base: MapBase, level: str, names: Mapping[str, str]) -> str:
    """The key to the numbers on a map: '1 Altstadt · 2 Dom · ...'."""
    numbers = base.numbers(level)
    if not numbers:
        return ""
    if len(numbers) > MAX_LABELS:
        return (
            f'<p class="map-key-note">{len(numbers)} Gebiete: Nummern entfallen, die Werte '
            "stehen in der Tabelle.</p>"
        )
    items = "".join(f"<li><b>{n}</b> {esc(names.get(gid, gid))}</li>" for gid, n in numbers.items())
    return f'<ol class="map-key">{items}</ol>'


def _swatches(items: list[tuple[str, str]]) -> str:
    rows = []
    for fill, text in items:
        swatch = (
            '<svg class="swatch" width="18" height="12" aria-hidden="true">'
            f'<rect width="18" height="12" fill="{fill}" stroke="#888" stroke-width="0.5"/></svg>'
        )
        rows.append(f"<li>{swatch}<span>{esc(text)}</span></li>")
    return "".join(rows)


def legend_html(
    items: list[tuple[str, str]], title: str = "", without_value: list[tuple[str, str]] = ()
) -> str:
    """A legend: classes (fill, text), then, set apart, the fills of areas without a value.

    Fills are drawn as small inline SVG swatches (patterns included)."""
    head = f'<p class="legend-title">{esc(title)}</p>' if title else ""
    rest = ""
    if without_value:
        rest = (
            '<p class="legend-title legend-apart">Ohne Zahlenwert</p>'
            f"<ul>{_swatches(list(without_value))}</ul>"
        )
    return f'<div class="legend">{head}<ul>{_swatches(items)}</ul>{rest}</div>'


def _without_value_items(used: set[str]) -> list[tuple[str, str]]:
    items = []
    if "*" in used:
        items.append((HATCH_FILL, "* geheimgehalten"))
    if "grey" in used:
        items.append((GREY_FILL, "nicht veröffentlicht oder nicht berechenbar (. x /)"))
    items.append((NO_DATA_FILL, "keine Daten"))
    return items


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
    breaks: list[tuple[float, float]] | None = None,
    colours: list[str] | None = None,
    legend_title: str | None = None,
) -> str:
    """Map + legend + number key of one indicator on one level; cells: area key ->
    (plot value, symbol). breaks: classes shared with another map (default: this map's
    quantiles); colours: one per class (default: spread over `palette`)."""
    values = [v for v, _ in cells.values() if v is not None]
    quantiles = len(values) > 5 if breaks is None else any(lo != hi for lo, hi in breaks)
    if breaks is None:
        breaks = class_breaks(values)
    if colours is None or len(colours) != len(breaks):
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
    legend = legend_html(
        items,
        legend_title or ("Klassen (Quantile)" if quantiles else "Werte"),
        _without_value_items(used_symbols),
    )
    return (
        f'<div class="map-wrap">{render_map(base, level, fills, label)}'
        f'<div class="map-side">{legend}{map_key(base, level, names)}</div></div>'
    )


def _round_nice(value: float) -> float:
    """A legend circle value: 1, 2 or 5 x 10^n at or below value."""
    if value <= 0:
        return 0.0
    magnitude = 10 ** math.floor(math.log10(value))
    return max(m * magnitude for m in (1, 2, 5) if m * magnitude <= value)


def proportional_map(
    base: MapBase,
    level: str,
    cells: Mapping[str, tuple[float | None, str | None]],
    names: Mapping[str, str],
    *,
    unit: str,
    decimals: int,
    label: str,
) -> str:
    """Absolute counts as circles whose area is proportional to the value, on a grey base."""
    values = {gid: v for gid, (v, _) in cells.items() if v is not None and v > 0}
    points = base.label_points(level)
    areas = max(len(base.areas(level)), 1)
    proj = base.projection
    # the largest circle: about the size of an average area, never more than a fifth of the map
    r_max = min(0.6 * math.sqrt(proj.width * proj.height / areas / math.pi), proj.width / 10)
    v_max = max(values.values(), default=0.0)
    suffix = f" {unit}" if unit else ""
    fills: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    circles = []
    for gid, (value, symbol) in cells.items():
        name = names.get(gid, gid)
        if value is not None:
            shown = symbol if symbol == "-" else fmt_number(value, decimals) + suffix
            fills[gid] = (BASE_FILL, f"{name}: {shown}")
        elif symbol == "*":
            fills[gid] = (HATCH_FILL, f"{name}: * (geheimgehalten)")
            used.add("*")
        else:
            fills[gid] = (GREY_FILL, f"{name}: {symbol or 'kein Wert'}")
            used.add("grey")
    # large circles first, so small ones stay visible on top
    for gid, value in sorted(values.items(), key=lambda kv: -kv[1]):
        if gid in points and v_max > 0:
            x, y = points[gid]
            r = r_max * math.sqrt(value / v_max)
            circles.append(
                f'<circle class="prop" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">'
                f"<title>{esc(names.get(gid, gid))}: {fmt_number(value, decimals)}{esc(suffix)}"
                "</title></circle>"
            )
    svg = render_map(base, level, fills, label, overlay="".join(circles))
    scale = ""
    steps = [s for s in dict.fromkeys([_round_nice(v_max), _round_nice(v_max / 4)]) if s > 0]
    if steps:
        big = r_max * math.sqrt(steps[0] / v_max)
        width, height = 2 * big + 130, 2 * big + 14
        rings = []
        for step in steps:  # nested circles on one baseline, the value beside each top
            r = r_max * math.sqrt(step / v_max)
            cy = height - 2 - r
            rings.append(
                f'<circle class="prop" cx="{big + 1:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>'
                f'<text x="{2 * big + 10:.1f}" y="{cy - r + 4:.1f}">'
                f"{fmt_number(step, decimals)}{esc(suffix)}</text>"
            )
        scale = (
            f'<svg class="prop-legend" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" aria-hidden="true">{"".join(rings)}</svg>'
        )
    legend = (
        '<div class="legend"><p class="legend-title">Kreisfläche proportional zum Wert</p>'
        f"{scale}"
        '<p class="legend-title legend-apart">Ohne Zahlenwert</p>'
        f"<ul>{_swatches(_without_value_items(used))}</ul></div>"
    )
    return (
        f'<div class="map-wrap">{svg}<div class="map-side">{legend}'
        f"{map_key(base, level, names)}</div></div>"
    )


def locator_map(
    base: MapBase, level: str, gebiet_id: str, parent_id: str | None, label: str
) -> str:
    """A small map of the city: the area dark, the other areas of its parent pale blue."""
    in_parent: set[str] = set()
    for finest, chain in base.ancestors.items():
        area = base.ancestor(finest, level)
        if area and parent_id is not None and parent_id in chain.values():
            in_parent.add(area)
    fills: dict[str, tuple[str, str]] = {}
    for gid in base.areas(level):
        if gid == gebiet_id:
            fills[gid] = (HIGHLIGHT_FILL, label)
        else:
            fills[gid] = ("#b9cde0" if gid in in_parent else "#e4e8ec", "")
    return render_map(base, level, fills, label, numbered=False, css="map locator")
