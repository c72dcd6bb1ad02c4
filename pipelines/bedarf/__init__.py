"""Bedarfsplanung: places of social infrastructure against the Bedarfseckwerte (pure, no I/O).

`plan()` turns the delivered population of the finest areas, the forward population
projection, the facilities and the area dimension into the rows of `marts.bedarfsplanung`:
per area, facility type and year the demand population (the type's age band), the places,
the Versorgungsquote (places per `je` persons), the target and the places missing or
surplus. Facility types are planned at their planning level (`planungsebene_hoeher` levels
above the finest area) and every coarser level; coarser levels are sums of finest areas.

Years: every 31.12 with both a population and a facilities delivery (`variante` `ist`), and
every year of the projection from the latest base date in each variant, with the places of
the latest facilities delivery valid on that 31.12 (announced closings count, openings
nobody delivered do not).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.bedarf import nachbarn

IST = "ist"

SCHEMA: dict[str, pl.DataType] = {
    "gebiet_id": pl.String(),
    "ebene": pl.String(),
    "ist_planungsebene": pl.Boolean(),
    "art": pl.String(),
    "jahr": pl.Int32(),
    "stichtag": pl.Date(),
    "variante": pl.String(),
    "basis_stichtag": pl.Date(),
    "alter_von": pl.Int32(),
    "alter_bis": pl.Int32(),
    "bedarfsbevoelkerung": pl.Float64(),
    "plaetze": pl.Int64(),
    "zielwert": pl.Float64(),
    "je": pl.Int32(),
    "bedarf_plaetze": pl.Float64(),
    "versorgungsquote": pl.Float64(),
    "platzsaldo": pl.Float64(),
    "plaetze_nachbarn": pl.Float64(),
    "platzsaldo_mit_nachbarn": pl.Float64(),
}
KEY = ["gebiet_id", "art", "jahr", "variante"]


def eckwerte_frame(eckwerte: dict) -> pl.DataFrame:
    """The city config's `bedarfseckwerte` as one row per facility type."""
    return pl.DataFrame(
        [
            {
                "art": art,
                "alter_von": int(e["alter_von"]),
                "alter_bis": int(e["alter_bis"]),
                "zielwert": float(e["zielwert"]),
                "je": int(e["je"]),
                "planungsebene_hoeher": int(e["planungsebene_hoeher"]),
            }
            for art, e in sorted(eckwerte.items())
        ],
        schema={
            "art": pl.String(),
            "alter_von": pl.Int32(),
            "alter_bis": pl.Int32(),
            "zielwert": pl.Float64(),
            "je": pl.Int32(),
            "planungsebene_hoeher": pl.Int32(),
        },
    )


def anteile(eckwerte: dict) -> dict[str, float]:
    """nachbarn_anteil per type (0 where not set)."""
    return {art: float(e.get("nachbarn_anteil", 0) or 0) for art, e in eckwerte.items()}


def _band_sums(persons: pl.DataFrame, value: str, eck: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Persons of each type's age band per `by` (0 where an area has none of that age).

    One type at a time, not a cross join of every person row with every type: at berlin
    scale the projection's rows times the types were most of the build's peak memory."""
    areas = persons.select(by).unique()
    summed = pl.concat(
        [
            persons.filter(pl.col("alter").is_between(lo, hi))
            .group_by(*by)
            .agg(pl.col(value).cast(pl.Float64).sum().alias("bedarfsbevoelkerung"))
            .with_columns(pl.lit(art).alias("art"))
            for art, lo, hi in eck.select("art", "alter_von", "alter_bis").iter_rows()
        ]
    )
    return (
        areas.join(eck.select("art"), how="cross")
        .join(summed, on=[*by, "art"], how="left")
        .with_columns(pl.col("bedarfsbevoelkerung").fill_null(0.0))
    )


def _places(rows: pl.DataFrame, day: date) -> pl.DataFrame:
    """Places per finest area and type valid on `day`."""
    valid = rows.filter(
        (pl.col("gueltig_ab") <= day)
        & (pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= day))
    )
    return valid.group_by("gebiet_id", "art").agg(pl.col("plaetze").cast(pl.Int64).sum())


def _ancestors(gebiete: pl.DataFrame) -> pl.DataFrame:
    """(gebiet_id, ziel_id, ziel_ebene, hoeher): every finest area with itself and its ancestors."""
    latest = gebiete.sort("gueltig_ab", nulls_last=False).group_by("gebiet_id").last()
    levels = latest.select(
        pl.col("gebiet_id").alias("ziel_id"), pl.col("ebene").alias("ziel_ebene")
    )
    return (
        latest.filter(pl.col("ist_feinste_ebene"))
        .select("gebiet_id", pl.col("pfad").str.split("/").list.reverse().alias("ziel_id"))
        .with_columns(pl.int_ranges(0, pl.col("ziel_id").list.len()).alias("hoeher"))
        .explode("ziel_id", "hoeher")
        .with_columns(pl.col("hoeher").cast(pl.Int32))
        .join(levels, on="ziel_id", how="left")
    )


def plan(
    einwohner: pl.DataFrame,
    prognose: pl.DataFrame,
    einrichtungen: pl.DataFrame,
    gebiete: pl.DataFrame,
    eckwerte: dict,
) -> pl.DataFrame:
    """The rows of marts.bedarfsplanung (see the module docstring).

    einwohner: finest areas (gebiet_id, periode, alter, geschlecht, anzahl); prognose: the
    rows of marts.bevoelkerungsprognose; einrichtungen: stg_einrichtungen; gebiete: the area
    dimension (gebiet_id, ebene, pfad, gueltig_ab, ist_feinste_ebene).
    """
    eck = eckwerte_frame(eckwerte)
    if eck.height == 0 or einrichtungen.height == 0:
        return pl.DataFrame(schema=SCHEMA)
    fac = einrichtungen.select("jahr", "gebiet_id", "art", "plaetze", "gueltig_ab", "gueltig_bis")
    fac_years = sorted(set(fac["jahr"].to_list()))
    latest_fac = fac.filter(pl.col("jahr") == fac_years[-1])
    parts = []

    # today and the past: 31.12 with population and facilities of the same year
    ist = einwohner.filter(
        (pl.col("periode").dt.month() == 12) & (pl.col("periode").dt.day() == 31)
    ).with_columns(pl.col("periode").dt.year().cast(pl.Int32).alias("jahr"))
    ist = ist.filter(pl.col("jahr").is_in(fac_years))
    if ist.height:
        demand = _band_sums(ist, "anzahl", eck, ["gebiet_id", "jahr"])
        for year in sorted(set(demand["jahr"].to_list())):
            rows = fac.filter(pl.col("jahr") == year)
            places = _places(rows, date(year, 12, 31)).with_columns(
                pl.lit(year, pl.Int32).alias("jahr")
            )
            parts.append(
                demand.filter(pl.col("jahr") == year)
                .join(places, on=["gebiet_id", "art", "jahr"], how="full", coalesce=True)
                .with_columns(
                    pl.lit(IST).alias("variante"), pl.lit(None, pl.Date).alias("basis_stichtag")
                )
            )

    # the projection from the latest base date, every variant, with today's facilities
    finest = gebiete.filter(pl.col("ist_feinste_ebene"))["gebiet_id"].unique().implode()
    if prognose.height:
        base = prognose["basis_stichtag"].max()
        fwd = prognose.filter(
            (pl.col("basis_stichtag") == base) & pl.col("gebiet_id").is_in(finest)
        ).with_columns(pl.col("stichtag").dt.year().cast(pl.Int32).alias("jahr"))
        demand = _band_sums(fwd, "einwohner", eck, ["gebiet_id", "jahr", "variante"])
        for year in sorted(set(demand["jahr"].to_list())):
            places = _places(latest_fac, date(year, 12, 31))
            for variante in sorted(set(demand["variante"].to_list())):
                parts.append(
                    demand.filter((pl.col("jahr") == year) & (pl.col("variante") == variante))
                    .drop("variante", "jahr")
                    .join(places, on=["gebiet_id", "art"], how="full", coalesce=True)
                    .with_columns(
                        pl.lit(year, pl.Int32).alias("jahr"),
                        pl.lit(variante).alias("variante"),
                        pl.lit(base, pl.Date).alias("basis_stichtag"),
                    )
                )
    if not parts:
        return pl.DataFrame(schema=SCHEMA)
    cols = [
        "gebiet_id",
        "art",
        "jahr",
        "variante",
        "basis_stichtag",
        "bedarfsbevoelkerung",
        "plaetze",
    ]
    finest_rows = pl.concat([p.select(cols) for p in parts], how="vertical_relaxed").with_columns(
        pl.col("bedarfsbevoelkerung").fill_null(0.0), pl.col("plaetze").fill_null(0)
    )
    out = (
        finest_rows.join(_ancestors(gebiete), on="gebiet_id", how="inner")
        .join(eck, on="art", how="inner")
        .filter(pl.col("hoeher") >= pl.col("planungsebene_hoeher"))
        .group_by("ziel_id", "ziel_ebene", "art", "jahr", "variante", "basis_stichtag")
        .agg(
            pl.col("bedarfsbevoelkerung").sum(),
            pl.col("plaetze").sum(),
            (pl.col("hoeher") == pl.col("planungsebene_hoeher")).all().alias("ist_planungsebene"),
        )
        .join(eck, on="art")
        .with_columns(
            (pl.col("bedarfsbevoelkerung") * pl.col("zielwert") / pl.col("je")).alias(
                "bedarf_plaetze"
            ),
            pl.when(pl.col("bedarfsbevoelkerung") > 0)
            .then(pl.col("plaetze") / pl.col("bedarfsbevoelkerung") * pl.col("je"))
            .alias("versorgungsquote"),
            pl.date(pl.col("jahr"), 12, 31).alias("stichtag"),
        )
        .with_columns((pl.col("plaetze") - pl.col("bedarf_plaetze")).alias("platzsaldo"))
        .rename({"ziel_id": "gebiet_id", "ziel_ebene": "ebene"})
    )
    out = nachbarn.add_columns(out, nachbarn.neighbours(gebiete), anteile(eckwerte))
    return out.select([pl.col(c).cast(t) for c, t in SCHEMA.items()]).sort(
        "art", "variante", "jahr", "gebiet_id"
    )
