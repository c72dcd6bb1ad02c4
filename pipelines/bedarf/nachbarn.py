"""Supply from neighbouring areas: how much of a neighbour's surplus may count towards a deficit.

Per facility type the city config sets `nachbarn_anteil` (0..1, default 0 = no neighbour
supply). On the type's planning level two areas are neighbours when they share a border of
positive length in the delivered geometry (`gebiete_geometrie`, finest areas; a coarser
area is the union of its finest areas). Without geometry there are no neighbours.

The rule, per type, year and variant, on the planning level only:

- an area with a surplus `s > 0` (`platzsaldo`) offers `nachbarn_anteil × s` places to its
  neighbours with a deficit, shared in proportion to their deficits;
- an area with a deficit `d > 0` takes what its neighbours offer it, at most `d`
  (`plaetze_nachbarn`); `platzsaldo_mit_nachbarn = platzsaldo + plaetze_nachbarn`;
- an area that lends places has `plaetze_nachbarn` = minus what its neighbours take, so the
  places of the level add up as before (sum of `platzsaldo_mit_nachbarn` = sum of
  `platzsaldo`).

Coarser levels carry no neighbour columns: above the planning level gaps and surpluses of
neighbouring areas net out already.
"""

from __future__ import annotations

import json
from collections import defaultdict

import polars as pl

PAIR_SCHEMA = {"gebiet_id": pl.String, "nachbar_id": pl.String}


def neighbours(gebiete: pl.DataFrame) -> pl.DataFrame:
    """(gebiet_id, nachbar_id), both directions, for every level of today's layout: areas of
    the same level whose geometries share a border of positive length. Empty without
    geometry (column `geometrie_geojson` of marts.gebiete)."""
    if "geometrie_geojson" not in gebiete.columns:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    from shapely.geometry import shape
    from shapely.ops import unary_union

    today = gebiete.filter(pl.col("ist_aktuell")) if "ist_aktuell" in gebiete.columns else gebiete
    shapes = {}
    for gid, text in (
        today.filter(pl.col("ist_feinste_ebene") & pl.col("geometrie_geojson").is_not_null())
        .select("gebiet_id", "geometrie_geojson")
        .iter_rows()
    ):
        try:
            obj = json.loads(text)
            geom = shape(obj.get("geometry") if obj.get("type") == "Feature" else obj)
        except (TypeError, ValueError, AttributeError, KeyError):
            continue
        if not geom.is_valid:
            geom = geom.buffer(0)
        if not geom.is_empty:
            shapes[gid] = geom
    if len(shapes) < 2:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    xs = [b for g in shapes.values() for b in (g.bounds[0], g.bounds[2])]
    ys = [b for g in shapes.values() for b in (g.bounds[1], g.bounds[3])]
    tol = max(max(xs) - min(xs), max(ys) - min(ys)) * 1e-7
    # every finest area with itself and its ancestors
    members: dict[str, list[str]] = defaultdict(list)
    levels: dict[str, str] = dict(today.select("gebiet_id", "ebene").rows())
    for gid, pfad in today.filter(pl.col("ist_feinste_ebene")).select("gebiet_id", "pfad").rows():
        if gid not in shapes:
            continue
        for area in (pfad or gid).split("/"):
            members[area].append(gid)
    pairs = []
    by_level: dict[str, list[str]] = defaultdict(list)
    for area in sorted(members):
        by_level[levels.get(area, "")].append(area)
    for areas in by_level.values():
        geoms = {a: unary_union([shapes[g] for g in members[a]]) for a in areas}
        for i, a in enumerate(areas):
            grown = geoms[a].buffer(tol)
            for b in areas[i + 1 :]:
                if not grown.intersects(geoms[b]):
                    continue
                shared = geoms[b].boundary.intersection(grown).length
                if shared > 10 * tol:
                    pairs += [(a, b), (b, a)]
    return pl.DataFrame(pairs, schema=PAIR_SCHEMA, orient="row").sort("gebiet_id", "nachbar_id")


def supply(
    saldo: dict[str, float | None], pairs: list[tuple[str, str]], anteil: float
) -> dict[str, float | None]:
    """`plaetze_nachbarn` of each area from the Platzsaldo of the areas of one level (type,
    year, variant). An area's figure depends on the saldo of areas up to three borders away
    (its lenders, their other takers, the lenders of those); where one of them is unknown
    (null: withheld) the figure is None, so it is a function of known saldi only."""
    near: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        if a in saldo and b in saldo and a != b:
            near[a].add(b)
    unknown = {a for a, s in saldo.items() if s is None}
    for _ in range(3):
        unknown |= {b for a in unknown for b in near[a]}
    if anteil <= 0:
        return {a: (None if saldo[a] is None else 0.0) for a in saldo}
    known = {a: s for a, s in saldo.items() if s is not None}
    taken: dict[tuple[str, str], float] = {}
    for n, s in sorted(known.items()):
        if s <= 0:
            continue
        takers = [m for m in sorted(near[n]) if m in known and known[m] < 0]
        need = sum(-known[m] for m in takers)
        for m in takers:
            taken[(n, m)] = anteil * s * (-known[m]) / need
    offered: dict[str, float] = defaultdict(float)
    for (_n, m), v in taken.items():
        offered[m] += v
    out = {a: 0.0 for a in saldo}
    for (n, m), v in sorted(taken.items()):
        got = v * min(1.0, -known[m] / offered[m])
        out[m] += got
        out[n] -= got
    return {a: (None if a in unknown else v) for a, v in out.items()}


def add_columns(rows: pl.DataFrame, pairs: pl.DataFrame, anteile: dict[str, float]) -> pl.DataFrame:
    """`plaetze_nachbarn` and `platzsaldo_mit_nachbarn` for the planning-level rows of
    `rows` (marts.bedarfsplanung or its published form; a null `platzsaldo` is unknown);
    coarser rows get nulls."""
    pair_list = list(pairs.select("gebiet_id", "nachbar_id").iter_rows())
    keys = ["art", "jahr", "variante"]
    values: dict[tuple, float | None] = {}
    level = rows.filter(pl.col("ist_planungsebene"))
    for (art, jahr, variante), part in level.partition_by(keys, as_dict=True).items():
        saldo = dict(part.select("gebiet_id", "platzsaldo").iter_rows())
        for g, v in supply(saldo, pair_list, float(anteile.get(art, 0) or 0)).items():
            values[(art, jahr, variante, g)] = v
    extra = pl.DataFrame(
        [(*k, v) for k, v in values.items()],
        schema={
            "art": pl.String,
            "jahr": pl.Int32,
            "variante": pl.String,
            "gebiet_id": pl.String,
            "plaetze_nachbarn": pl.Float64,
        },
        orient="row",
    )
    out = rows.drop("plaetze_nachbarn", "platzsaldo_mit_nachbarn", strict=False).join(
        extra.cast({"jahr": rows.schema["jahr"]}),
        on=[*keys, "gebiet_id"],
        how="left",
    )
    return out.with_columns(
        pl.when(pl.col("ist_planungsebene"))
        .then(pl.col("plaetze_nachbarn"))
        .alias("plaetze_nachbarn")
    ).with_columns(
        (pl.col("platzsaldo") + pl.col("plaetze_nachbarn")).alias("platzsaldo_mit_nachbarn")
    )
