"""Small builders for disclosure tests: hierarchies and cells from plain dicts."""

from __future__ import annotations

import polars as pl

PERIODE = "2024-12-31"


def hierarchy(parents: dict[str, str | None]) -> pl.DataFrame:
    """Hierarchy frame from {gebiet_id: parent_id}; ebene/ebene_rang from the depth."""

    def depth(g: str) -> int:
        return 0 if parents[g] is None else 1 + depth(parents[g])

    rows = [(g, p, f"ebene{depth(g)}", depth(g)) for g, p in parents.items()]
    return pl.DataFrame(
        rows,
        schema={
            "gebiet_id": pl.String,
            "parent_id": pl.String,
            "ebene": pl.String,
            "ebene_rang": pl.Int64,
        },
        orient="row",
    )


def cells(
    values: dict[tuple[str, str], int | str],
    tabelle: str = "t",
    periode: str = PERIODE,
) -> pl.DataFrame:
    """Cell frame from {(merkmal, gebiet_id): count or BA symbol}."""
    rows = []
    for (merkmal, gebiet), v in values.items():
        if isinstance(v, str):
            rows.append((tabelle, merkmal, periode, gebiet, 0 if v == "-" else None, v))
        else:
            rows.append((tabelle, merkmal, periode, gebiet, v, None))
    return pl.DataFrame(
        rows,
        schema={
            "tabelle": pl.String,
            "merkmal": pl.String,
            "periode": pl.String,
            "gebiet_id": pl.String,
            "wert": pl.Int64,
            "quell_symbol": pl.String,
        },
        orient="row",
    )


def cell(frame: pl.DataFrame, merkmal: str, gebiet: str) -> dict:
    """The one row of a result frame for (merkmal, gebiet_id) as a dict."""
    rows = frame.filter((pl.col("merkmal") == merkmal) & (pl.col("gebiet_id") == gebiet)).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def regel(log: pl.DataFrame, merkmal: str, gebiet: str) -> str | None:
    rows = log.filter((pl.col("merkmal") == merkmal) & (pl.col("gebiet_id") == gebiet))
    return rows["regel"][0] if rows.height else None
