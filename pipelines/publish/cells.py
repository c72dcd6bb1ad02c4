"""From the unsuppressed marts to disclosure-controlled published tables (pure polars)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import polars as pl

from pipelines.config import count_parameters, merkmale
from pipelines.disclosure import DisclosureConfig, DisclosureResult, Identity, recast
from pipelines.disclosure.model import load_hierarchy
from pipelines.disclosure.outputs import status_values
from pipelines.publish.systems import solve_systems
from pipelines.publish.tables import MISSING_SYMBOL, TABLES

# money (einheit EUR in seeds/merkmale_seed.csv): no cell of its own, published exactly
# where the case count it belongs to is
NOT_COUNTS = merkmale.money()
# balances (in minus out): cells of the system like counts, but signed (|1|, |2| withheld)
SIGNED = merkmale.signed()
# identities of the data model declared by hand (the einwohner counts are age ranges: their
# identities follow from the ranges, `age_identities`)
IDENTITIES = {"sgb2": ["rlb = elb + nef"]}
# the einwohner counts are age ranges (dbt_project/macros/merkmale.sql, `count_ages`) under
# the city's count parameters. Every way one range is the disjoint union of others is an
# identity (`age_identities`): ew = ew_u65 + ew_65plus, ew_u65 = ew_u15 + ew_15_64, ... A
# Bedarfsplanung band that is no einwohner count joins the same system as a cell
# `ew_a<von>_<bis>` (pipelines/publish/planung.py), with the identities it is part of
# (0-2 + 3-5 + 6-9 + 10-17 = ew_u18). The system and both attackers get the same list
# (`identities_for`).
AGE_TABLE = "einwohner"
# one row of audit.geheimhaltung as the publish code builds it (dated periods)
LOG_SCHEMA = {
    "tabelle": pl.String,
    "merkmal": pl.String,
    "periode": pl.Date,
    "gebiet_id": pl.String,
    "regel": pl.String,
    "ausgeloest_durch": pl.String,
}
OPEN_AGE = 100  # "100 = 100 and older" (data_contracts/einwohner.yaml)
BAND_CELL = re.compile(r"ew_a(\d+)_(\d+)")
SUPPRESSED = ("*", ".", "x", "/")


def hierarchy(gebiete: pl.DataFrame) -> pl.DataFrame:
    """Today's layout (the published one)."""
    return gebiete.filter(pl.col("ist_aktuell")).select(
        "gebiet_id", "parent_id", "ebene", "ebene_rang"
    )


def hierarchy_at(gebiete: pl.DataFrame, gebietsstand) -> pl.DataFrame:
    """The layout valid on date `gebietsstand` (an older one, for recast periods)."""
    return gebiete.filter(
        (pl.col("gueltig_ab") <= gebietsstand)
        & (pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= gebietsstand))
    ).select("gebiet_id", "parent_id", "ebene", "ebene_rang")


def count_cells(basiszahlen: pl.DataFrame, tree: pl.DataFrame) -> pl.DataFrame:
    """Finest-level count cells of today's layout, one per (tabelle, merkmal, periode, leaf).

    Recast periods hold estimates (old counts times population shares); they are rounded
    to whole persons here. Leaves without a row for a measure and period had no case.
    """
    return _leaf_cells(basiszahlen.filter(pl.col("aktueller_gebietsstand")), tree)


# tables whose deliveries may carry exact values for coarser areas (the BA's total row)
TOTAL_ROW_TABLES = ("sgb2",)


def _total_cells(b: pl.DataFrame, leaves: pl.DataFrame) -> pl.DataFrame:
    """Coarser cells known exactly from the delivery itself (the BA's row for the
    municipality): given to the system as true values, so it protects the withheld cells
    below them against the subtraction they allow."""
    return b.filter(
        pl.col("quelle").is_in(list(TOTAL_ROW_TABLES))
        & ~pl.col("gebiet_id").is_in(leaves["gebiet_id"].implode())
        & pl.col("quell_symbol").is_null()
        & pl.col("wert").is_not_null()
        & ~pl.col("umgerechnet")
    ).select(
        pl.col("quelle").alias("tabelle"),
        "merkmal",
        "periode",
        "gebiet_id",
        pl.col("wert").round(0).cast(pl.Int64).alias("wert"),
        pl.col("quell_symbol"),
    )


def _leaf_cells(b: pl.DataFrame, tree: pl.DataFrame) -> pl.DataFrame:
    leaves = tree.join(
        tree.select(pl.col("parent_id").alias("gebiet_id")).unique(), on="gebiet_id", how="anti"
    )
    totals = _total_cells(b, leaves)
    b = b.filter(
        ~pl.col("merkmal").is_in(list(NOT_COUNTS))
        & pl.col("gebiet_id").is_in(leaves["gebiet_id"].implode())
    )
    b = b.select(
        pl.col("quelle").alias("tabelle"),
        "merkmal",
        "periode",
        "gebiet_id",
        pl.when(pl.col("quell_symbol").is_in(["*", ".", "x"]))
        .then(None)
        .otherwise(pl.col("wert").round(0))
        .cast(pl.Int64)
        .alias("wert"),
        pl.col("quell_symbol"),
        pl.col("umgerechnet"),
        # a source `*` with its own bounds (basiszahlen: from the BA's total row above it)
        *[
            pl.when((pl.col("quell_symbol") == "*") & ~pl.col("umgerechnet"))
            .then(pl.col(c))
            .otherwise(None)
            .alias(f"quell_{c}")
            for c in ("untergrenze", "obergrenze")
        ],
    )
    grid = (
        b.select("tabelle", "merkmal", "periode")
        .unique()
        .join(leaves.select("gebiet_id"), how="cross")
    )
    out = grid.join(b, on=["tabelle", "merkmal", "periode", "gebiet_id"], how="left").with_columns(
        pl.when(pl.col("wert").is_null() & pl.col("quell_symbol").is_null())
        .then(0)
        .otherwise(pl.col("wert"))
        .alias("wert"),
        pl.col("umgerechnet").fill_null(False),
    )
    return pl.concat(
        [_restore_identities(out).drop("umgerechnet"), totals], how="diagonal_relaxed"
    ).sort("tabelle", "merkmal", "periode", "gebiet_id")


TODAY = "heute"


def layout_cells(
    basiszahlen: pl.DataFrame, gebiete: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Count cells of every system on the layout its period was delivered on.

    Periods of today's layout: today's finest areas. Periods of an older layout: that
    layout's finest areas with the delivered (whole) counts, not the recast estimates:
    those are what must be protected. Column `gebietsstand` names the layout
    (`heute` or the old layout's date as text); the second value maps it to its hierarchy.
    """
    today = hierarchy(gebiete)
    old = basiszahlen.filter(~pl.col("aktueller_gebietsstand"))
    old_periods = old["periode"].unique().implode()
    parts = [
        _leaf_cells(
            basiszahlen.filter(
                pl.col("aktueller_gebietsstand") & ~pl.col("periode").is_in(old_periods)
            ),
            today,
        ).with_columns(pl.lit(TODAY).alias("gebietsstand"))
    ]
    trees = {TODAY: today}
    for (stand,), rows in sorted(old.partition_by("gebietsstand", as_dict=True).items()):
        tree = hierarchy_at(gebiete, stand)
        trees[str(stand)] = tree
        parts.append(_leaf_cells(rows, tree).with_columns(pl.lit(str(stand)).alias("gebietsstand")))
    cells = pl.concat(parts).sort("tabelle", "merkmal", "periode", "gebiet_id")
    return cells, trees


def _restore_identities(cells: pl.DataFrame) -> pl.DataFrame:
    """Rounded recast estimates: make each declared total the sum of its rounded parts."""
    for ident in identities_for(cells):
        parts = (
            cells.filter(
                (pl.col("tabelle") == ident.tabelle) & pl.col("merkmal").is_in(list(ident.teile))
            )
            .group_by("periode", "gebiet_id")
            .agg(pl.col("wert").sum().alias("_sum"), pl.col("wert").null_count().alias("_nulls"))
        )
        cells = (
            cells.join(parts, on=["periode", "gebiet_id"], how="left")
            .with_columns(
                pl.when(
                    (pl.col("tabelle") == ident.tabelle)
                    & (pl.col("merkmal") == ident.summe)
                    & pl.col("umgerechnet")
                    & (pl.col("_nulls") == 0)
                )
                .then(pl.col("_sum"))
                .otherwise(pl.col("wert"))
                .alias("wert")
            )
            .drop("_sum", "_nulls")
        )
    return cells


def count_ages(parameters: dict | None = None) -> dict[str, tuple[int, int]]:
    """The age range (from, to, both included; 100 = 100 and older) of every einwohner count,
    under the city's count parameters (the conditions of dbt_project/macros/merkmale.sql)."""
    p = {**count_parameters(), **(parameters or {})}
    return {
        "ew": (0, OPEN_AGE),
        "ew_u18": (0, int(p["alter_minderjaehrig_bis"])),
        "ew_u15": (0, int(p["alter_kinder_bis"])),
        "ew_15_64": (int(p["alter_erwerb_ab"]), int(p["sgb2_hoechstalter"])),
        "ew_18_64": (int(p["alter_minderjaehrig_bis"]) + 1, int(p["sgb2_hoechstalter"])),
        "ew_u65": (0, int(p["sgb2_hoechstalter"])),
        "ew_65plus": (int(p["alter_senioren_ab"]), OPEN_AGE),
        "ew_u21": (0, int(p["alter_jung_bis"])),
    }


def band_cell(alter_von: int, alter_bis: int, parameters: dict | None = None) -> str:
    """The merkmal of the persons aged alter_von..alter_bis in the einwohner system: the
    einwohner count of exactly that range, else `ew_a<von>_<bis>`."""
    for merkmal, ages in count_ages(parameters).items():
        if ages == (int(alter_von), int(alter_bis)):
            return merkmal
    return f"ew_a{int(alter_von)}_{int(alter_bis)}"


def ages_of(merkmale, parameters: dict | None = None) -> dict[str, tuple[int, int]]:
    """The age range of every merkmal given that is one (einwohner counts, band cells)."""
    known = count_ages(parameters)
    out = {}
    for m in merkmale:
        if m in known:
            out[m] = known[m]
        elif match := BAND_CELL.fullmatch(m):
            out[m] = (int(match.group(1)), int(match.group(2)))
    return out


def _partitions(lo: int, hi: int, parts: list[tuple[str, int, int]], chosen: tuple = ()):
    """Every sequence of `parts` (name, from, to) that covers lo..hi without gap or overlap."""
    if lo == hi + 1:
        yield chosen
        return
    for m, a, b in parts:
        if a == lo and b <= hi:
            yield from _partitions(b + 1, hi, parts, (*chosen, m))


def age_identities(ages: dict[str, tuple[int, int]], tabelle: str = AGE_TABLE) -> list[Identity]:
    """Every way one age range is exactly the disjoint union of others (two or more), and
    every pair of names for the same range (a one-part identity), in a fixed order.

    Among einwohner counts alone the wider range is withheld first when one more cell must
    go (`Identity.prefer_total`): `ew` before `ew_u65`, whose parts are the denominators of
    the headline rates; identities with a band cell keep the rule of parts first (a band
    before `ew_u18`)."""
    items = sorted(ages.items(), key=lambda kv: (kv[1], kv[0]))
    out: list[Identity] = []

    def ident(total: str, parts: tuple[str, ...]) -> Identity:
        no_band = not any(BAND_CELL.fullmatch(m) for m in (total, *parts))
        return Identity(tabelle, total, parts, prefer_total=no_band)

    for total, (lo, hi) in items:
        same = [m for m, r in items if r == (lo, hi) and m != total]
        out += [ident(total, (m,)) for m in same if m > total]
        parts = [(m, a, b) for m, (a, b) in items if lo <= a and b <= hi and (a, b) != (lo, hi)]
        out += [ident(total, p) for p in _partitions(lo, hi, parts) if len(p) > 1]
    return out


def identities_for(cells: pl.DataFrame, parameters: dict | None = None) -> list[Identity]:
    """The identities among the counts present under the city's count parameters (config
    `indikatoren`; None: the defaults): the declared ones (`IDENTITIES`) and every one the
    age ranges of the einwohner counts and Bedarfsplanung bands imply (`age_identities`)."""
    params = {**count_parameters(), **(parameters or {})}
    present = {(t, m) for t, m in cells.select("tabelle", "merkmal").unique().iter_rows()}
    out = []
    for tabelle, texts in IDENTITIES.items():
        for text in texts:
            ident = Identity.parse(tabelle, text)
            if all((tabelle, m) in present for m in (ident.summe, *ident.teile)):
                out.append(ident)
    ages = ages_of(sorted(m for t, m in present if t == AGE_TABLE), params)
    return out + age_identities(ages)


def band_identities(ages: dict[str, tuple[int, int]]) -> list[Identity]:
    """The age identities with a band cell (`ew_a...`) and at most one einwohner count."""
    out = []
    for ident in age_identities(ages):
        names = (ident.summe, *ident.teile)
        bands = sum(1 for m in names if BAND_CELL.fullmatch(m))
        if bands and len(names) - bands <= 1:
            out.append(ident)
    return out


def with_signed(cfg: DisclosureConfig) -> DisclosureConfig:
    """The city's thresholds plus the balances of the data model."""
    return dataclasses.replace(cfg, vorzeichen=tuple(sorted({*cfg.vorzeichen, *SIGNED})))


def disclose_counts(
    basiszahlen: pl.DataFrame,
    gebiete: pl.DataFrame,
    cfg: DisclosureConfig,
    cache_dir: Path | None = None,
    workers: int | None = None,
    stats: dict | None = None,
    crosswalk: pl.DataFrame | None = None,
    parameters: dict | None = None,
    extra_cells: pl.DataFrame | None = None,
) -> DisclosureResult:
    """Disclosure control per (table, period): see `pipelines.publish.systems`.

    `extra_cells`: more cells of today's layout for systems that exist (the Bedarfsplanung
    bands, `planung.demand_cells`), solved with the counts of the same table and period;
    cells for a system that is not there (a period on an older layout) are left out.

    `parameters`: the city's count parameters (config `indikatoren`), which decide the
    identities among the counts (`identities_for`).

    `crosswalk` (intermediate.int_gebiete_umschluessel): old finest areas to today's with
    their shares; recast periods are solved on their own layout and shown through it.

    `cache_dir` keeps each system's result for the next run (None: solve everything);
    `workers` processes solve in parallel (None: one per usable core); `stats`, if given,
    receives how many systems were solved and how many came from the cache.
    """
    cells, trees = layout_cells(basiszahlen, gebiete)
    if extra_cells is not None and not extra_cells.is_empty():
        systems = cells.filter(pl.col("gebietsstand") == TODAY).select("tabelle", "periode")
        extra = extra_cells.with_columns(
            pl.col("periode").cast(cells.schema["periode"]), pl.lit(TODAY).alias("gebietsstand")
        ).join(systems.unique(), on=["tabelle", "periode"], how="semi")
        # columns the extra cells do not have (a source `*`'s bounds) are empty for them
        extra = extra.with_columns(
            pl.lit(None, dtype).alias(c)
            for c, dtype in cells.schema.items()
            if c not in extra.columns
        )
        cells = pl.concat([cells, extra.select(cells.columns).cast(cells.schema)]).sort(
            "tabelle", "merkmal", "periode", "gebiet_id"
        )
    cfg = with_signed(cfg)
    identities = identities_for(cells, parameters)
    result, counts = solve_systems(cells, trees, identities, cfg, cache_dir, workers)
    if stats is not None:
        stats.update(counts)
    layout_of = cells.select("tabelle", "periode", "gebietsstand").unique()
    solved = result.cells.join(layout_of, on=["tabelle", "periode"], how="left")
    shown, log = _recast_to_today(solved, result.log, basiszahlen, crosswalk, trees)
    return DisclosureResult(shown, log, solved, trees)


def _recast_to_today(
    solved: pl.DataFrame,
    log: pl.DataFrame,
    basiszahlen: pl.DataFrame,
    crosswalk: pl.DataFrame | None,
    trees: dict[str, pl.DataFrame],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cells of recast periods on today's layout: exact where every old cell they are
    made of is published (`pipelines.disclosure.recast`), else withheld like the worst
    of those (`*` before `.` before `/`); log rule `umgerechnet`."""
    today_cells = solved.filter(pl.col("gebietsstand") == TODAY).drop("gebietsstand")
    old_cells = solved.filter(pl.col("gebietsstand") != TODAY)
    if old_cells.is_empty():
        return today_cells, log
    today = load_hierarchy(trees[TODAY])
    keys = ["tabelle", "merkmal", "periode"]
    # today's value of each recast cell (the marts' share-weighted sums), 0 where none
    values = basiszahlen.filter(pl.col("aktueller_gebietsstand")).select(
        pl.col("quelle").alias("tabelle"),
        "merkmal",
        pl.col("periode").cast(old_cells.schema["periode"]),
        "gebiet_id",
        pl.col("wert").alias("_wert"),
        pl.col("untergrenze").alias("_lo"),
        pl.col("obergrenze").alias("_hi"),
    )
    areas = pl.DataFrame(
        {"gebiet_id": today.areas, "_ebene": [today.ebene[a] for a in today.areas]},
        schema={"gebiet_id": pl.String, "_ebene": today_cells.dtypes[4]},
    )
    shown_parts, log_parts = [], []
    for (stand,), part in sorted(old_cells.partition_by("gebietsstand", as_dict=True).items()):
        old = load_hierarchy(trees[stand])
        cw = (
            []
            if crosswalk is None
            else crosswalk.filter(pl.col("gebietsstand").cast(pl.String) == stand)
            .select("herkunft_gebiet_id", "gebiet_id", "anteil")
            .rows()
        )
        w = recast.weights(today, cw)
        pairs = [
            (a, d, i) for a in today.areas for i, d in enumerate(recast.dependencies(w[a], old))
        ]
        deps = pl.DataFrame(
            pairs, schema={"gebiet_id": pl.String, "dep": pl.String, "_i": pl.Int64}, orient="row"
        )
        grid = part.select(keys).unique()
        # every withheld old cell a today's area is made of; an old cell that is not
        # there counts as withheld (`.`): looked for only in systems missing one
        made_of = (
            part.filter(pl.col("wert").is_null())
            .select(*keys, pl.col("gebiet_id").alias("dep"), "symbol")
            .join(deps, on="dep")
        )
        needed = deps.select("dep").unique()
        there = part.select(*keys, pl.col("gebiet_id").alias("dep")).join(needed, on="dep")
        short = there.group_by(keys).len().filter(pl.col("len") == needed.height).select(keys)
        short = grid.join(short, on=keys, how="anti")
        if not short.is_empty():
            absent = (
                short.join(deps, how="cross")
                .join(there, on=[*keys, "dep"], how="anti")
                .with_columns(pl.lit(".").alias("symbol"))
            )
            made_of = pl.concat([made_of, absent.select(made_of.columns)])
        hidden = made_of.sort(*keys, "gebiet_id", "_i").group_by(
            [*keys, "gebiet_id"], maintain_order=True
        ).agg(
            pl.concat_str(pl.col("merkmal"), pl.lit(":"), pl.col("dep")).str.join(",").alias(
                "_because"
            ),
            *(pl.col("symbol").eq(s).any().alias(f"_has{i}") for i, s in enumerate(SUPPRESSED)),
        )  # fmt: skip
        worst = pl.coalesce(
            pl.when(pl.col(f"_has{i}")).then(pl.lit(s)) for i, s in enumerate(SUPPRESSED)
        )
        cell = (
            grid.join(areas, how="cross")
            .join(hidden, on=[*keys, "gebiet_id"], how="left")
            .join(values, on=[*keys, "gebiet_id"], how="left")
            .with_columns(worst.alias("_worst"), pl.col("_because").is_not_null().alias("_hidden"))
        )
        bounded = (
            pl.col("_worst").eq("/") & pl.col("_lo").is_not_null() & pl.col("_hi").is_not_null()
        ).fill_null(False)
        symbol = (
            pl.when(~pl.col("_hidden"))
            .then(pl.when(pl.col("_wert").fill_null(0) == 0).then(pl.lit("-")))
            .when(bounded)
            .then(pl.lit("/"))
            .when(pl.col("_worst").eq("*"))
            .then(pl.lit("*"))
            .otherwise(pl.lit("."))
        )
        cell = cell.with_columns(
            # half to even like Python's round; + 0.0 turns a rounded -0.0 into 0.0
            pl.when(~pl.col("_hidden"))
            .then(pl.col("_wert").fill_null(0).round(0) + 0.0)
            .alias("wert"),
            symbol.alias("symbol"),
            pl.when(~pl.col("_hidden") | ~bounded).then(None).otherwise(pl.col("_lo").floor())
            .alias("untergrenze"),
            pl.when(~pl.col("_hidden") | ~bounded).then(None).otherwise(pl.col("_hi").ceil())
            .alias("obergrenze"),
        )  # fmt: skip
        # the columns of the solved cells and of the log, by position
        shown_cols = [*keys, "gebiet_id", "_ebene", "wert", "symbol", "untergrenze", "obergrenze"]
        shown_parts.append(
            cell.select(
                *(
                    pl.col(c).alias(n)
                    for c, n in zip(shown_cols, today_cells.columns, strict=False)
                ),
                (pl.col("symbol") == "/").fill_null(False).alias(today_cells.columns[-1]),
            ).cast(today_cells.schema)
        )
        log_cols = [
            *(pl.col(c) for c in (*keys, "gebiet_id")),
            pl.lit("umgerechnet"),
            pl.col("_because"),
        ]
        log_parts.append(
            cell.filter(pl.col("_hidden"))
            .select(c.alias(n) for c, n in zip(log_cols, log.columns, strict=True))
            .cast(log.schema)
        )
    order = ["tabelle", "merkmal", "periode", "gebiet_id"]
    # stable: a recast cell's log row follows the rows its own system wrote for it
    shown = pl.concat([today_cells, *shown_parts]).sort(order, maintain_order=True)
    log = pl.concat([log, *log_parts]).sort(order, maintain_order=True)
    return shown, log


def publish_indicators(
    indikatoren: pl.DataFrame, published_counts: pl.DataFrame, cfg: DisclosureConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Indicator rows of today's layout whose counts are public; everything else withheld.

    A rate is `.` below min_einwohner inhabitants, `*` when its numerator or denominator
    count is withheld, `/` (with bounds) when a count is only known within bounds.
    Returns (published rows, log rows for withheld rates).
    """
    pc = published_counts.select(
        "merkmal",
        "periode",
        "gebiet_id",
        pl.col("wert").alias("_pw"),
        pl.col("symbol").alias("_ps"),
    )
    ew_true = (
        indikatoren.filter((pl.col("indikator_id") == "ew") & pl.col("aktueller_gebietsstand"))
        .select(pl.col("periode").alias("_ew_periode"), "gebiet_id", pl.col("wert").alias("_ew"))
        .sort("_ew_periode")
    )
    ind = indikatoren.filter(pl.col("aktueller_gebietsstand"))
    z = pc.rename({"merkmal": "zaehler_merkmal", "_pw": "_zw", "_ps": "_zs"})
    n = pc.rename(
        {"merkmal": "nenner_merkmal", "periode": "nenner_stichtag", "_pw": "_nw", "_ps": "_ns"}
    )
    # inhabitants of the area on the latest population date up to the figure's date
    j = (
        ind.join(z, on=["zaehler_merkmal", "periode", "gebiet_id"], how="left")
        .join(n, on=["nenner_merkmal", "nenner_stichtag", "gebiet_id"], how="left")
        .with_columns(pl.col("periode").alias("_ew_periode"))
        .sort("_ew_periode")
        .join_asof(
            ew_true, on="_ew_periode", by="gebiet_id", strategy="backward", check_sortedness=False
        )
    )
    is_count = pl.col("nenner_merkmal").is_null()
    zaehler_is_money = pl.col("zaehler_merkmal").is_in(list(NOT_COUNTS))
    z_withheld = ~zaehler_is_money & pl.col("_zs").is_in(["*", "."])
    n_withheld = pl.col("_ns").is_in(["*", "."])
    uncertain = (pl.col("_zs") == "/") | (pl.col("_ns") == "/")
    small_area = ~is_count & (pl.col("_ew").is_null() | (pl.col("_ew") < cfg.min_einwohner))
    # unknown at the source in the mart (a quarantined row, a missing area) stays unknown,
    # even where the disclosure system, knowing a BA total row, bounds that area's count
    mart_unknown = pl.col("_mart_symbol") == "."
    symbol = (
        pl.when(mart_unknown)
        .then(pl.lit("."))
        .when(is_count & z_withheld)
        .then(pl.col("_zs"))
        .when(is_count & (pl.col("_zs") == "/"))
        .then(pl.lit("/"))
        .when(small_area)
        .then(pl.lit("."))
        .when(pl.col("symbol") == "x")
        .then(pl.lit("x"))
        .when((pl.col("_zs") == ".") & ~zaehler_is_money | (pl.col("_ns") == "."))
        .then(pl.lit("."))
        .when(z_withheld | n_withheld)
        .then(pl.lit("*"))
        .when(uncertain | (pl.col("symbol") == "/"))
        .then(pl.lit("/"))
        .when(pl.col("symbol").is_not_null())
        .then(pl.col("symbol"))
        .when(pl.col("zaehler") == 0)
        .then(pl.lit("-"))
        .otherwise(None)
        .alias("symbol")
    )
    rule = (
        pl.when(
            (pl.col("symbol") == ".")
            & (mart_unknown | (pl.col("_zs") == ".") | (pl.col("_ns") == "."))
        )
        .then(pl.lit("unbekannt_an_der_quelle"))
        .when((pl.col("symbol") == ".") & pl.col("_ew").is_null())
        .then(pl.lit("einwohner_fehlt"))
        .when(pl.col("symbol") == ".")
        .then(pl.lit("einwohner_unter_min"))
        .when(pl.col("symbol") == "*")
        .then(pl.lit("zaehler_oder_nenner_gesperrt"))
        .when(pl.col("symbol") == "/")
        .then(pl.lit("nur_grenzen"))
        .otherwise(None)
    )
    out = (
        j.with_columns(pl.col("symbol").alias("_mart_symbol"))
        .with_columns(symbol)
        .with_columns(
            [
                pl.when(pl.col("symbol").is_in(SUPPRESSED)).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("zaehler", "nenner", "wert")
            ]
            + [
                pl.when(pl.col("symbol") == "/").then(pl.col(c)).otherwise(None).alias(c)
                for c in ("untergrenze", "obergrenze")
            ]
        )
    )
    log = out.filter(rule.is_not_null()).select(
        pl.lit("indikatoren").alias("tabelle"),
        pl.col("indikator_id").alias("merkmal"),
        "periode",
        "gebiet_id",
        rule.alias("regel"),
        pl.lit(None, pl.String).alias("ausgeloest_durch"),
    )
    # A change is published only where both of its periods are: with the earlier value
    # withheld, value minus change would give it back.
    earlier = out.select(
        "indikator_id",
        "gebiet_id",
        pl.col("periode").alias("dynamik_vergleichsperiode"),
        pl.col("wert").alias("_wert_frueher"),
    )
    out = (
        out.join(earlier, on=["indikator_id", "gebiet_id", "dynamik_vergleichsperiode"], how="left")
        .with_columns(
            pl.when(pl.col("symbol").is_in(SUPPRESSED) | pl.col("_wert_frueher").is_null())
            .then(None)
            .otherwise(pl.col("dynamik"))
            .alias("dynamik")
        )
        .drop("_wert_frueher")
    )
    return out.select(TABLES["indikatoren"].column_names).sort(
        "indikator_id", "periode", "gebiet_id"
    ), log


def wide(published: pl.DataFrame) -> pl.DataFrame:
    """One row per area and period, one column per indicator (values only; symbols in the long table)."""
    ids = published["indikator_id"].unique().sort().to_list()
    w = published.pivot(
        on="indikator_id", index=["gebiet_id", "ebene", "ebene_rang", "periode"], values="wert",
        aggregate_function="first",
    )  # fmt: skip
    for i in ids:
        if i not in w.columns:
            w = w.with_columns(pl.lit(None, pl.Float64).alias(i))
    return w.select(["gebiet_id", "ebene", "ebene_rang", "periode", *ids]).sort(
        "periode", "ebene_rang", "gebiet_id"
    )


SOZIALINDEX_MEMO = "sozialindex_berechnet.pickle"


def publish_sozialindex(
    index: pl.DataFrame, published: pl.DataFrame, recipe, cache_dir: Path | None = None
) -> pl.DataFrame:
    """The index recomputed from the published shares and changes only.

    z-values give away the mean and spread of what was standardised: with one withheld
    share among them, mean times areas minus the published shares is that share. So a
    share (or change) that `indikatoren` withholds is left out before standardising, and
    its area takes no part in that index, with the reason saying why.

    `cache_dir`: each date's index is kept there under a digest of its masked rows, the
    recipe and the source of `pipelines.sozialindex` (one more month computes one date).
    """
    import pipelines.sozialindex as sozialindex_pkg
    from pipelines.disclosure.digest import digest, frame_bytes, rules_digest
    from pipelines.disclosure.reader import Memo

    memo = Memo(cache_dir, SOZIALINDEX_MEMO)
    code = rules_digest(*sorted(Path(sozialindex_pkg.__file__).parent.glob("*.py")))

    columns = [*recipe.status, *recipe.dynamik]
    pub = published.select(
        "indikator_id",
        "gebiet_id",
        "periode",
        pl.col("wert").alias("_w"),
        pl.col("dynamik").alias("_d"),
    )
    out = index
    for ind in recipe.status:
        ok = pub.filter(pl.col("indikator_id") == ind).select(
            "gebiet_id",
            "periode",
            pl.col("_w").alias(f"_ok_{ind}"),
            pl.col("_d").alias(f"_okd_{ind}"),
        )
        out = out.join(ok.unique(["gebiet_id", "periode"]), on=["gebiet_id", "periode"], how="left")
    hidden = {
        c: pl.col(c).is_not_null()
        & pl.col(
            f"_ok_{c}" if c in recipe.status else f"_okd_{c.removesuffix('_dynamik')}"
        ).is_null()
        for c in columns
        if c in out.columns
    }
    masked = out.with_columns(
        [pl.when(h).then(None).otherwise(pl.col(c)).alias(c) for c, h in hidden.items()]
        + [
            pl.concat_str(
                [pl.when(h).then(pl.lit(c)) for c, h in hidden.items()],
                separator=", ",
                ignore_nulls=True,
            ).alias("_geheim")
        ]
    )
    parts = []
    for (periode,), rows in sorted(masked.partition_by("periode", as_dict=True).items()):
        rows = rows.sort("gebiet_id")  # the index does not depend on the order: the key neither
        key = digest(code, repr(recipe), frame_bytes(rows))
        if key not in memo:
            memo.put(key, _index_of_date(rows, recipe))
        parts.append(memo.get(key).select(pl.lit(periode).alias("periode"), pl.all()))
    memo.save()
    if not parts:
        return index.sort("periode", "gebiet_id")
    result = pl.concat(parts, how="vertical_relaxed")
    return result.select(index.columns).cast(index.schema).sort("periode", "gebiet_id")


def _index_of_date(rows: pl.DataFrame, recipe) -> pl.DataFrame:
    """One date's index over its masked rows; a withheld value's reason says so."""
    from pipelines.sozialindex import compute_index
    from pipelines.sozialindex.compute import GRUND_WERT_FEHLT

    again = compute_index(rows, recipe)
    secret = rows.select("gebiet_id", "_geheim")
    reasons = [c for c in again.columns if c.startswith("ausschluss_grund")]
    again = again.join(secret, on="gebiet_id", how="left").with_columns(
        pl.when((pl.col("_geheim") != "") & pl.col(c).str.starts_with(GRUND_WERT_FEHLT))
        .then(pl.lit("Indikatorwert geheim (") + pl.col("_geheim") + pl.lit(")"))
        .otherwise(pl.col(c))
        .alias(c)
        for c in reasons
    )
    return again.drop("_geheim")


def publish_controlling(controlling: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """Budget figures as they are; the cost per HzE case by area exactly as `indikatoren`
    publishes it (the same money and case-count cells, withheld where they are there)."""
    per_area = pl.col("kennzahl") == "hze_kosten_je_fall"
    pub = published.filter(pl.col("indikator_id") == "hze_kosten_je_fall").select(
        pl.col("periode")
        .dt.year()
        .cast(controlling.schema["haushaltsjahr"])
        .alias("haushaltsjahr"),
        pl.col("gebiet_id").alias("schluessel"),
        *[pl.col(c).alias(f"_p_{c}") for c in ("zaehler", "nenner", "wert", "symbol")],
    )
    j = controlling.join(pub, on=["haushaltsjahr", "schluessel"], how="left")
    return (
        j.with_columns(
            [
                pl.when(per_area).then(pl.col(f"_p_{c}")).otherwise(pl.col(c)).alias(c)
                for c in ("zaehler", "nenner", "wert")
            ]
            + [
                pl.when(per_area)
                .then(
                    pl.coalesce(
                        pl.col("_p_symbol"), pl.when(pl.col("_p_wert").is_null()).then(pl.lit("."))
                    )
                )
                .otherwise(pl.col("symbol"))
                .alias("symbol")
            ]
        )
        .drop("_p_zaehler", "_p_nenner", "_p_wert", "_p_symbol")
        .sort("haushaltsjahr", "kennzahl", "schluessel_art", "schluessel")
    )


def publish_goals(ziele: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """The actual value of a goal is shown only as far as the indicator itself is public."""
    pub = published.select(
        "indikator_id",
        "gebiet_id",
        "periode",
        pl.col("symbol").alias("_sym"),
        pl.col("wert").alias("_w"),
    )
    j = ziele.join(pub, on=["indikator_id", "gebiet_id", "periode"], how="left")
    hide = pl.col("_sym").is_in(SUPPRESSED)
    return (
        j.with_columns(
            pl.when(hide).then(pl.col("_sym")).otherwise(pl.col("symbol")).alias("symbol"),
            *[
                pl.when(hide).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("istwert", "abstand", "erreicht")
            ],
        )
        .drop("_sym", "_w")
        .sort("jahr", "indikator_id", "gebiet_id")
    )


def reader_findings(
    tables: dict[str, pl.DataFrame],
    counts: DisclosureResult,
    cfg: DisclosureConfig,
    katalog: pl.DataFrame,
    crosswalk: pl.DataFrame | None,
    recipe,
    parameters: dict | None = None,
    cache_dir: Path | None = None,
) -> pl.DataFrame:
    """The reader-knowledge attacker (`pipelines.disclosure.reader`) on the tables about
    to be published; empty when it recovers nothing."""
    from pipelines.disclosure.reader import check_published

    identities = identities_for(counts.cells, parameters)
    return check_published(
        tables,
        counts,
        identities,
        with_signed(cfg),
        catalogue=katalog,
        crosswalk=crosswalk,
        status=recipe.status,
        today=TODAY,
        cache_dir=cache_dir,
    )


# --- controlling over the budget years ----------------------------------------------------

# case-derived columns of the controlling tables: withheld with the case counts they come
# from (Ist is public, so Ist / cost per case, density x inhabitants, a change on a known
# year and the effects would all give a withheld count back)
ZERLEGUNG_CASES = (
    "faelle_vorjahr", "faelle", "kosten_je_fall_vorjahr", "kosten_je_fall",
    "mengeneffekt", "preiseffekt", "restglied",
)  # fmt: skip
KENNZAHLEN_NOW = ("faelle", "kosten_je_fall", "faelle_je_1000_ew")
KENNZAHLEN_BEFORE = (
    "faelle_vorjahr", "kosten_je_fall_vorjahr", "faelle_veraenderung_prozent",
    "kosten_je_fall_veraenderung_prozent",
)  # fmt: skip


def city_case_status(published_counts: pl.DataFrame, gebiete: pl.DataFrame) -> pl.DataFrame:
    """Per count (merkmal) and year: how the city's cells of that year are published.

    `status`: `*` when any reference date of the year is withheld (a mean over the year
    with one withheld month gives that month back), else `/` when one is only known
    within bounds, else null (every known date published exactly).
    """
    root = hierarchy(gebiete).filter(pl.col("ebene_rang") == 0)["gebiet_id"].implode()
    city = published_counts.filter(pl.col("gebiet_id").is_in(root))
    return city.group_by(
        "merkmal", pl.col("periode").dt.year().cast(pl.Int32).alias("haushaltsjahr")
    ).agg(
        pl.when((pl.col("symbol") == "*").any())
        .then(pl.lit("*"))
        .when((pl.col("symbol") == "/").any())
        .then(pl.lit("/"))
        .otherwise(None)
        .alias("status")
    )


def _status_of(status: pl.DataFrame, year_offset: int, name: str) -> pl.DataFrame:
    return status.select(
        pl.col("merkmal").alias("fall_merkmal"),
        (pl.col("haushaltsjahr") + year_offset).alias("haushaltsjahr"),
        pl.col("status").alias(name),
    )


def _worst(*cols: str) -> pl.Expr:
    expr = pl.lit(None, pl.String)
    for sym in ("/", "*"):  # later wins: `*` before `/`
        expr = (
            pl.when(pl.any_horizontal([pl.col(c) == sym for c in cols]))
            .then(pl.lit(sym))
            .otherwise(expr)
        )
    return expr


def publish_zerlegung(zerlegung: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """Ist figures as they are; cases, costs per case and the three effects only where the
    city's case counts of both years are published exactly (else `*` or `/`); `.` where a
    case count is not known at all."""
    j = (
        zerlegung.with_columns(pl.col("haushaltsjahr").cast(pl.Int32))
        .join(_status_of(status, 0, "_jetzt"), on=["fall_merkmal", "haushaltsjahr"], how="left")
        .join(_status_of(status, 1, "_vorher"), on=["fall_merkmal", "haushaltsjahr"], how="left")
        .with_columns(
            pl.when(pl.col("unsicher")).then(pl.lit("/")).otherwise(None).alias("_unsicher")
        )
    )
    symbol = _worst("_jetzt", "_vorher", "_unsicher")
    j = j.with_columns(
        pl.coalesce(
            symbol, pl.when(pl.col("restglied").is_null()).then(pl.lit(MISSING_SYMBOL))
        ).alias("symbol")
    )
    hide = pl.col("symbol").is_in(["*", "/"])
    out = j.with_columns(
        [pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in ZERLEGUNG_CASES]
    ).with_columns(pl.col("haushaltsjahr").cast(zerlegung.schema["haushaltsjahr"]))
    return out.select(TABLES["controlling_zerlegung"].column_names).sort(
        "reihenfolge", "haushaltsjahr"
    )


def publish_kennzahlen(kennzahlen: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """The Kennzahlenbericht: case figures of a year only where the city's counts of that
    year are published exactly; the year-before figures and changes only where both years
    are."""
    j = (
        kennzahlen.with_columns(pl.col("haushaltsjahr").cast(pl.Int32))
        .join(_status_of(status, 0, "_jetzt"), on=["fall_merkmal", "haushaltsjahr"], how="left")
        .join(_status_of(status, 1, "_vorher"), on=["fall_merkmal", "haushaltsjahr"], how="left")
        .with_columns(
            pl.when(pl.col("unsicher")).then(pl.lit("/")).otherwise(None).alias("_unsicher")
        )
    )
    now = _worst("_jetzt", "_unsicher")
    before = _worst("_jetzt", "_vorher", "_unsicher")
    j = j.with_columns(now.alias("_now"), before.alias("_before"))
    out = j.with_columns(
        [
            pl.when(pl.col("_now").is_not_null()).then(None).otherwise(pl.col(c)).alias(c)
            for c in KENNZAHLEN_NOW
        ]
        + [
            pl.when(pl.col("_before").is_not_null()).then(None).otherwise(pl.col(c)).alias(c)
            for c in KENNZAHLEN_BEFORE
        ]
        + [
            pl.coalesce(
                pl.col("_before"),
                pl.when(pl.col("faelle").is_null()).then(pl.lit(MISSING_SYMBOL)),
            ).alias("symbol")
        ]
    ).with_columns(pl.col("haushaltsjahr").cast(kennzahlen.schema["haushaltsjahr"]))
    return out.select(TABLES["controlling_kennzahlen"].column_names).sort(
        "reihenfolge", "produkt", "haushaltsjahr"
    )


def publish_haushalt(haushalt: pl.DataFrame) -> pl.DataFrame:
    """Budget amounts are public (the council adopts and publishes the budget)."""
    return haushalt.select(TABLES["controlling_haushalt"].column_names).sort(
        "haushaltsjahr", "gliederung", "reihenfolge", "schluessel"
    )


# --- Kontraktmanagement -------------------------------------------------------------------

# outputs of a Leistungsbericht that are no counts of people (hours given, places offered);
# every other output (teilnehmende, familien, ...) is taken as a count of people and
# protected like a case count: a safe default for a kennzahl the city names itself
KONTRAKTE_NOT_PERSONS = ("beratungsstunden", "plaetze")
# columns of a kontrakte row that give a withheld Ist back (Soll and Ist EUR are public:
# Ist = Zielerreichung × Soll / 100 = Ist EUR / Kosten je Einheit)
KONTRAKTE_PERSON_COLUMNS = ("ist", "zielerreichung", "kosten_je_einheit")
KONTRAKTE_STATUS_WITHHELD = "gesperrt"


def is_person_output(kennzahl: str | None) -> bool:
    return kennzahl is not None and kennzahl not in KONTRAKTE_NOT_PERSONS


def publish_kontrakte(
    kontrakte: pl.DataFrame, cfg: DisclosureConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Kontrakte as published: amounts (EUR) and Soll are public; a count of people (every
    output but hours and places) of 1 .. min_fallzahl − 1 is `*`, and with it everything
    that gives it back (Zielerreichung, Kosten je Einheit). The status is kept unless,
    together with the Soll, it leaves the withheld Ist a single possible value.
    Returns (published rows, log rows in the form of audit.geheimhaltung)."""
    small = range(1, cfg.min_fallzahl)
    rows, log = [], []
    for r in kontrakte.sort("massnahme_id", "jahr", "kennzahl", nulls_last=True).iter_rows(
        named=True
    ):
        r = dict(r)
        ist, symbol = r["ist"], None
        if r["kennzahl"] is None:
            symbol = None
        elif ist is None:
            symbol = MISSING_SYMBOL
        elif ist == 0:
            symbol = "-"
        elif is_person_output(r["kennzahl"]) and ist < cfg.min_fallzahl:
            symbol = "*"
            for c in KONTRAKTE_PERSON_COLUMNS:
                r[c] = None
            regel = "primaer"
            if len(status_values(r["status"], r["richtung"], r["soll"], small)) < 2:
                r["status"] = KONTRAKTE_STATUS_WITHHELD
                r["status_grund"] = (
                    "gesperrt: mit dem Soll gäbe der Status die gesperrte Anzahl zurück"
                )
            log.append(
                (
                    "kontrakte",
                    r["kennzahl"],
                    _year_end(r["jahr"]),
                    r["massnahme_id"],
                    regel,
                    None,
                )
            )
        r["symbol"] = symbol
        r["personenzahl"] = is_person_output(r["kennzahl"])
        rows.append(r)
    columns = TABLES["kontrakte"].column_names
    schema = {**kontrakte.schema, "symbol": pl.String, "personenzahl": pl.Boolean}
    out = pl.DataFrame(rows, schema={c: schema[c] for c in rows[0]} if rows else schema)
    if out.is_empty():
        out = pl.DataFrame(schema={c: schema[c] for c in columns})
    log_frame = pl.DataFrame(
        log,
        schema=LOG_SCHEMA,
        orient="row",
    )
    return out.select(columns), log_frame


def _year_end(jahr: int):
    import datetime

    return datetime.date(int(jahr), 12, 31)
