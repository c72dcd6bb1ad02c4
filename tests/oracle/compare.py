"""Comparing the oracle with `marts.indikatoren`: one mismatch row per differing field."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from tests.oracle.indicators import CATALOGUE, MONEY

KEY = ["indikator_id", "gebiet_id", "periode", "gebietsstand"]
NUMERIC = ["zaehler", "nenner", "wert", "untergrenze", "obergrenze", "dynamik"]
OTHER = [
    "symbol",
    "nenner_stichtag",
    "umgerechnet",
    "unsicher",
    "aktueller_gebietsstand",
    "ebene",
    "ebene_rang",
    "dynamik_vergleichsperiode",
]
REL_TOL = 1e-9
COUNT_IDS_EXACT = {i.id for i in CATALOGUE if i.zaehler not in MONEY}


def load_mart(db: Path) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = ", ".join([*KEY, *NUMERIC, *OTHER])
        return con.execute(f"select {cols} from marts.indikatoren").pl()
    finally:
        con.close()


def _num_ok(a: pl.Expr, b: pl.Expr, exact: pl.Expr) -> pl.Expr:
    both_null = a.is_null() & b.is_null()
    close = (a - b).abs() <= REL_TOL * pl.max_horizontal(a.abs(), b.abs())
    same = pl.when(exact).then(a == b).otherwise(close | (a == b))
    return both_null | (a.is_not_null() & b.is_not_null() & same.fill_null(False))


def compare(expected: pl.DataFrame, actual: pl.DataFrame) -> pl.DataFrame:
    """Mismatches: indikator_id, gebiet_id, periode, gebietsstand, feld, erwartet, ist.
    A row only on one side gives feld = `zeile`. Counts of rows not touched by a recast
    are compared exactly, everything else to REL_TOL relative."""
    exp = expected.select(*KEY, *[pl.col(c).alias(f"{c}_e") for c in NUMERIC + OTHER])
    act = actual.select(*KEY, *[pl.col(c).alias(f"{c}_a") for c in NUMERIC + OTHER])
    j = exp.join(act, on=KEY, how="full", coalesce=True)
    out = []
    only = j.filter(pl.col("ebene_e").is_null()).select(
        *KEY,
        pl.lit("zeile").alias("feld"),
        pl.lit("fehlt").alias("erwartet"),
        pl.lit("vorhanden").alias("ist"),
    )
    missing = j.filter(pl.col("ebene_a").is_null()).select(
        *KEY,
        pl.lit("zeile").alias("feld"),
        pl.lit("vorhanden").alias("erwartet"),
        pl.lit("fehlt").alias("ist"),
    )
    out += [only, missing]
    both = j.filter(pl.col("ebene_a").is_not_null() & pl.col("ebene_e").is_not_null())
    for c in NUMERIC:
        exact = (
            pl.lit(c in ("zaehler", "nenner"))
            & pl.col("indikator_id").is_in(list(COUNT_IDS_EXACT))
            & ~pl.col("umgerechnet_e")
        )
        bad = both.filter(~_num_ok(pl.col(f"{c}_e"), pl.col(f"{c}_a"), exact))
        out.append(_describe(bad, c))
    for c in OTHER:
        a, e = pl.col(f"{c}_a"), pl.col(f"{c}_e")
        bad = both.filter(~(a.eq_missing(e)))
        out.append(_describe(bad, c))
    return pl.concat(out, how="vertical_relaxed").sort([*KEY, "feld"])


def _describe(bad: pl.DataFrame, c: str) -> pl.DataFrame:
    return bad.select(
        *KEY,
        pl.lit(c).alias("feld"),
        pl.col(f"{c}_e").cast(pl.String).fill_null("NULL").alias("erwartet"),
        pl.col(f"{c}_a").cast(pl.String).fill_null("NULL").alias("ist"),
    )


def summary(mismatches: pl.DataFrame, limit: int = 25) -> str:
    """A German message for an assertion: counts per indicator and field, then examples."""
    if mismatches.is_empty():
        return "keine Abweichungen"
    per = mismatches.group_by("indikator_id", "feld").len().sort("indikator_id", "feld").iter_rows()
    lines = [f"{mismatches.height} Abweichungen:"]
    lines += [f"  {i} / {f}: {n}" for i, f, n in per]
    lines.append("Beispiele (indikator, gebiet, periode, gebietsstand, feld: erwartet | ist):")
    for r in mismatches.head(limit).iter_rows(named=True):
        lines.append(
            f"  {r['indikator_id']} {r['gebiet_id']} {r['periode']} {r['gebietsstand']} "
            f"{r['feld']}: {r['erwartet']} | {r['ist']}"
        )
    return "\n".join(lines)
