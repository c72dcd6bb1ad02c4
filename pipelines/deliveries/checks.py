"""Row checks shared by several delivery kinds."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.deliveries.cells import empty_quarantine, quarantine_rows
from pipelines.parsing.table import LINE_COL, FileRejected


def contract_violations(kind: str, typed: pl.DataFrame, show: list[str]) -> pl.DataFrame:
    """Rules of the data contract (pandera) as quarantine rows with line numbers."""
    from pipelines.contracts import check_rows

    fails = check_rows(kind, typed.drop(LINE_COL))
    if fails.height == 0:
        return empty_quarantine()
    lines = (
        typed.select(pl.col(LINE_COL))
        .with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    cols = [c for c in show if c in typed.columns]
    shown = (
        typed.with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64))
        .select(
            "_row",
            (
                pl.struct([pl.col(c).cast(pl.String) for c in cols]).struct.json_encode()
                if cols
                else pl.lit(None, pl.String)
            ).alias("werte"),
        )
    )
    return (
        fails.with_columns(pl.col("_row").cast(pl.Int64))
        .join(lines, on="_row", how="left")
        .join(shown, on="_row", how="left")
        .select(LINE_COL, pl.col("spalte").cast(pl.String), pl.col("grund"), "werte")
    )


def valid_on(areas: pl.DataFrame, on_date: date) -> pl.DataFrame:
    """The areas (rows with gueltig_ab/gueltig_bis) valid on `on_date`."""
    return areas.filter(
        (pl.col("gueltig_ab").is_null() | (pl.col("gueltig_ab") <= on_date))
        & (pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") >= on_date))
    )


def unknown_areas(
    frame: pl.DataFrame, areas: pl.DataFrame, on_date: date, show: list[str]
) -> pl.DataFrame:
    """Rows whose gebiet_id is not a finest area valid on `on_date`."""
    valid = valid_on(areas, on_date).get_column("gebiet_id")
    return quarantine_rows(
        frame,
        pl.col("gebiet_id").is_not_null() & ~pl.col("gebiet_id").is_in(valid.implode()),
        "gebiet_unbekannt",
        "gebiet_id",
        show,
    )


# a date shared by fewer rows of a person-level file could be one person's birth date
MIN_ROWS_TO_SHOW_PERIOD = 3


def check_period_column(
    frame: pl.DataFrame,
    column: str,
    expected,
    label: str,
    show: list[str],
    personal: bool = False,
) -> pl.DataFrame:
    """The file's content must hold the period of its name.

    If most rows name another period the file is rejected (name and content
    disagree); single stray rows are quarantined. In a person-level file the date found
    is named only when several rows share it.
    """
    values = frame.get_column(column).drop_nulls()
    if values.len() == 0:
        return empty_quarantine()
    off = values != expected
    if off.sum() * 2 > values.len():
        found = values.filter(off).mode().sort()[0]
        shown = _fmt(found)
        if personal and (values == found).sum() < MIN_ROWS_TO_SHOW_PERIOD:
            shown = "ein anderes Datum"
        raise FileRejected(
            "periode_widerspruch",
            f"Zeitraum im Dateinamen ({label}) und im Inhalt ({shown} in Spalte "
            f"{column}) stimmen nicht überein",
        )
    return quarantine_rows(
        frame,
        pl.col(column).is_not_null() & (pl.col(column) != expected),
        "periode_abweichend",
        column,
        show,
    )


def duplicate_keys(frame: pl.DataFrame, keys: list[str], reason: str, show: list[str]):
    """Every occurrence of a key after its first."""
    dup = pl.int_range(pl.len()).over(keys) > 0
    return quarantine_rows(frame.sort(LINE_COL), dup, reason, None, show)


def _fmt(v) -> str:
    if isinstance(v, date):
        return v.strftime("%d.%m.%Y")
    return str(v)


def split_valid(
    typed: pl.DataFrame,
    problems: list[pl.DataFrame],
    keys: list[str] | None = None,
    duplicate_reason: str = "zeile_doppelt",
    show: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to load, quarantine): rows with a problem out, then every repeat of a key."""
    from pipelines.deliveries.cells import concat_quarantine, drop_lines

    quarantine = concat_quarantine(problems)
    ok = drop_lines(typed, quarantine)
    if keys:
        dups = duplicate_keys(ok, keys, duplicate_reason, show or keys)
        quarantine = concat_quarantine([quarantine, dups])
        ok = drop_lines(ok, dups)
    return ok, quarantine
