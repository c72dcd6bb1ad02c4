"""The information-loss ledger: what disclosure control cost in one build.

Per published table and area level: how many cells were published, how many withheld
and why (primary: the cell itself is small or its area too small; secondary: withheld to
protect another cell; source: unknown or withheld at source, or only known within bounds;
derived: a rate whose numerator or denominator is withheld), and which share of the
population lives in areas whose cell is withheld. It is computed from the suppression log
and stays with the planning unit (`audit.informationsverlust`, the publish asset's Dagster
metadata): it names no cell, but per level it says how many are primary.
"""

from __future__ import annotations

import polars as pl

PRIMARY_RULES = ("primaer", "einwohner_unter_min", "einwohner_fehlt")
SOURCE_RULES = ("quelle", "unbekannt_an_der_quelle", "nur_grenzen")
KINDS = ("primaer", "sekundaer", "quelle", "abgeleitet")
ALL_LEVELS = "alle Ebenen"

LEDGER_SCHEMA = {
    "tabelle": pl.String,
    "ebene": pl.String,
    "ebene_rang": pl.Int32,
    "zellen": pl.Int64,
    "gesperrt": pl.Int64,
    **{f"gesperrt_{k}": pl.Int64 for k in KINDS},
    "anteil_gesperrt": pl.Float64,
    "anteil_primaer": pl.Float64,
    "anteil_sekundaer": pl.Float64,
    "einwohneranteil_gesperrt": pl.Float64,
}


def _kind(regel: pl.Expr) -> pl.Expr:
    return (
        pl.when(regel.is_null())
        .then(None)
        .when(regel.is_in(PRIMARY_RULES))
        .then(pl.lit("primaer"))
        .when(regel.str.starts_with("sekundaer"))
        .then(pl.lit("sekundaer"))
        .when(regel.is_in(SOURCE_RULES))
        .then(pl.lit("quelle"))
        .otherwise(pl.lit("abgeleitet"))
    )


def ledger(
    counts: pl.DataFrame,
    indikatoren: pl.DataFrame,
    log: pl.DataFrame,
    tree: pl.DataFrame,
    population: pl.DataFrame,
) -> pl.DataFrame:
    """One row per (tabelle, ebene) and one per tabelle over all levels.

    `counts`: the disclosure-controlled count cells (tabelle, merkmal, periode,
    gebiet_id); `indikatoren`: the published indicator rows; `log`: the suppression log
    (a cell is withheld when it has a log row); `tree`: today's layout (gebiet_id, ebene,
    ebene_rang); `population`: (gebiet_id, periode, einwohner), the true inhabitants, each
    cell weighted with its area's latest population up to the cell's date.
    """
    key = ["tabelle", "merkmal", "periode", "gebiet_id"]
    cells = pl.concat(
        [
            counts.select("tabelle", "merkmal", pl.col("periode").cast(pl.Date), "gebiet_id"),
            indikatoren.select(
                pl.lit("indikatoren").alias("tabelle"),
                pl.col("indikator_id").alias("merkmal"),
                pl.col("periode").cast(pl.Date),
                "gebiet_id",
            ),
        ]
    )
    rules = log.select(*key, "regel").with_columns(pl.col("periode").cast(pl.Date))
    rules = rules.unique(subset=key, keep="first")
    pop = (
        population.select(
            "gebiet_id",
            pl.col("periode").cast(pl.Date).alias("_pop_periode"),
            pl.col("einwohner").cast(pl.Float64),
        )
        .drop_nulls()
        .sort("_pop_periode")
    )
    j = (
        cells.join(rules, on=key, how="left")
        .join(tree.select("gebiet_id", "ebene", "ebene_rang"), on="gebiet_id", how="left")
        .with_columns(pl.col("periode").alias("_pop_periode"))
        .sort("_pop_periode")
        .join_asof(
            pop, on="_pop_periode", by="gebiet_id", strategy="backward", check_sortedness=False
        )
        .with_columns(_kind(pl.col("regel")).alias("art"), pl.col("einwohner").fill_null(0.0))
    )
    withheld = pl.col("art").is_not_null()
    aggs = [
        pl.len().cast(pl.Int64).alias("zellen"),
        withheld.sum().cast(pl.Int64).alias("gesperrt"),
        *[(pl.col("art") == k).sum().cast(pl.Int64).alias(f"gesperrt_{k}") for k in KINDS],
        pl.when(withheld).then(pl.col("einwohner")).otherwise(0.0).sum().alias("_ew_gesperrt"),
        pl.col("einwohner").sum().alias("_ew"),
    ]
    per_level = j.group_by("tabelle", "ebene", "ebene_rang").agg(aggs)
    per_table = (
        j.group_by("tabelle")
        .agg(aggs)
        .with_columns(pl.lit(ALL_LEVELS).alias("ebene"), pl.lit(None, pl.Int32).alias("ebene_rang"))
    )
    out = pl.concat(
        [per_level.with_columns(pl.col("ebene_rang").cast(pl.Int32)), per_table],
        how="diagonal_relaxed",
    ).with_columns(
        (pl.col("gesperrt") / pl.col("zellen")).alias("anteil_gesperrt"),
        (pl.col("gesperrt_primaer") / pl.col("zellen")).alias("anteil_primaer"),
        (pl.col("gesperrt_sekundaer") / pl.col("zellen")).alias("anteil_sekundaer"),
        pl.when(pl.col("_ew") > 0)
        .then(pl.col("_ew_gesperrt") / pl.col("_ew"))
        .alias("einwohneranteil_gesperrt"),
    )
    return (
        out.select([pl.col(c).cast(t) for c, t in LEDGER_SCHEMA.items()])
        .with_columns(pl.col("ebene_rang").fill_null(-1).alias("_rang"))
        .sort("tabelle", "_rang", "ebene")
        .drop("_rang")
    )


def as_markdown(frame: pl.DataFrame) -> str:
    """The ledger as a Markdown table (Dagster metadata, German number format)."""

    def pct(v: float | None) -> str:
        return "" if v is None else f"{v * 100:.1f} %".replace(".", ",")

    lines = [
        "| Tabelle | Ebene | Zellen | gesperrt | primär | sekundär | Quelle | abgeleitet "
        "| Anteil gesperrt | Einwohneranteil gesperrt |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in frame.iter_rows(named=True):
        lines.append(
            f"| {r['tabelle']} | {r['ebene']} | {r['zellen']} | {r['gesperrt']} "
            f"| {r['gesperrt_primaer']} | {r['gesperrt_sekundaer']} | {r['gesperrt_quelle']} "
            f"| {r['gesperrt_abgeleitet']} | {pct(r['anteil_gesperrt'])} "
            f"| {pct(r['einwohneranteil_gesperrt'])} |"
        )
    return "\n".join(lines)
