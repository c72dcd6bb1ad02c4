"""Assembling the oracle: landing folder -> expected `marts.indikatoren` rows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from tests.oracle import counts as c
from tests.oracle.indicators import CATALOGUE, indicator_rows, level_cells, with_dynamics
from tests.oracle.read import Defects, load_manifest
from tests.oracle.reference import Areas, closure, crosswalk, read_areas, read_directory


@dataclass
class Oracle:
    manifest: dict
    areas: Areas
    finest: pl.DataFrame  # finest count cells as delivered
    basis: pl.DataFrame  # counts on every level, as delivered and recast
    indikatoren: pl.DataFrame  # expected marts.indikatoren rows
    problems: list = field(default_factory=list)  # landing rows that fit nowhere
    seconds: dict[str, float] = field(default_factory=dict)


def _crossed(landing: Path, areas: Areas, layout) -> set[str]:
    """Areas (of either layout) whose boundary the recast from `layout` crosses: an old
    finest area inside maps to a finest area outside, or one outside maps inside."""
    walk = crosswalk(landing, areas, layout)
    old = closure(areas, layout).select("feinst_id", "gebiet_id")
    new = closure(areas, areas.today).select("feinst_id", "gebiet_id")
    inside_old = walk.join(old, left_on="herkunft_id", right_on="feinst_id").select(
        "herkunft_id", pl.col("gebiet_id_right").alias("a"), pl.col("gebiet_id").alias("ziel")
    )
    inside_new = walk.join(new, left_on="gebiet_id", right_on="feinst_id").select(
        "herkunft_id", pl.col("gebiet_id_right").alias("a"), pl.col("gebiet_id").alias("ziel")
    )
    # one side only: the pair (share, area) occurs in exactly one of the two
    both = pl.concat([inside_old, inside_new]).group_by("herkunft_id", "ziel", "a").len()
    return set(both.filter(pl.col("len") == 1)["a"].to_list())


def stars_bounded_by_totals(s2: pl.DataFrame, totals: list, areas: Areas) -> pl.DataFrame:
    """A BA `*` below a total row may be a secondary suppression (more than 2): its upper
    bound is what the tightest total above it leaves, total - known parts - 1 per other
    `*` (docs/decisions.md, "BA total rows")."""
    if not totals:
        return s2
    t = pl.concat(totals).rename({"gebiet_id": "summe_id", "wert": "_total"})
    layout_of = {p: areas.layout_of(p) for p in t["periode"].unique().to_list()}
    enclosing = {  # one closure per layout, not per period
        lay: closure(areas, lay).filter(pl.col("feinst_id") != pl.col("gebiet_id"))
        for lay in set(layout_of.values())
    }
    pairs = []
    for p, lay in layout_of.items():
        cl = enclosing[lay]
        pairs.append(
            cl.select(
                pl.lit(p).alias("periode"),
                pl.col("gebiet_id").alias("summe_id"),
                pl.col("feinst_id").alias("gebiet_id"),
            )
        )
    under = t.join(pl.concat(pairs), on=["periode", "summe_id"]).join(
        s2.select("periode", "gebiet_id", "merkmal", "wert", "symbol"),
        on=["periode", "gebiet_id", "merkmal"],
    )
    room = under.group_by("periode", "summe_id", "merkmal").agg(
        (
            pl.col("_total").first()
            - pl.col("wert").filter(pl.col("symbol").is_null()).sum()
            - ((pl.col("symbol") == "*").sum() - 1)
        ).alias("_room")
    )
    star_hi = (
        under.join(room, on=["periode", "summe_id", "merkmal"])
        .group_by("periode", "gebiet_id", "merkmal")
        .agg(pl.col("_room").min().cast(pl.Float64))
    )
    return (
        s2.join(star_hi, on=["periode", "gebiet_id", "merkmal"], how="left")
        .with_columns(
            pl.when((pl.col("symbol") == "*") & pl.col("_room").is_not_null())
            .then(pl.col("_room"))
            .otherwise(pl.col("hi"))
            .alias("hi")
        )
        .drop("_room")
    )


def with_total_rows(basis: pl.DataFrame, totals: list, areas: Areas, landing: Path) -> pl.DataFrame:
    """A coarser area's own row in the BA table makes its count exact: on the layout the
    table was delivered on, and on today's areas where the recast leaves its boundary."""
    if not totals:
        return basis
    t = pl.concat(totals).rename({"wert": "_total"})
    layout_of = {p: areas.layout_of(p) for p in t["periode"].unique().to_list()}
    crossed = {lay: _crossed(landing, areas, lay) for lay in set(layout_of.values())}
    delivered = t.with_columns(
        pl.col("periode").replace_strict(layout_of, return_dtype=pl.Date).alias("gebietsstand")
    )
    recast = [
        t.filter(
            (pl.col("periode") == p) & ~pl.col("gebiet_id").is_in(list(crossed[lay]))
        ).with_columns(pl.lit(areas.today).alias("gebietsstand"))
        for p, lay in layout_of.items()
        if lay != areas.today
    ]
    t = pl.concat([delivered, *recast])
    b = basis.join(t, on=["periode", "gebiet_id", "merkmal", "gebietsstand"], how="left")
    # only where the parts' bounds allow it (a `*` may hide more than 2 at the source)
    has = pl.col("_total").is_not_null() & pl.col("_total").is_between(pl.col("lo"), pl.col("hi"))
    return b.with_columns(
        pl.when(has).then(pl.col("_total")).otherwise(pl.col("wert")).alias("wert"),
        pl.when(has).then(None).otherwise(pl.col("symbol")).alias("symbol"),
        pl.when(has).then(pl.col("_total")).otherwise(pl.col("lo")).alias("lo"),
        pl.when(has).then(pl.col("_total")).otherwise(pl.col("hi")).alias("hi"),
    ).drop("_total")


def build_oracle(landing: Path) -> Oracle:
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        seconds[name] = round(now - t0, 3)
        t0 = now

    manifest = load_manifest(landing)
    defects = Defects.from_manifest(manifest)
    problems: list = []
    areas = read_areas(landing)
    directory = read_directory(landing)
    lap("referenz")
    ew = c.einwohner_counts(landing, areas, defects, problems)
    bw = c.bewegungen_counts(landing, areas, defects, problems)
    lap("einwohner+bewegungen")
    totals: list = []
    s2 = stars_bounded_by_totals(
        c.sgb2_counts(landing, areas, defects, problems, totals), totals, areas
    )
    lap("sgb2")
    persons, p12 = c.sgb12_persons(landing, areas, directory, defects, problems)
    s12 = c.sgb12_counts(persons, p12, areas, problems)
    lap("sgb12")
    cases, p8 = c.sgb8_cases(landing, areas, directory, defects, problems)
    s8 = c.sgb8_counts(cases, p8, areas, problems)
    lap("sgb8")
    tr = c.transfer_counts(s2, s12)
    finest = pl.concat([ew, bw, s2, s12, s8, tr], how="vertical_relaxed")
    basis = with_total_rows(level_cells(finest, areas, landing), totals, areas, landing)
    lap("summen+umrechnung")
    rows = pl.concat([indicator_rows(ind, basis) for ind in CATALOGUE], how="vertical_relaxed")
    rows = with_dynamics(rows)
    lap("indikatoren")
    return Oracle(manifest, areas, finest, basis, rows, problems, seconds)
