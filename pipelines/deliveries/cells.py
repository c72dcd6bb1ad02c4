"""Typing text cells by the data contract, keeping every unreadable cell for quarantine."""

from __future__ import annotations

import polars as pl

from pipelines.parsing import german
from pipelines.parsing.table import LINE_COL

QUARANTINE_FRAME_SCHEMA = {
    LINE_COL: pl.Int64,
    "spalte": pl.String,
    "grund": pl.String,
    "werte": pl.String,
}


# raw tables store counts as 32-bit integers; a larger value is a broken cell, not a crash
INT32_MAX = 2**31 - 1
# no field of any delivery is longer (the longest are product and account names); a longer
# cell is garbage or an attack and would otherwise be copied whole into the quarantine
MAX_CELL_CHARS = 2000
# quarantine shows offending values so a delivery can be fixed; a few hundred characters do
MAX_WERTE_CHARS = 1000
WERTE_HEAD_CHARS = 200


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_FRAME_SCHEMA)


def type_columns(frame: pl.DataFrame, types: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse text columns to `types` (string|integer|number|date|ba_count).

    Returns the typed frame (all rows, bad cells null) and one quarantine row per
    unreadable cell with the original text.
    """
    exprs: list[pl.Expr] = []
    bad_exprs: list[tuple[str, pl.Expr]] = []
    for name, kind in types.items():
        col = pl.col(name)
        too_long = col.str.len_chars() > MAX_CELL_CHARS
        if kind == "integer":
            value = german.parse_int(col)
            exprs.append(_in_int32(value).alias(name))
            bad_exprs.append((name, german.int_invalid(col) | too_long | _out_of_int32(value)))
        elif kind == "number":
            exprs.append(german.parse_decimal(col).alias(name))
            bad_exprs.append((name, german.decimal_invalid(col) | too_long))
        elif kind == "date":
            exprs.append(german.parse_date(col).alias(name))
            bad_exprs.append((name, german.date_invalid(col) | too_long))
        elif kind == "ba_count":
            value, symbol = german.parse_ba_count(col)
            exprs += [_in_int32(value).alias(name), symbol.alias(f"{name}_symbol")]
            bad_exprs.append((name, german.ba_count_invalid(col) | too_long | _out_of_int32(value)))
        else:
            blank = german.is_blank(col)
            exprs.append(
                pl.when(blank | too_long).then(None).otherwise(col.str.strip_chars()).alias(name)
            )
            bad_exprs.append((name, too_long.fill_null(False)))
    flags = frame.select([pl.col(LINE_COL)] + [e.alias(f"_bad_{n}") for n, e in bad_exprs])
    bad_parts = []
    for name, _ in bad_exprs:
        hit = flags.get_column(f"_bad_{name}")
        if hit.any():
            rows = frame.filter(hit)
            bad_parts.append(
                rows.select(
                    pl.col(LINE_COL),
                    pl.lit(name).alias("spalte"),
                    pl.lit("wert_ungueltig").alias("grund"),
                    pl.struct(pl.col(name)).struct.json_encode().alias("werte"),
                )
            )
    typed = frame.with_columns(exprs)
    bad = pl.concat(bad_parts) if bad_parts else empty_quarantine()
    return typed, bad


def _out_of_int32(value: pl.Expr) -> pl.Expr:
    return value.is_not_null() & (value.abs() > INT32_MAX)


def _in_int32(value: pl.Expr) -> pl.Expr:
    return pl.when(value.abs() > INT32_MAX).then(None).otherwise(value)


def cap_werte(werte: pl.Expr) -> pl.Expr:
    """Over-long offending values: keep their start and length, as valid JSON."""
    short = pl.struct(
        pl.lit("gekürzt").alias("hinweis"),
        werte.str.len_chars().alias("zeichen"),
        werte.str.slice(0, WERTE_HEAD_CHARS).alias("anfang"),
    ).struct.json_encode()
    return pl.when(werte.str.len_chars() > MAX_WERTE_CHARS).then(short).otherwise(werte)


def quarantine_rows(
    frame: pl.DataFrame, mask: pl.Expr, reason: str, column: str | None, show: list[str]
) -> pl.DataFrame:
    """Quarantine rows of `frame` where `mask` holds, showing the `show` columns as JSON."""
    hit = frame.filter(mask)
    if hit.height == 0:
        return empty_quarantine()
    cols = [c for c in show if c in hit.columns]
    werte = (
        pl.struct([pl.col(c).cast(pl.String) for c in cols]).struct.json_encode()
        if cols
        else pl.lit(None, pl.String)
    )
    return hit.select(
        pl.col(LINE_COL),
        pl.lit(column, pl.String).alias("spalte"),
        pl.lit(reason).alias("grund"),
        werte.alias("werte"),
    )


def concat_quarantine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    parts = [p for p in parts if p.height]
    if not parts:
        return empty_quarantine()
    return (
        pl.concat([p.select(list(QUARANTINE_FRAME_SCHEMA)) for p in parts])
        .unique(subset=[LINE_COL, "spalte", "grund"], keep="first", maintain_order=True)
        .with_columns(cap_werte(pl.col("werte")).alias("werte"))
    )


def drop_lines(frame: pl.DataFrame, quarantine: pl.DataFrame) -> pl.DataFrame:
    if quarantine.height == 0:
        return frame
    return frame.join(quarantine.select(LINE_COL).unique(), on=LINE_COL, how="anti")
