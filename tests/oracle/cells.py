"""Count cells with BA symbols and bounds, their sums and the rates over them.

A cell is (wert, symbol, lo, hi, umg): wert the count (null when suppressed or unknown),
symbol one of None, `-`, `*`, `.`, `x`, `/`, lo/hi the bounds (null when unknown), umg
whether it was recast over a boundary change. Rules (dbt_project/README.md, "BA symbols"):

- finest: `*` -> no value, bounds [1, 2]; `-` -> 0; `.`/`x` -> unknown.
- sums: all parts with one symbol -> that symbol; any unknown part -> `.`; any `*`/`/`
  part -> `/` with wert = sum of the lower bounds; bounds are summed.
- rates: numerator `.`/`x`/`*` carry through; no denominator date or unknown
  denominator -> `.`; denominator `*` -> `*`; denominator 0 -> `x`; `/` stays `/`.
"""

from __future__ import annotations

import polars as pl

UNKNOWN = [".", "x"]
SUPPRESSED = ["*", "/"]
NO_VALUE = ["*", ".", "x"]


def exact_cells(df: pl.DataFrame, value: str = "wert") -> pl.DataFrame:
    """Plain counts (no symbols): bounds equal the value."""
    return df.with_columns(
        pl.col(value).cast(pl.Float64).alias("wert"),
        pl.lit(None, pl.String).alias("symbol"),
        pl.col(value).cast(pl.Float64).alias("lo"),
        pl.col(value).cast(pl.Float64).alias("hi"),
        pl.lit(False).alias("umg"),
    )


def ba_cells(text: pl.Expr, star_lo: float = 1.0, star_hi: float = 2.0) -> list[pl.Expr]:
    """Expressions wert, symbol, lo, hi from a BA cell text (a count or `*`, `-`, `.`, `x`);
    a null text (area missing from the table) counts as `.`."""
    t = text.str.strip_chars()
    number = t.str.replace_all(".", "", literal=True).cast(pl.Float64, strict=False)
    is_num = t.str.contains(r"^\d[\d.]*$").fill_null(False)
    symbol = pl.when(t.is_null()).then(pl.lit(".")).when(is_num).then(None).otherwise(t)
    wert = pl.when(t == "-").then(0.0).when(is_num).then(number).otherwise(None)
    lo = pl.when(t == "*").then(star_lo).otherwise(wert)
    hi = pl.when(t == "*").then(star_hi).otherwise(wert)
    return [wert.alias("wert"), symbol.alias("symbol"), lo.alias("lo"), hi.alias("hi")]


def sum_cells(df: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Sum cells per group with the symbol rules of the module docstring."""
    s = pl.col("symbol")
    g = df.group_by(by).agg(
        s.fill_null("#").n_unique().alias("_n"),
        s.first().alias("_first"),
        s.is_in(UNKNOWN).fill_null(False).any().alias("_unknown"),
        s.is_in(SUPPRESSED).fill_null(False).any().alias("_star"),
        (s == "*").fill_null(False).all().alias("_all_star"),
        pl.col("lo").sum().alias("_lo"),
        pl.col("hi").sum().alias("_hi"),
        pl.col("umg").any().alias("umg"),
    )
    return g.select(
        *by,
        pl.when(pl.col("_unknown") | pl.col("_all_star"))
        .then(None)
        .otherwise(pl.col("_lo"))
        .alias("wert"),
        pl.when((pl.col("_n") == 1) & pl.col("_first").is_not_null())
        .then(pl.col("_first"))
        .when(pl.col("_unknown"))
        .then(pl.lit("."))
        .when(pl.col("_star"))
        .then(pl.lit("/"))
        .otherwise(None)
        .alias("symbol"),
        pl.when(pl.col("_unknown")).then(None).otherwise(pl.col("_lo")).alias("lo"),
        pl.when(pl.col("_unknown")).then(None).otherwise(pl.col("_hi")).alias("hi"),
        "umg",
    )


def recast_cells(cells: pl.DataFrame, walk: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Cells of older finest areas (column gebiet_id) onto today's through `walk`
    (herkunft_id, gebiet_id, anteil, umgerechnet): bounds scale with the share, then the
    shares landing in one area are summed like children."""
    shared = cells.join(walk, left_on="gebiet_id", right_on="herkunft_id", suffix="_neu").select(
        *[c for c in by if c != "gebiet_id"],
        pl.col("gebiet_id_neu").alias("gebiet_id"),
        pl.col("symbol"),
        (pl.col("lo") * pl.col("anteil")).alias("lo"),
        (pl.col("hi") * pl.col("anteil")).alias("hi"),
        (pl.col("umg") | pl.col("umgerechnet")).alias("umg"),
    )
    return sum_cells(shared, by)


def _div(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """a / b, null for b = 0 (as SQL does), never inf."""
    return pl.when(b != 0).then(a / b).otherwise(None)


def rate_columns(faktor: float, has_denominator: bool) -> list[pl.Expr]:
    """Indicator columns from z_* (numerator cell) and n_* (denominator cell) columns and
    `nenner_stichtag` (null when no denominator date was found)."""
    zs, ns = pl.col("z_symbol"), pl.col("n_symbol")
    f = pl.lit(float(faktor))
    if has_denominator:
        symbol = (
            pl.when(zs.is_in(UNKNOWN)).then(zs)
            .when(zs == "*").then(pl.lit("*"))
            .when(pl.col("nenner_stichtag").is_null() | pl.col("n_missing")).then(pl.lit("."))
            .when(ns.is_in(UNKNOWN)).then(pl.lit("."))
            .when(ns == "*").then(pl.lit("*"))
            .when(pl.col("n_wert") == 0).then(pl.lit("x"))
            .when((zs == "/") | (ns == "/")).then(pl.lit("/"))
            .otherwise(None)
        )  # fmt: skip
        wert = _div(pl.col("z_wert"), pl.col("n_wert")) * f
        lo = _div(pl.col("z_lo"), pl.col("n_hi")) * f
        hi = _div(pl.col("z_hi"), pl.col("n_lo")) * f
    else:
        symbol = pl.when(zs == "/").then(pl.lit("/")).when(zs.is_in(NO_VALUE)).then(zs)
        wert = pl.col("z_wert") * f
        lo = pl.col("z_lo") * f
        hi = pl.col("z_hi") * f
    symbol = symbol.alias("symbol")
    return [
        pl.when(zs.is_in(NO_VALUE)).then(None).otherwise(pl.col("z_wert")).alias("zaehler"),
        (
            pl.when(ns.is_in(NO_VALUE)).then(None).otherwise(pl.col("n_wert"))
            if has_denominator
            else pl.lit(None, pl.Float64)
        ).alias("nenner"),
        symbol,
        pl.when(symbol.is_in(NO_VALUE)).then(None).otherwise(wert).alias("wert"),
        pl.when(symbol.is_in(UNKNOWN)).then(None).otherwise(lo).alias("untergrenze"),
        pl.when(symbol.is_in(UNKNOWN)).then(None).otherwise(hi).alias("obergrenze"),
    ]
