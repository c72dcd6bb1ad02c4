"""From the unsuppressed marts to disclosure-controlled published tables (pure polars)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.disclosure import DisclosureConfig, DisclosureResult, Identity
from pipelines.publish.systems import solve_systems
from pipelines.publish.tables import TABLES

# measures that are not counts of persons/cases: no primary suppression of their own
NOT_COUNTS = {"hze_kosten", "wanderungssaldo"}
IDENTITIES = {
    "sgb2": ["rlb = elb + nef"],
    "einwohner": ["ew = ew_u18 + ew_18_64 + ew_65plus"],
}
SUPPRESSED = ("*", ".", "x", "/")


def hierarchy(gebiete: pl.DataFrame) -> pl.DataFrame:
    """Today's layout (the published one)."""
    return gebiete.filter(pl.col("ist_aktuell")).select(
        "gebiet_id", "parent_id", "ebene", "ebene_rang"
    )


def count_cells(basiszahlen: pl.DataFrame, tree: pl.DataFrame) -> pl.DataFrame:
    """Finest-level count cells of today's layout, one per (tabelle, merkmal, periode, leaf).

    Recast periods hold estimates (old counts times population shares); they are rounded
    to whole persons here. Leaves without a row for a measure and period had no case.
    """
    leaves = tree.join(
        tree.select(pl.col("parent_id").alias("gebiet_id")).unique(), on="gebiet_id", how="anti"
    )
    b = basiszahlen.filter(
        pl.col("aktueller_gebietsstand")
        & ~pl.col("merkmal").is_in(list(NOT_COUNTS))
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
    return (
        _restore_identities(out)
        .drop("umgerechnet")
        .sort("tabelle", "merkmal", "periode", "gebiet_id")
    )


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


def identities_for(cells: pl.DataFrame) -> list[Identity]:
    present = {(t, m) for t, m in cells.select("tabelle", "merkmal").unique().iter_rows()}
    out = []
    for tabelle, texts in IDENTITIES.items():
        for text in texts:
            ident = Identity.parse(tabelle, text)
            if all((tabelle, m) in present for m in (ident.summe, *ident.teile)):
                out.append(ident)
    return out


def disclose_counts(
    basiszahlen: pl.DataFrame,
    gebiete: pl.DataFrame,
    cfg: DisclosureConfig,
    cache_dir: Path | None = None,
    workers: int | None = None,
    stats: dict | None = None,
) -> DisclosureResult:
    """Disclosure control per (table, period): see `pipelines.publish.systems`.

    `cache_dir` keeps each system's result for the next run (None: solve everything);
    `workers` processes solve in parallel (None: one per usable core); `stats`, if given,
    receives how many systems were solved and how many came from the cache.
    """
    tree = hierarchy(gebiete)
    cells = count_cells(basiszahlen, tree)
    result, counts = solve_systems(cells, tree, identities_for(cells), cfg, cache_dir, workers)
    if stats is not None:
        stats.update(counts)
    return result


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
    published_counts.filter(pl.col("merkmal") == "ew").select(
        pl.col("periode").alias("nenner_stichtag"), "gebiet_id", pl.col("wert").alias("_ew_pub")
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
    # a migration balance is a difference, not a count; still, |saldo| of 1 or 2 is withheld
    small_balance = (pl.col("zaehler_merkmal") == "wanderungssaldo") & pl.col(
        "zaehler"
    ).abs().is_between(1, cfg.min_fallzahl - 1)
    symbol = (
        pl.when(small_balance)
        .then(pl.lit("*"))
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
        pl.when((pl.col("symbol") == ".") & ((pl.col("_zs") == ".") | (pl.col("_ns") == ".")))
        .then(pl.lit("unbekannt_an_der_quelle"))
        .when(pl.col("symbol") == ".")
        .then(pl.lit("einwohner_unter_min"))
        .when(pl.col("symbol") == "*")
        .then(pl.lit("zaehler_oder_nenner_gesperrt"))
        .when(pl.col("symbol") == "/")
        .then(pl.lit("nur_grenzen"))
        .otherwise(None)
    )
    out = j.with_columns(symbol).with_columns(
        [
            pl.when(pl.col("symbol").is_in(SUPPRESSED)).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("zaehler", "nenner", "wert")
        ]
        + [
            pl.when(pl.col("symbol") == "/").then(pl.col(c)).otherwise(None).alias(c)
            for c in ("untergrenze", "obergrenze")
        ]
    )
    log = out.filter(rule.is_not_null()).select(
        pl.lit("indikatoren").alias("tabelle"),
        pl.col("indikator_id").alias("merkmal"),
        "periode",
        "gebiet_id",
        rule.alias("regel"),
        pl.lit(None, pl.String).alias("ausgeloest_durch"),
    )
    out = out.with_columns(
        pl.when(pl.col("symbol").is_in(SUPPRESSED))
        .then(None)
        .otherwise(pl.col("dynamik"))
        .alias("dynamik")
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


def publish_sozialindex(
    index: pl.DataFrame, published: pl.DataFrame, status: list[str]
) -> pl.DataFrame:
    """The index for all included areas; shares and z-values only where their counts are public."""
    out = index
    for ind in status:
        public = pl.col("symbol").is_null() | ~pl.col("symbol").is_in(SUPPRESSED)
        ok = published.filter((pl.col("indikator_id") == ind) & public).select(
            "gebiet_id", "periode", pl.lit(True).alias(f"_ok_{ind}")
        )
        out = out.join(ok.unique(), on=["gebiet_id", "periode"], how="left")
        hide = pl.col(f"_ok_{ind}").is_null()
        cols = [
            c for c in (ind, f"{ind}_dynamik", f"z_{ind}", f"z_{ind}_dynamik") if c in out.columns
        ]
        out = out.with_columns(
            [pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in cols]
        ).drop(f"_ok_{ind}")
    return out.sort("periode", "gebiet_id")


def publish_controlling(controlling: pl.DataFrame, cfg: DisclosureConfig) -> pl.DataFrame:
    """Money is published; a cost per case over fewer than min_fallzahl cases is withheld."""
    small = (
        (pl.col("kennzahl") == "hze_kosten_je_fall")
        & (pl.col("nenner") < cfg.min_fallzahl)
        & (pl.col("nenner") > 0)
    )
    return controlling.with_columns(
        pl.when(small).then(pl.lit("*")).otherwise(pl.col("symbol")).alias("symbol"),
        *[
            pl.when(small).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("zaehler", "nenner", "wert")
        ],
    ).sort("haushaltsjahr", "kennzahl", "schluessel_art", "schluessel")


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
