"""The Musterstadt example deliveries as typed frames, for the contract tests.

The reader here is deliberately minimal (German numbers and dates, two encodings) and only
serves the tests; the real parser lives in pipelines/parsing. The SGB II example has a BA
title block and symbols, so it is typed by hand from the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.contracts import load_contract

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "musterstadt" / "landing"

EXAMPLE_FILES = {
    "gebiete": "reference/gebiete.csv",
    "gebiete_umschluessel": "reference/gebiete_umschluessel.csv",
    "adressen": "reference/adressen.csv",
    "produkte": "reference/produkte.csv",
    "ziele": "reference/ziele.csv",
    "einwohner": "einwohner/einwohner_2024-12-31.csv",
    "bewegungen": "bewegungen/bewegungen_2024.csv",
    "sgb12": "sgb12/sgb12_2024-12-31.csv",
    "sgb8": "sgb8/sgb8_2024.csv",
    "finanzen": "finanzen/finanzen_2024.csv",
}


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_text_frame(path: Path) -> pl.DataFrame:
    text = decode(path.read_bytes())
    lines = [line.split(";") for line in text.splitlines() if line.strip()]
    header, rows = lines[0], lines[1:]
    return pl.DataFrame(
        {name: [row[i] or None for row in rows] for i, name in enumerate(header)},
        schema={name: pl.String for name in header},
    )


def to_typed(kind: str, raw: pl.DataFrame) -> pl.DataFrame:
    """Cast the text columns to the contract's dtypes (German number and date formats)."""
    contract = load_contract(kind)
    exprs = []
    for col in contract.columns:
        if col.name not in raw.columns:
            continue
        text = pl.col(col.name).str.strip_chars()
        dtype = col.dtype
        if dtype == pl.Date:
            expr = pl.coalesce(
                text.str.strptime(pl.Date, "%d.%m.%Y", strict=False),
                text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            )
        elif dtype in (pl.Int64, pl.Float64) or isinstance(dtype, pl.Decimal):
            number = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
            expr = number.cast(dtype)
        else:
            expr = text
        exprs.append(expr.alias(col.name))
    return raw.select(exprs)


def sgb2_example() -> pl.DataFrame:
    """sgb2_2024-12.csv typed by hand: `*` -> value null, `-` -> value 0, as docs/sources.md says."""
    s, z = "*", "-"
    rows = [
        # gebiet, name, bg, rlb, elb, nef, nef_u15, alo_sgb2, lzb, bg_alleinerziehend
        ("010101", "Markt", 61, 104, 80, 24, 22, 31, 52, 9),
        ("010102", "Dom", 12, 21, 17, 4, 4, 5, 9, s),
        ("010201", "Kai", 402, 1204, 815, 389, 371, 268, 570, 71),
        ("020101", "Lindenhof-West", 35, 58, 45, 13, 12, 14, 22, z),
        ("020102", "Am Bach", s, s, s, z, z, z, z, z),
    ]
    measures = ["bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend"]
    data: dict[str, list] = {
        "berichtsmonat": [dt.date(2024, 12, 1)] * len(rows),
        "gebiet_id": [r[0] for r in rows],
        "gebietsname": [r[1] for r in rows],
    }
    for i, m in enumerate(measures, start=2):
        cells = [r[i] for r in rows]
        data[m] = [c if isinstance(c, int) else (0 if c == z else None) for c in cells]
        data[f"{m}_symbol"] = [None if isinstance(c, int) else c for c in cells]
    return pl.DataFrame(data, schema=load_contract("sgb2").typed_schema())


def example_frame(kind: str) -> pl.DataFrame:
    if kind == "sgb2":
        return sgb2_example()
    frame = to_typed(kind, read_text_frame(EXAMPLES / EXAMPLE_FILES[kind]))
    if kind == "sgb8":
        # the year of an SGB VIII file comes from its name (sgb8_2024.csv)
        frame = frame.with_columns(pl.lit(2024, dtype=pl.Int64).alias("jahr"))
    # optional header columns (bewegungen: alter, geschlecht) may be absent from the file
    return frame.select([c for c in load_contract(kind).typed_schema() if c in frame.columns])
