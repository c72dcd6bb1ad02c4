"""publish.duckdb -> the atlas's data bundle (one JSON-able dict).

Read only from the published version: areas, their geometry, the catalogue and every
published indicator cell. The bundle is compact on purpose (it is embedded in index.html):
one value matrix per indicator and level, periods x areas, where a cell is

- a number: the published value (`-` is sent as the string "-", a published zero),
- a symbol string (`*`, `.`, `x`): no value, and why,
- `["/", lower, upper]`: known only within published bounds,
- null: no row for this area and period ("keine Daten").

Geometry: the finest areas' GeoJSON, projected once (the report's equirectangular fit),
merged per area of every coarser level with shapely and simplified to a fraction of a
pixel; SVG path data per area and level, and a label point per area (shapely's polylabel,
as the report's maps) for the proportional circles of counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from pipelines.report.context import level_title
from pipelines.report.formatting import SYMBOL_LEGEND, decimals_for_unit
from pipelines.report.geometry import Polygon, fit_projection, parse_geometry
from pipelines.report.maps import label_point, palette_for
from pipelines.report.reader import (
    Row,
    choose_periode,
    order_levels,
    select_areas,
    valid_on,
)
from pipelines.report.sheets import DATE_RULES, POLARITY, formula_text, source_text

MAP_WIDTH, MAP_HEIGHT = 640, 560
SIMPLIFY_PX = 0.3  # tolerance of the simplification, in pixels of the map's viewBox
COUNT_UNITS = {"anzahl", "personen", "fälle", "faelle"}  # drawn as circles, never as colours


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            f"where table_schema = 'main' and table_name = '{table}'"
        ).fetchall()
    }


def _num(value: Any, decimals: int) -> float | int | None:
    """A value rounded for the bundle: two more decimals than shown (class breaks stay
    stable), integers as integers (shorter JSON)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    rounded = round(float(value), decimals + 2)
    return int(rounded) if rounded == int(rounded) else rounded


def cell(row: Row, decimals: int) -> Any:
    """One published cell as the bundle encodes it (see the module docstring)."""
    symbol = (row.get("symbol") or "").strip() or None
    if symbol == "-":
        return "-"
    if symbol == "/":
        low, high = _num(row.get("untergrenze"), decimals), _num(row.get("obergrenze"), decimals)
        return ["/", low, high] if low is not None and high is not None else "/"
    if symbol:
        return symbol
    return _num(row.get("wert"), decimals)


def _ring_path(coords: Any) -> str:
    points = list(coords)[:-1]  # shapely repeats the first point at the end
    if len(points) < 3:
        return ""
    head = f"M{points[0][0]:.1f} {points[0][1]:.1f}"
    return head + "".join(f"L{x:.1f} {y:.1f}" for x, y in points[1:]) + "Z"


def svg_path(geometry: Any) -> str:
    """SVG path data of a shapely (Multi)Polygon, holes included (fill-rule evenodd)."""
    parts = []
    for poly in getattr(geometry, "geoms", [geometry]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        parts.append(_ring_path(poly.exterior.coords))
        parts.extend(_ring_path(ring.coords) for ring in poly.interiors)
    return "".join(p.replace(".0L", "L").replace(".0Z", "Z").replace(".0 ", " ") for p in parts)


def merged_shape(polygons: list[Polygon]) -> Any:
    """The union of projected polygons; a tiny mitred buffer closes float gaps between
    neighbours of the source file without rounding their corners."""
    from shapely import make_valid, union_all
    from shapely.geometry import Polygon as ShapelyPolygon

    parts = [make_valid(ShapelyPolygon(p[0], p[1:])) for p in polygons if p and len(p[0]) >= 3]
    grown = [p.buffer(0.05, join_style="mitre") for p in parts if not p.is_empty]
    merged = union_all(grown).buffer(-0.05, join_style="mitre")
    return merged.simplify(SIMPLIFY_PX, preserve_topology=True)


def _map(areas: dict[str, Any], levels: list[str]) -> dict[str, Any] | None:
    """Projected, merged and simplified paths and label points per level; None without any
    usable geometry (the atlas then shows profiles and series without a map)."""
    geometries = {gid: parse_geometry(a.geometry) for gid, a in areas.items() if a.geometry}
    geometries = {gid: g for gid, g in geometries.items() if g}
    projection = fit_projection(geometries.values(), MAP_WIDTH, MAP_HEIGHT)
    if projection is None:
        return None
    projected = {
        gid: [[[projection(*pt) for pt in ring] for ring in poly] for poly in polygons]
        for gid, polygons in geometries.items()
    }
    by_level: dict[str, dict[str, Any]] = {}
    for level in levels:
        groups: dict[str, list[Polygon]] = defaultdict(list)
        for gid, polygons in projected.items():
            target = _ancestor(gid, level, areas)
            if target:
                groups[target].extend(polygons)
        if len(groups) < 2:
            continue  # one area (the city) is no map
        paths, points = {}, {}
        for target, polygons in sorted(groups.items()):
            shape = merged_shape(polygons)
            if shape.is_empty:
                continue
            paths[target] = svg_path(shape)
            x, y = label_point(polygons)
            points[target] = [round(x, 1), round(y, 1)]
        by_level[level] = {"pfade": paths, "punkte": points}
    if not by_level:
        return None
    return {
        "breite": round(projection.width),
        "hoehe": round(projection.height),
        "ebenen": by_level,
    }


def _ancestor(gid: str, level: str, areas: dict[str, Any]) -> str | None:
    current, seen = areas.get(gid), set()
    while current is not None and current.gebiet_id not in seen:
        if current.ebene == level:
            return current.gebiet_id
        seen.add(current.gebiet_id)
        current = areas.get(current.parent_id) if current.parent_id else None
    return None


def _iso(value: Any) -> str:
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _catalogue_entry(row: Row, periods: list[str]) -> dict[str, Any]:
    einheit = str(row.get("einheit") or "")
    breaks = row.get("zeitreihenbrueche") or row.get("reihenbruch")
    return {
        "id": str(row["indikator_id"]),
        "name": str(row.get("bezeichnung") or row["indikator_id"]),
        "bereich": str(row.get("bereich") or ""),
        "einheit": einheit,
        "dezimalen": decimals_for_unit(einheit),
        "absolut": einheit.strip().lower() in COUNT_UNITS,
        "farben": palette_for(row.get("polaritaet")),
        "polaritaet": POLARITY.get(str(row.get("polaritaet") or "").lower(), ""),
        "definition": str(row.get("definition") or ""),
        "interpretation": str(row.get("interpretation") or ""),
        "formel": formula_text(row),
        "quelle": source_text(row.get("quelle")),
        "stichtage": DATE_RULES.get(str(row.get("stichtag_regel")), ""),
        "zeitreihenbrueche": str(breaks or ""),
        "perioden": periods,
    }


def build_bundle(publish_db: Path, report_href: str | None = None) -> dict[str, Any]:
    """Everything the atlas shows, from one published publish.duckdb (read-only)."""
    con = duckdb.connect(str(publish_db), read_only=True)
    try:
        present = _tables(con)
        area_rows = _fetch(con, "select * from gebiete") if "gebiete" in present else []
        catalogue: dict[str, Row] = {}
        if "indikatorkatalog" in present:
            order = (
                " order by reihenfolge, indikator_id"
                if "reihenfolge" in _columns(con, "indikatorkatalog")
                else " order by indikator_id"
            )
            for row in _fetch(con, f"select * from indikatorkatalog{order}"):
                catalogue[str(row["indikator_id"])] = row
        cells: list[Row] = []
        if "indikatoren" in present:
            cells = _fetch(
                con,
                "select indikator_id, gebiet_id, ebene, periode, wert, symbol, "
                "untergrenze, obergrenze, einheit from indikatoren "
                "order by indikator_id, periode, ebene, gebiet_id",
            )
    finally:
        con.close()

    periods_all = sorted({_iso(r["periode"]) for r in cells})
    default_period = choose_periode([date.fromisoformat(p) for p in periods_all])
    on = default_period or date.today()
    # today's layout: areas valid on the default date (older layouts are not mapped)
    areas = select_areas([r for r in area_rows if valid_on(r, on)] or area_rows, on)
    levels = order_levels(areas, cells)
    # the areas of each level: those of today's layout (the map's), in key order
    level_areas = {lv: sorted(gid for gid, a in areas.items() if a.ebene == lv) for lv in levels}
    index = {lv: {gid: i for i, gid in enumerate(ids)} for lv, ids in level_areas.items()}

    by_indicator: dict[str, list[Row]] = defaultdict(list)
    for row in cells:
        by_indicator[str(row["indikator_id"])].append(row)
    ordered = [i for i in catalogue if i in by_indicator] + sorted(
        i for i in by_indicator if i not in catalogue
    )
    indicators = []
    for ind in ordered:
        rows = by_indicator[ind]
        meta = catalogue.get(ind) or {
            "indikator_id": ind,
            "einheit": rows[0].get("einheit"),
        }
        periods = sorted({_iso(r["periode"]) for r in rows})
        p_index = {p: i for i, p in enumerate(periods)}
        entry = _catalogue_entry(meta, periods)
        decimals = entry["dezimalen"]
        values: dict[str, list[list[Any]]] = {
            lv: [[None] * len(level_areas[lv]) for _ in periods] for lv in levels
        }
        for row in rows:
            lv, gid = str(row["ebene"]), str(row["gebiet_id"])
            col = index.get(lv, {}).get(gid)
            if col is None:
                continue  # an area of an older layout: not on today's map
            values[lv][p_index[_iso(row["periode"])]][col] = cell(row, decimals)
        entry["werte"] = {lv: m for lv, m in values.items() if any(any(r) for r in m)}
        indicators.append(entry)

    city = next(
        (areas[ids[0]] for lv in levels if len(ids := level_areas[lv]) == 1),
        None,
    )
    return {
        "stadt": city.name if city else "Stadt",
        "stadt_id": city.gebiet_id if city else None,
        "standard_periode": default_period.isoformat() if default_period else None,
        "bericht": report_href,
        "ebenen": [
            {"id": lv, "name": level_title(lv), "gebiete": level_areas[lv]} for lv in levels
        ],
        "gebiete": {
            gid: {"name": a.name, "ebene": a.ebene, "eltern": a.parent_id}
            for gid, a in sorted(areas.items())
            if a.ebene in level_areas
        },
        "karte": _map(areas, levels),
        "indikatoren": indicators,
        "zeichen": SYMBOL_LEGEND,
    }
