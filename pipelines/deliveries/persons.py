"""What person-level deliveries (SGB XII, SGB VIII) share: the docs/protection.md reductions."""

from __future__ import annotations

import polars as pl

NAME_COLUMNS = ("nachname", "vorname")
BIRTH_COLUMN = "geburtsdatum"
HIDDEN = "(personenbezogen, nicht gespeichert)"


def age_at(birth: pl.Expr, ref: pl.Expr) -> pl.Expr:
    """Completed years at `ref` (a 29 February birthday counts from 1 March in other years)."""
    # dt.month()/dt.day() are Int8: widen before arithmetic, or 12 * 100 overflows
    md = lambda d: d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)  # noqa: E731
    before_birthday = md(ref) < md(birth)
    years = ref.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32)
    return years - before_birthday.cast(pl.Int32)


def scrub_quarantine(quarantine: pl.DataFrame, personal_columns: set[str]) -> pl.DataFrame:
    """Never keep a name, birth date or case number as an offending value."""
    if quarantine.height == 0:
        return quarantine
    return quarantine.with_columns(
        pl.when(pl.col("spalte").is_in(list(personal_columns)))
        .then(pl.lit(f'"{HIDDEN}"'))
        .otherwise(pl.col("werte"))
        .alias("werte")
    )


def drop_names(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop([c for c in NAME_COLUMNS if c in frame.columns])


def locate(
    typed: pl.DataFrame, ref: pl.Expr, directory: pl.DataFrame, show: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The finest area of each address on `ref`; unmatched addresses as quarantine rows
    (the address may stay there so the delivering office can fix it)."""
    from pipelines.deliveries.cells import quarantine_rows
    from pipelines.protection.addresses import assign_area

    located = assign_area(typed.with_columns(ref.alias("_ref")), directory, "_ref")
    unmatched = quarantine_rows(
        located,
        pl.col("gebiet_id").is_null() & pl.col("strasse").is_not_null(),
        "adresse_unbekannt",
        "strasse",
        ["strasse", "hausnummer", *show],
    )
    return located, unmatched
