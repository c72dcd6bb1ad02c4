"""GeoJSON polygons to SVG path data: equirectangular projection, simplification, outlines.

Pure functions. Only the finest areas carry a geometry; coarser levels are drawn by colouring
the finest polygons with their ancestor's value, and their outlines are the finest edges that
separate two different ancestors (or lie on the city border).
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # outer ring first, then holes


def parse_geometry(text: str | None) -> list[Polygon]:
    """Polygons of a GeoJSON Polygon/MultiPolygon (also inside a Feature); [] if unusable."""
    if not text:
        return []
    try:
        obj = json.loads(text)
    except (TypeError, ValueError):
        return []
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry") or {}
    if not isinstance(obj, dict):
        return []
    kind, coords = obj.get("type"), obj.get("coordinates") or []
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    elif kind == "GeometryCollection":
        return [p for g in obj.get("geometries", []) for p in parse_geometry(json.dumps(g))]
    else:
        return []
    result: list[Polygon] = []
    for polygon in polygons:
        rings = [
            [(float(pt[0]), float(pt[1])) for pt in ring] for ring in polygon if len(ring) >= 3
        ]
        if rings:
            result.append(rings)
    return result


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection scaled to fit a box; longitudes shrink by cos(mid latitude)."""

    min_x: float
    max_y: float
    scale: float
    width: float
    height: float
    kx: float
    pad: float

    def __call__(self, lon: float, lat: float) -> Point:
        return (
            self.pad + (lon * self.kx - self.min_x) * self.scale,
            self.pad + (self.max_y - lat) * self.scale,
        )


def fit_projection(
    geometries: Iterable[list[Polygon]],
    max_width: float = 560,
    max_height: float = 460,
    pad: float = 6,
) -> Projection | None:
    points = [pt for geom in geometries for poly in geom for ring in poly for pt in ring]
    if not points:
        return None
    lats = [p[1] for p in points]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [p[0] * kx for p in points]
    span_x, span_y = max(xs) - min(xs), max(lats) - min(lats)
    if span_x <= 0 or span_y <= 0:
        return None
    scale = min((max_width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
    return Projection(
        min_x=min(xs),
        max_y=max(lats),
        scale=scale,
        kx=kx,
        pad=pad,
        width=span_x * scale + 2 * pad,
        height=span_y * scale + 2 * pad,
    )


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Drop vertices closer than `tolerance` pixels to the last kept one (keeps the ends)."""
    if len(points) <= 2:
        return points
    kept = [points[0]]
    for pt in points[1:-1]:
        last = kept[-1]
        if abs(pt[0] - last[0]) + abs(pt[1] - last[1]) >= tolerance:
            kept.append(pt)
    kept.append(points[-1])
    return kept


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def polyline_path(points: list[Point], closed: bool) -> str:
    if len(points) < 2:
        return ""
    head = f"M{_fmt(points[0][0])} {_fmt(points[0][1])}"
    tail = "".join(f"L{_fmt(x)} {_fmt(y)}" for x, y in points[1:])
    return head + tail + ("Z" if closed else "")


def area_path(polygons: list[Polygon], proj: Projection, tolerance: float = 0.6) -> str:
    """SVG path data of one area (use fill-rule evenodd for holes)."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            pts = simplify([proj(*pt) for pt in ring], tolerance)
            if len(pts) >= 3:
                parts.append(polyline_path(pts, closed=True))
    return "".join(parts)


def _key(pt: Point) -> tuple[float, float]:
    # Neighbouring polygons share vertices up to float noise of the source file.
    return (round(pt[0], 7), round(pt[1], 7))


def outline_path(
    geometries: dict[str, list[Polygon]],
    group_of: dict[str, str | None],
    proj: Projection,
    tolerance: float = 0.6,
) -> str:
    """Path data of the borders between different groups (ancestors) and of the outer border.

    An edge is internal when it occurs exactly twice and both polygons belong to the same group.
    Consecutive border edges of a ring are joined into one polyline to keep the SVG small.
    """
    owners: dict[frozenset, list[str | None]] = {}
    counts: Counter = Counter()
    for area_id, polygons in geometries.items():
        for polygon in polygons:
            for ring in polygon:
                for a, b in itertools.pairwise(ring):
                    edge = frozenset((_key(a), _key(b)))
                    if len(edge) == 2:
                        counts[edge] += 1
                        owners.setdefault(edge, []).append(group_of.get(area_id))

    def is_border(edge: frozenset) -> bool:
        groups = owners[edge]
        return counts[edge] != 2 or groups[0] != groups[1] or groups[0] is None

    parts: list[str] = []
    for polygons in geometries.values():
        for polygon in polygons:
            for ring in polygon:
                line: list[Point] = []
                for a, b in itertools.pairwise(ring):
                    edge = frozenset((_key(a), _key(b)))
                    if len(edge) == 2 and owners[edge] and is_border(edge):
                        if not line:
                            line = [proj(*a)]
                        line.append(proj(*b))
                        owners[edge] = []  # draw a shared border once
                    elif line:
                        parts.append(polyline_path(simplify(line, tolerance), closed=False))
                        line = []
                if line:
                    parts.append(polyline_path(simplify(line, tolerance), closed=False))
    return "".join(parts)
