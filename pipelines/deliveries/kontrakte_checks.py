"""Checks the Kontraktmanagement kinds share (massnahmen, massnahmen_ziele,
massnahmen_budget, leistungsberichte): measures known to massnahmen.csv, target areas valid
during a measure's term."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.cells import empty_quarantine, quarantine_rows
from pipelines.parsing.table import LINE_COL


def unknown_measures(frame: pl.DataFrame, massnahmen: pl.DataFrame | None, show: list[str]):
    """Rows whose massnahme_id is not a measure of the loaded massnahmen.csv."""
    known = (
        massnahmen.get_column("massnahme_id")
        if massnahmen is not None
        else pl.Series("massnahme_id", [], pl.String)
    )
    return quarantine_rows(
        frame,
        pl.col("massnahme_id").is_not_null() & ~pl.col("massnahme_id").is_in(known.implode()),
        "massnahme_unbekannt",
        "massnahme_id",
        show,
    )


def split_area_list(column: str = "gebiete") -> pl.Expr:
    """`010201, 020101` -> ['010201', '020101'] (blanks dropped)."""
    return (
        pl.col(column)
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def unknown_target_areas(frame: pl.DataFrame, areas: pl.DataFrame, show: list[str]):
    """Rows naming an area key that is no finest area valid on any day of the term."""
    if frame.height == 0:
        return empty_quarantine()
    keys = (
        frame.select(LINE_COL, "beginn", "ende", split_area_list().alias("gebiet_id"))
        .explode("gebiet_id")
        .filter(pl.col("beginn").is_not_null() & pl.col("ende").is_not_null())
    )
    valid = keys.join(
        areas.select("gebiet_id", "gueltig_ab", "gueltig_bis"), on="gebiet_id"
    ).filter(
        (pl.col("gueltig_ab").is_null() | (pl.col("gueltig_ab") <= pl.col("ende")))
        & (pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= pl.col("beginn")))
    )
    bad_lines = (
        keys.filter(pl.col("gebiet_id").is_null())
        .vstack(keys.join(valid, on=[LINE_COL, "gebiet_id"], how="anti").select(keys.columns))
        .get_column(LINE_COL)
        .unique()
    )
    return quarantine_rows(
        frame, pl.col(LINE_COL).is_in(bad_lines.implode()), "gebiet_unbekannt", "gebiete", show
    )
