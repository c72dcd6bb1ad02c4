"""Blank means unknown: what the published bounds already say, published as a figure.

Runs after disclosure control, on what it publishes, so nothing here can reveal more than
the published counts and their bounds already do:

- a rate only known within bounds (`/`) gets a `wert` when its published bounds pin it
  (narrower than `PIN_WIDTH` of its unit: the one decimal shares are shown with);
- a goal is decided by the bounds of its actual value whenever both lie on one side of
  the target.
"""

from __future__ import annotations

import math

import polars as pl

from pipelines.sozialindex.rounding import round_half_away

# bounds closer than this (in the figure's unit: percentage points, persons, EUR) pin it:
# the report shows shares with one decimal, so the figure is known to its shown precision
PIN_WIDTH = 0.1
SHOWN_DECIMALS = 1


def pinned_value(low: float | None, high: float | None) -> float | None:
    """The figure the bounds pin down, or None when they are wider than PIN_WIDTH.

    Both bounds round to the same one-decimal value: that value (exact at the shown
    precision). Else (narrower than PIN_WIDTH, but across a rounding edge) the midpoint
    to two decimals, at most PIN_WIDTH / 2 from the truth.
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return None
    if high - low >= PIN_WIDTH:
        return None
    a, b = round_half_away(low, SHOWN_DECIMALS), round_half_away(high, SHOWN_DECIMALS)
    if a == b:
        return a
    return round_half_away((low + high) / 2, SHOWN_DECIMALS + 1)


def pin_bounded(published: pl.DataFrame) -> pl.DataFrame:
    """Published indicator rows where every `/` row whose bounds pin it gets its `wert`
    (symbol then empty, `unsicher` stays true, bounds kept).

    The bounds are the mart's, built from each source cell's own bounds (a derived `*`
    cell such as `transfer_nicht_alo` knows it is 1..2 plus its SGB XII part), and they
    are published already: the value adds nothing to them.
    """
    slash = pl.col("symbol") == "/"
    j = published.with_row_index("_row")
    # only the `/` rows (few) go through Python: the rounding is the report's own
    sub = j.filter(slash).select("_row", "untergrenze", "obergrenze")
    pins = sub.select(
        "_row",
        pl.Series("_pin", [pinned_value(lo, hi) for _, lo, hi in sub.rows()], dtype=pl.Float64),
    )
    j = (
        j.join(pins, on="_row", how="left")
        .sort("_row")
        .with_columns(pl.when(slash).then(pl.col("_pin")).otherwise(pl.col("wert")).alias("wert"))
    )
    pinned = slash & pl.col("wert").is_not_null()
    j = j.with_columns(
        pl.when(pinned).then(pl.lit(None, pl.String)).otherwise(pl.col("symbol")).alias("symbol"),
        (pl.col("unsicher").fill_null(False) | pinned).alias("unsicher"),
    )
    return j.select(published.columns)


def decide_goals(ziele: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """Goals as published: the actual value as far as the indicator is public, `erreicht`
    true/false whenever the published value, or both published bounds, lie on one side of
    the target; null only when the bounds straddle it (or nothing is published).

    Adds `untergrenze`/`obergrenze` (the published interval of the actual value) so a
    reader sees why a goal is undecided.
    """
    pub = published.select(
        "indikator_id",
        "gebiet_id",
        "periode",
        pl.col("symbol").alias("_sym"),
        pl.col("wert").alias("_w"),
        pl.col("unsicher").fill_null(False).alias("_u"),
        pl.col("untergrenze").alias("_lo"),
        pl.col("obergrenze").alias("_hi"),
        pl.lit(True).alias("_pub"),
    )
    j = ziele.drop("untergrenze", "obergrenze", strict=False).join(
        pub, on=["indikator_id", "gebiet_id", "periode"], how="left"
    )
    exact = pl.col("_w").is_not_null() & ~pl.col("_u")
    lo = pl.when(exact).then(pl.col("_w")).otherwise(pl.col("_lo"))
    hi = pl.when(exact).then(pl.col("_w")).otherwise(pl.col("_hi"))
    ziel = pl.col("zielwert")
    at_most = pl.col("richtung") == "hoechstens"
    at_least = pl.col("richtung") == "mindestens"
    erreicht = (
        pl.when(at_most & (hi <= ziel))
        .then(True)
        .when(at_most & (lo > ziel))
        .then(False)
        .when(at_least & (lo >= ziel))
        .then(True)
        .when(at_least & (hi < ziel))
        .then(False)
        .otherwise(None)
    )
    has_value = pl.col("_w").is_not_null()
    withheld = pl.col("_sym").is_in(["*", ".", "x", "/"])
    out = j.with_columns(
        pl.when(withheld | pl.col("_pub").fill_null(False))
        .then(pl.col("_sym"))
        .otherwise(pl.col("symbol"))
        .alias("symbol"),
        pl.when(has_value).then(pl.col("_w")).otherwise(None).alias("istwert"),
        pl.when(has_value).then(pl.col("_w") - ziel).otherwise(None).alias("abstand"),
        pl.when(pl.col("_sym").is_in(["*", ".", "x"])).then(None).otherwise(erreicht)
        .alias("erreicht"),
        (pl.col("unsicher").fill_null(False) | pl.col("_u").fill_null(False)).alias("unsicher"),
        pl.when(~exact).then(pl.col("_lo")).alias("untergrenze"),
        pl.when(~exact).then(pl.col("_hi")).alias("obergrenze"),
    )  # fmt: skip
    return out.drop("_sym", "_w", "_u", "_lo", "_hi", "_pub").sort(
        "jahr", "indikator_id", "gebiet_id"
    )
