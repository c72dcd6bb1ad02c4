"""einrichtungen: facilities (Kitas, schools, youth and senior facilities) per finest area.

One file per calendar year holds every facility that existed at some time in the year, one
row per facility, type and start of validity. Unknown codes (`art`), negative places and
contradicting validity are contract rules; the area must be a finest area valid on 31.12.,
and a row whose validity does not touch the year is out of place (`periode_abweichend`).
A row may give its address (`strasse`, `hausnummer`) instead of the area: the address
directory locates it on 31.12. of the year; an address the directory does not know is
`adresse_unbekannt`, a row with neither area nor address `pflichtwert_fehlt`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import quarantine_rows
from pipelines.deliveries.checks import contract_violations, split_valid, unknown_areas
from pipelines.parsing.table import ParsedTable

KEY = ["einrichtung_id", "art", "gueltig_ab"]


class Einrichtungen(DeliveryKind):
    name = "einrichtungen"
    volume_total = "plaetze"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        show = [*KEY, "gebiet_id", "plaetze", "gueltig_bis"]
        typed, unlocated = _locate(typed, ctx, file.period.last_day, show)
        first_day = date(file.period.last_day.year, 1, 1)
        outside = (pl.col("gueltig_ab") > file.period.last_day) | (
            pl.col("gueltig_bis").is_not_null() & (pl.col("gueltig_bis") < first_day)
        )
        q = [
            bad,
            *unlocated,
            contract_violations(self.name, typed, show),
            unknown_areas(typed, ctx.areas, file.period.last_day, show),
            quarantine_rows(typed, outside, "periode_abweichend", "gueltig_ab", show),
        ]
        ok, quarantine = split_valid(typed, q, KEY, show=show)
        rows = ok.select(
            pl.col("jahr").cast(pl.Int32),
            "einrichtung_id",
            "name",
            pl.col("art").str.to_lowercase(),
            "gebiet_id",
            pl.col("plaetze").cast(pl.Int32),
            "traeger",
            "gueltig_ab",
            "gueltig_bis",
        )
        return Transformed(rows, quarantine, parsed.rows_read)


def _locate(
    typed: pl.DataFrame, ctx: LoadContext, on: date, show: list[str]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The area of rows that give an address instead of `gebiet_id`, from the directory on
    `on`; quarantine for unknown addresses and for rows with neither."""
    from pipelines.protection.addresses import assign_area

    for column in ("strasse", "hausnummer"):
        if column not in typed.columns:
            typed = typed.with_columns(pl.lit(None, pl.String).alias(column))
    wanted = pl.col("gebiet_id").is_null() & pl.col("strasse").is_not_null()
    if ctx.directory is not None and typed.filter(wanted).height:
        located = assign_area(
            typed.with_columns(pl.lit(on).alias("_stand")), ctx.directory, "_stand", "_adresse"
        )
        typed = located.with_columns(pl.coalesce("gebiet_id", "_adresse").alias("gebiet_id"))
        typed = typed.drop("_stand", "_adresse")
    address = ["strasse", "hausnummer", *show]
    return typed, [
        quarantine_rows(
            typed, wanted & pl.col("gebiet_id").is_null(), "adresse_unbekannt", "strasse", address
        ),
        quarantine_rows(
            typed,
            pl.col("gebiet_id").is_null() & pl.col("strasse").is_null(),
            "pflichtwert_fehlt",
            "gebiet_id",
            show,
        ),
    ]
