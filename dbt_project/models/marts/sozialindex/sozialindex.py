"""marts.sozialindex: the social index per finest area and reference date.

A dbt Python model: it assembles, per reference date, one row per finest area of today's
layout (gebiet_id, einwohner, the recipe's status shares, `<id>_dynamik`) from
marts.indikatoren and hands it to `pipelines.sozialindex.compute_index` with the recipe
from the dbt var `sozialindex` (passed in as JSON through the model config, since Python
models cannot call var()). Reference dates: those on which every status indicator of the
recipe has values. `einwohner` is the population on the status indicators' denominator
date (the same date when delivered).

Incremental by reference date, like marts.indikatoren: the monthly path (the environment
variable SOZIALMONITOR_TESTS_AB_PERIODE, read while executing) recomputes the dates from
its earliest changed one on; an index reads its own date only (and the population on an
earlier date), so the earlier dates stay. Every other build is a full refresh.
"""

import json
import os
import re


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


def _ab(dbt):
    """The first reference date to recompute (monthly path), or None: every date."""
    ab = os.environ.get("SOZIALMONITOR_TESTS_AB_PERIODE", "")
    if not ab or not dbt.is_incremental:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", ab):
        raise ValueError(f"SOZIALMONITOR_TESTS_AB_PERIODE ist kein Datum: {ab}")
    return ab


def model(dbt, session):
    dbt.config(
        materialized="incremental", incremental_strategy="delete+insert", unique_key="periode"
    )
    import polars as pl

    from pipelines.sozialindex import compute_index, recipe_from_config

    recipe = recipe_from_config(json.loads(dbt.config.get("sozialindex_json") or "{}"))
    status = list(recipe.status)
    ab = _ab(dbt)

    # the finest areas of today's layout only, read in DuckDB (not the whole mart)
    alle = dbt.ref("indikatoren")
    feinste_ebene = alle.aggregate("max(ebene_rang)").fetchone()[0]
    bedingung = f"aktueller_gebietsstand and ebene_rang = {int(feinste_ebene or 0)}"
    if ab:
        # the population may lie before the first date recomputed (its denominator date)
        bedingung += f" and (periode >= date '{ab}' or indikator_id = 'ew')"
    indikatoren = (
        alle.filter(bedingung)
        .project("indikator_id, gebiet_id, periode, wert, dynamik, nenner_stichtag")
        .pl()
        .filter(pl.col("indikator_id").is_in([*status, "ew"]))
    )

    status_zeilen = indikatoren.filter(pl.col("indikator_id").is_in(status))
    vorhanden = (
        status_zeilen.group_by("periode")
        .agg(pl.col("indikator_id").n_unique().alias("anzahl"))
        .filter(pl.col("anzahl") == len(status))
        .sort("periode")
    )

    teile = []
    je_periode = status_zeilen.partition_by("periode", as_dict=True)
    einwohner = indikatoren.filter(pl.col("indikator_id") == "ew")
    for periode in vorhanden["periode"].to_list():
        flaechen = _flaechen_frame(pl.concat([je_periode[(periode,)], einwohner]), status, periode)
        ergebnis = compute_index(flaechen, recipe)
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
