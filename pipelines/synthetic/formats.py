"""German notations and file encodings as municipal systems write them.

Formatting is done with polars expressions so that the large files (population,
SGB XII snapshots) never go through a per-row Python loop.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
from pathlib import Path

import polars as pl
import xlsxwriter

# Legacy Windows-1252 exports cannot hold Turkish, Polish or Romanian letters; the case
# software replaces them by their base letter, which is what we imitate.
_TRANSLIT = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ş": "s",
        "Ş": "S",
        "ğ": "g",
        "Ğ": "G",
        "ł": "l",
        "Ł": "L",
        "ą": "a",
        "ę": "e",
        "ć": "c",
        "ń": "n",
        "ś": "s",
        "Ś": "S",
        "ź": "z",
        "ż": "z",
        "Ż": "Z",
        "ă": "a",
        "ș": "s",
        "ț": "t",
        "Ș": "S",
        "Ț": "T",
        "ő": "ö",
        "ě": "e",
        "č": "c",
        "ř": "r",
        "ů": "u",
        "ơ": "o",
        "ư": "u",
        "đ": "d",
        "Đ": "D",
    }
)


def _translit_handler(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    bad = err.object[err.start : err.end]
    return bad.translate(_TRANSLIT).encode("ascii", "replace").decode("ascii"), err.end


codecs.register_error("sozialmonitor_translit", _translit_handler)

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")


def encode_text(text: str, encoding: str) -> bytes:
    """Encode like the delivering system: BOM for utf-8-sig, transliteration for cp1252."""
    if encoding == "cp1252":
        return text.encode("cp1252", errors="sozialmonitor_translit")
    if encoding in ("utf-8", "utf-8-sig"):
        return text.encode(encoding)
    raise ValueError(f"unbekannte Kodierung: {encoding}")


def frame_to_text(df: pl.DataFrame) -> str:
    """Semicolon CSV with CRLF line ends, empty cells for nulls and empty strings.

    polars quotes empty strings (`""`) to tell them from nulls; municipal exports do not.
    """
    df = df.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )
    return df.write_csv(separator=";", line_terminator="\r\n", null_value="")


def write_text(path: Path, text: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_text(text, encoding))


def _zfill3(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.String).str.zfill(3)


def grouped_int(x: pl.Expr) -> pl.Expr:
    """Non-negative integer with `.` as thousands separator (`1.234.567`)."""
    g0, g1 = x % 1000, (x // 1000) % 1000
    g2, g3 = (x // 1_000_000) % 1000, x // 1_000_000_000
    return (
        pl.when(x >= 1_000_000_000)
        .then(pl.format("{}.{}.{}.{}", g3, _zfill3(g2), _zfill3(g1), _zfill3(g0)))
        .when(x >= 1_000_000)
        .then(pl.format("{}.{}.{}", g2, _zfill3(g1), _zfill3(g0)))
        .when(x >= 1000)
        .then(pl.format("{}.{}", g1, _zfill3(g0)))
        .otherwise(x.cast(pl.String))
    )


def money_expr(cents: pl.Expr, thousands: bool = True) -> pl.Expr:
    """Integer cents as German money: `1.234,56`, `-540,00`; null stays null."""
    a = cents.abs()
    euros = a // 100
    euro_txt = grouped_int(euros) if thousands else euros.cast(pl.String)
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.format("{}{},{}", sign, euro_txt, (a % 100).cast(pl.String).str.zfill(2))


def date_expr(d: pl.Expr, style: str) -> pl.Expr:
    """`de`: TT.MM.JJJJ, `iso`: JJJJ-MM-TT."""
    return d.dt.strftime("%d.%m.%Y" if style == "de" else "%Y-%m-%d")


def date_text(d: dt.date | None, style: str) -> str:
    if d is None:
        return ""
    return d.strftime("%d.%m.%Y") if style == "de" else d.isoformat()


def money_text(cents: int, thousands: bool = True) -> str:
    """Pure-Python twin of `money_expr` for small frames."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    euro_txt = f"{euros:,}".replace(",", ".") if thousands else str(euros)
    return f"{sign}{euro_txt},{rest:02d}"


def count_text(n: int, thousands: bool = True) -> str:
    return f"{n:,}".replace(",", ".") if thousands else str(n)


def decimal_text(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


# Fixed creation date: XLSX files must be byte-identical for the same seed.
XLSX_CREATED = dt.datetime(2025, 1, 15, 8, 0, 0)


def xlsx_bytes(sheet_name: str, rows: list[list[object]]) -> bytes:
    """One sheet, cells written as given (str as text, int as number, None empty)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties({"created": XLSX_CREATED, "author": "Statistik der BA"})
    ws = wb.add_worksheet(sheet_name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    wb.close()
    return buf.getvalue()
