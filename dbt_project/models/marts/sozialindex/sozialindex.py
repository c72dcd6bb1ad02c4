"""marts.sozialindex: the social index per finest area and reference date.

A dbt Python model: it assembles, per reference date, one row per finest area of today's
layout (gebiet_id, einwohner, the recipe's status shares, `<id>_dynamik`) from
marts.indikatoren and hands it to `pipelines.sozialindex.compute_index` with the recipe
from the dbt var `sozialindex` (passed in as JSON through the model config, since Python
models cannot call var()). Reference dates: those on which every status indicator of the
recipe has values. `einwohner` is the population on the status indicators' denominator
date (the same date when delivered).
"""

import json


def _flaechen_frame(indikatoren, status, periode):
    """One row per finest area for one reference date, in the shape compute_index reads."""
    import polars as pl

    stichtag = indikatoren.filter(pl.col("periode") == periode)
    werte = stichtag.filter(pl.col("indikator_id").is_in(status)).pivot(
        on="indikator_id", index="gebiet_id", values="wert", aggregate_function="first"
    )
    dynamik = (
        stichtag.filter(pl.col("indikator_id").is_in(status))
        .with_columns((pl.col("indikator_id") + "_dynamik").alias("spalte"))
        .pivot(on="spalte", index="gebiet_id", values="dynamik", aggregate_function="first")
    )
    nenner_tag = (
        stichtag.filter(pl.col("indikator_id").is_in(status))
        .group_by("gebiet_id")
        .agg(pl.col("nenner_stichtag").max().alias("ew_stichtag"))
    )
    einwohner = indikatoren.filter(pl.col("indikator_id") == "ew").select(
        "gebiet_id", pl.col("periode").alias("ew_stichtag"), pl.col("wert").alias("einwohner")
    )
    frame = (
        werte.join(dynamik, on="gebiet_id", how="left")
        .join(nenner_tag, on="gebiet_id", how="left")
        .join(einwohner, on=["gebiet_id", "ew_stichtag"], how="left")
        .drop("ew_stichtag")
    )
    for name in status:
        for spalte in (name, f"{name}_dynamik"):
            if spalte not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(spalte))
    return frame


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from pipelines.sozialindex import compute_index, recipe_from_config

    recipe = recipe_from_config(json.loads(dbt.config.get("sozialindex_json") or "{}"))
    status = list(recipe.status)

    alle = dbt.ref("indikatoren").pl()
    feinste_ebene = alle["ebene_rang"].max()
    indikatoren = alle.filter(
        pl.col("aktueller_gebietsstand") & (pl.col("ebene_rang") == feinste_ebene)
    ).select("indikator_id", "gebiet_id", "periode", "wert", "dynamik", "nenner_stichtag")

    vorhanden = (
        indikatoren.filter(pl.col("indikator_id").is_in(status))
        .group_by("periode")
        .agg(pl.col("indikator_id").n_unique().alias("anzahl"))
        .filter(pl.col("anzahl") == len(status))
        .sort("periode")
    )

    teile = []
    for periode in vorhanden["periode"].to_list():
        ergebnis = compute_index(_flaechen_frame(indikatoren, status, periode), recipe)
        teile.append(ergebnis.select(pl.lit(periode).alias("periode"), pl.all()))
    if not teile:
        # no reference date yet: an empty table with the output columns of compute_index
        leer = pl.DataFrame(
            {"gebiet_id": [], "einwohner": []} | {name: [] for name in (*status, *recipe.dynamik)},
            schema={"gebiet_id": pl.String, "einwohner": pl.Float64}
            | {name: pl.Float64 for name in (*status, *recipe.dynamik)},
        )
        return compute_index(leer, recipe).select(
            pl.lit(None, dtype=pl.Date).alias("periode"), pl.all()
        )
    return pl.concat(teile, how="vertical")
