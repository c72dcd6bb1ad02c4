"""German number, date and BA-symbol notation as polars expressions.

Every parser returns nulls for cells it cannot read; `*_invalid` expressions tell a
genuinely empty cell from an unreadable one, so the loader can quarantine the row
with the column name instead of silently turning a typo into NULL.
"""

from __future__ import annotations

import polars as pl


def thousands(n: float) -> str:
    """A whole number as a German reader writes it: `1.234.567`."""
    return f"{n:,.0f}".replace(",", ".")


# 1234 | 1.234 | 1.234.567 | -12 (dot as thousands separator; spaces tolerated)
_INT_RE = r"^-?(\d{1,3}(\.\d{3})+|\d+)$"
# 1234,50 | 1.234,50 | -0,5 | 1234 | 1.234 | and a plain decimal point 1234.5 / 1234.50
_DEC_COMMA_RE = r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
_DEC_POINT_RE = r"^-?\d+\.(\d{1,2}|\d{4,})$"

BA_SYMBOLS = {"*": None, "-": 0, ".": None, "x": None}


def _clean(col: pl.Expr) -> pl.Expr:
    return col.cast(pl.String).str.strip_chars().str.replace_all(r"[\u00a0 ]", "")


def is_blank(col: pl.Expr) -> pl.Expr:
    return col.is_null() | (col.cast(pl.String).str.strip_chars() == "")


def parse_int(col: pl.Expr) -> pl.Expr:
    """German integer (`1.234`) -> Int64; unreadable -> null."""
    s = _clean(col)
    return (
        pl.when(s.str.contains(_INT_RE))
        .then(s.str.replace_all(r"\.", "").cast(pl.Int64, strict=False))
        .otherwise(None)
    )


def int_invalid(col: pl.Expr) -> pl.Expr:
    return ~is_blank(col) & ~_clean(col).str.contains(_INT_RE)


def parse_decimal(col: pl.Expr) -> pl.Expr:
    """German decimal (`1.234,50`) -> Float64; also accepts a plain `1234.50`."""
    s = _clean(col)
    german = s.str.replace_all(r"\.", "").str.replace(",", ".")
    return (
        pl.when(s.str.contains(_DEC_COMMA_RE))
        .then(german.cast(pl.Float64, strict=False))
        .when(s.str.contains(_DEC_POINT_RE))
        .then(s.cast(pl.Float64, strict=False))
        .otherwise(None)
    )


def decimal_invalid(col: pl.Expr) -> pl.Expr:
    s = _clean(col)
    return ~is_blank(col) & ~(s.str.contains(_DEC_COMMA_RE) | s.str.contains(_DEC_POINT_RE))


def parse_date(col: pl.Expr) -> pl.Expr:
    """`TT.MM.JJJJ` or ISO `JJJJ-MM-TT` -> Date; impossible dates (31.02.) -> null."""
    s = col.cast(pl.String).str.strip_chars()
    return (
        pl.when(s.str.contains(r"^\d{1,2}\.\d{1,2}\.\d{4}$"))
        .then(s.str.strptime(pl.Date, "%d.%m.%Y", strict=False, exact=True))
        .when(s.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(s.str.strptime(pl.Date, "%Y-%m-%d", strict=False, exact=True))
        .otherwise(None)
    )


def date_invalid(col: pl.Expr) -> pl.Expr:
    return ~is_blank(col) & parse_date(col).is_null()


def parse_ba_count(col: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """BA cell -> (value, symbol). `*`/`.`/`x` -> (null, sym); `-` -> (0, '-'); number -> (n, null)."""
    s = _clean(col)
    symbol = pl.when(s.is_in(list(BA_SYMBOLS))).then(s).otherwise(None)
    value = pl.when(s == "-").then(pl.lit(0, pl.Int64)).otherwise(parse_int(col))
    return value, symbol


def ba_count_invalid(col: pl.Expr) -> pl.Expr:
    s = _clean(col)
    return ~is_blank(col) & ~s.is_in(list(BA_SYMBOLS)) & ~s.str.contains(_INT_RE)


MONTH_NAMES = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip
# month name (lower case, with the usual spelling variants) -> number, for BA title blocks
MONTHS_DE = {name.lower(): i for i, name in enumerate(MONTH_NAMES, start=1)} | {
    "jänner": 1,
    "maerz": 3,
}
