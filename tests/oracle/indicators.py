"""The indicator catalogue of docs/indicators.md and the indicators over the count cells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from tests.oracle.cells import rate_columns, recast_cells, sum_cells
from tests.oracle.read import month_end
from tests.oracle.reference import Areas, closure, crosswalk

GLEICH, VORJAHR, LIEFERUNG = "gleicher_stichtag", "vorjahresende", "gleiche_lieferung"
NENNER_MAX_MONATE = 12
DYNAMIK_JAHRE = 2


@dataclass(frozen=True)
class Indicator:
    id: str
    zaehler: str
    nenner: str | None
    faktor: float
    regel: str = GLEICH
    dynamik: bool = False  # share indicator: change in percentage points


# docs/indicators.md, in its order (count names are the oracle's own)
CATALOGUE = (
    Indicator("ew", "ew", None, 1),
    Indicator("anteil_u18", "ew_u18", "ew", 100, dynamik=True),
    Indicator("anteil_65plus", "ew_65plus", "ew", 100, dynamik=True),
    Indicator("jugendquotient", "ew_u18", "ew_18_64", 100),
    Indicator("altenquotient", "ew_65plus", "ew_18_64", 100),
    Indicator("anteil_nichtdeutsch", "ew_nichtdeutsch", "ew", 100, dynamik=True),
    Indicator("wanderungsvolumen", "wanderungsvolumen", "ew", 100, VORJAHR),
    Indicator("wanderungssaldo", "wanderungssaldo", "ew", 100, VORJAHR),
    Indicator("sgb2_quote", "rlb", "ew_u65", 100, dynamik=True),
    Indicator("sgb2_elb_quote", "elb", "ew_15_64", 100, dynamik=True),
    Indicator("sgb2_kinderarmut", "nef_u15", "ew_u15", 100, dynamik=True),
    Indicator("sgb2_alo_anteil", "alo_sgb2", "ew_15_64", 100, dynamik=True),
    Indicator("sgb2_lzb_anteil", "lzb", "elb", 100, LIEFERUNG, dynamik=True),
    Indicator(
        "sgb2_alleinerziehend_anteil", "bg_alleinerziehend", "bg", 100, LIEFERUNG, dynamik=True
    ),
    Indicator("grusi_alter_quote", "grusi_alter_ave_65plus", "ew_65plus", 100, dynamik=True),
    Indicator("hlu_dichte", "hlu_ave", "ew", 1000),
    Indicator("hzp_dichte", "hzp", "ew", 1000),
    Indicator("transferbezug", "transfer_nicht_alo", "ew", 100, dynamik=True),
    Indicator("hze_quote", "hze_faelle", "ew_u21", 10000),
    Indicator("eingliederungshilfe_35a_quote", "eingliederungshilfe_35a_faelle", "ew_u21", 10000),
    Indicator("inobhutnahmen_quote", "inobhutnahmen", "ew_u18", 10000),
    Indicator("hze_kosten_je_fall", "hze_kosten", "hze_faelle", 1, LIEFERUNG),
)
MONEY = {"hze_kosten"}  # sums of EUR amounts: compared to 1e-9, not exactly

BASIS_COLS = ["merkmal", "gebiet_id", "ebene", "ebene_rang", "periode", "gebietsstand"]


def level_cells(finest: pl.DataFrame, areas: Areas, landing: Path) -> pl.DataFrame:
    """Every count on every level: as delivered (each period on its own layout) and, for
    periods of an older layout, recast onto today's areas. Adds gebietsstand, aktuell."""
    out = []
    layout_of = {p: areas.layout_of(p) for p in finest["periode"].unique().to_list()}
    finest = finest.with_columns(
        pl.col("periode").replace_strict(layout_of, return_dtype=pl.Date).alias("gebietsstand")
    )
    for layout in sorted(set(layout_of.values())):
        cells = finest.filter(pl.col("gebietsstand") == layout)
        c = closure(areas, layout)
        out.append(_up(cells, c).with_columns(pl.lit(layout == areas.today).alias("aktuell")))
        if layout != areas.today:
            walk = crosswalk(landing, areas, layout)
            moved = recast_cells(cells, walk, ["merkmal", "periode", "gebiet_id"])
            moved = moved.with_columns(pl.lit(areas.today).alias("gebietsstand"))
            out.append(
                _up(moved, closure(areas, areas.today)).with_columns(pl.lit(True).alias("aktuell"))
            )
    return pl.concat(out)


def _up(cells: pl.DataFrame, clos: pl.DataFrame) -> pl.DataFrame:
    """Sum finest cells up a layout's hierarchy (closure incl. the finest level itself)."""
    joined = cells.join(clos, left_on="gebiet_id", right_on="feinst_id", suffix="_oben").select(
        "merkmal",
        pl.col("gebiet_id_oben").alias("gebiet_id"),
        "ebene",
        "ebene_rang",
        "periode",
        "gebietsstand",
        "wert",
        "symbol",
        "lo",
        "hi",
        "umg",
    )
    return sum_cells(joined, BASIS_COLS)


def _denominator_dates(targets: pl.DataFrame, available: pl.DataFrame, regel: str):
    """(gebietsstand, ziel) -> nenner_stichtag: the same date if delivered, else the latest
    earlier date within NENNER_MAX_MONATE months (same delivery: the same date only)."""
    lower = (
        pl.col("ziel")
        if regel == LIEFERUNG
        else pl.col("ziel").dt.offset_by(f"-{NENNER_MAX_MONATE}mo")
    )
    hits = (
        targets.join(available, on="gebietsstand")
        .filter((pl.col("periode") <= pl.col("ziel")) & (pl.col("periode") >= lower))
        .group_by("gebietsstand", "ziel")
        .agg(pl.col("periode").max().alias("nenner_stichtag"))
    )
    return targets.join(hits, on=["gebietsstand", "ziel"], how="left")


def indicator_rows(ind: Indicator, basis: pl.DataFrame) -> pl.DataFrame:
    z = basis.filter(pl.col("merkmal") == ind.zaehler).rename(
        {c: f"z_{c}" for c in ("wert", "symbol", "lo", "hi", "umg")}
    )
    if ind.regel == VORJAHR:
        z = z.with_columns(pl.date(pl.col("periode").dt.year() - 1, 12, 31).alias("ziel"))
    else:
        z = z.with_columns(pl.col("periode").alias("ziel"))
    if ind.nenner is None:
        rows = z.with_columns(
            pl.lit(None, pl.Date).alias("nenner_stichtag"),
            pl.lit(None, pl.String).alias("n_symbol"),
            pl.lit(False).alias("n_umg"),
        )
    else:
        n = basis.filter(pl.col("merkmal") == ind.nenner)
        dates = _denominator_dates(
            z.select("gebietsstand", "ziel").unique(),
            n.select("gebietsstand", "periode").unique(),
            ind.regel,
        )
        n = n.select(
            "gebietsstand",
            "gebiet_id",
            pl.col("periode").alias("nenner_stichtag"),
            *[pl.col(c).alias(f"n_{c}") for c in ("wert", "symbol", "lo", "hi", "umg")],
            pl.lit(True).alias("_gefunden"),
        )
        rows = (
            z.join(dates, on=["gebietsstand", "ziel"], how="left")
            .join(n, on=["gebietsstand", "gebiet_id", "nenner_stichtag"], how="left")
            .with_columns(
                (pl.col("nenner_stichtag").is_not_null() & pl.col("_gefunden").is_null()).alias(
                    "n_missing"
                )
            )
        )
    rows = rows.with_columns(rate_columns(ind.faktor, ind.nenner is not None))
    return rows.select(
        pl.lit(ind.id).alias("indikator_id"),
        "gebiet_id",
        "ebene",
        "ebene_rang",
        "periode",
        "gebietsstand",
        "zaehler",
        "nenner",
        "wert",
        "symbol",
        "nenner_stichtag",
        "untergrenze",
        "obergrenze",
        (pl.col("z_umg") | pl.col("n_umg").fill_null(False)).alias("umgerechnet"),
        pl.col("symbol").is_in(["*", "/"]).fill_null(False).alias("unsicher"),
        pl.col("aktuell").alias("aktueller_gebietsstand"),
        pl.lit(ind.dynamik).alias("_dynamik"),
    )


def earlier_same_day(day: date, years: int = DYNAMIK_JAHRE) -> date:
    """Same reference date `years` earlier; a month end stays a month end."""
    if day == month_end(day.year, day.month):
        return month_end(day.year - years, day.month)
    return date(day.year - years, day.month, day.day)


def with_dynamics(rows: pl.DataFrame) -> pl.DataFrame:
    """dynamik = wert - wert at the same date k years earlier, today's layout, share
    indicators only."""
    periods = rows["periode"].unique().to_list()
    back = {p: earlier_same_day(p) for p in periods}
    key = ["indikator_id", "gebiet_id", "gebietsstand"]
    rows = rows.with_columns(
        pl.col("periode").replace_strict(back, return_dtype=pl.Date).alias("_frueher")
    )
    earlier = rows.filter(pl.col("aktueller_gebietsstand")).select(
        *key,
        pl.col("periode").alias("_frueher"),
        pl.col("wert").alias("_wert_frueher"),
        pl.lit(True).alias("_da"),
    )
    j = rows.join(earlier, on=[*key, "_frueher"], how="left")
    use = pl.col("_dynamik") & pl.col("aktueller_gebietsstand") & pl.col("_da").fill_null(False)
    return j.with_columns(
        pl.when(use).then(pl.col("_frueher")).otherwise(None).alias("dynamik_vergleichsperiode"),
        pl.when(use)
        .then(pl.col("wert") - pl.col("_wert_frueher"))
        .otherwise(None)
        .alias("dynamik"),
    ).drop("_frueher", "_wert_frueher", "_da", "_dynamik")
