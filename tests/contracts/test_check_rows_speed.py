"""Speed of check_rows on a generated 1-million-row einwohner frame (printed, not asserted)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl

from pipelines.contracts import check_rows

ROWS = 1_000_000


def million_einwohner() -> pl.DataFrame:
    """Distinct keys: 2,476 areas x 101 ages x 2 sexes x 2 citizenships ~ 1 million rows."""
    i = np.arange(ROWS)
    return pl.DataFrame(
        {
            "stichtag": pl.Series([dt.date(2024, 12, 31)]).extend_constant(
                dt.date(2024, 12, 31), ROWS - 1
            ),
            "gebiet_id": (i // 404).astype(str),
            "alter": (i % 101).astype(np.int64),
            "geschlecht": np.array(["m", "w"])[(i // 101) % 2],
            "staatsangehoerigkeit": np.array(["deutsch", "nichtdeutsch"])[(i // 202) % 2],
            "anzahl": np.random.default_rng(7).integers(0, 60, ROWS),
        }
    )


def timed(kind: str, df: pl.DataFrame) -> tuple[float, pl.DataFrame]:
    start = time.perf_counter()
    result = check_rows(kind, df)
    return time.perf_counter() - start, result


def test_check_rows_on_a_million_einwohner_rows(capsys):
    df = million_einwohner()
    check_rows("einwohner", df.head(10))  # model build and imports are not part of the timing

    clean_s, clean = timed("einwohner", df)
    assert clean.height == 0

    # 1 % negative counts, 0.4 % unknown sex codes, 0.1 % duplicated keys
    n = pl.int_range(ROWS)
    dirty_df = df.with_columns(
        pl.when(n % 100 == 0).then(-1).otherwise(pl.col("anzahl")).alias("anzahl"),
        pl.when(n % 250 == 1).then(pl.lit("x")).otherwise(pl.col("geschlecht")).alias("geschlecht"),
        pl.when(n % 1000 == 3)
        .then(pl.lit(0, dtype=pl.Int64))
        .otherwise(pl.col("alter"))
        .alias("alter"),
    )
    dirty_s, dirty = timed("einwohner", dirty_df)
    counts = dict(dirty.group_by("grund").len().iter_rows())
    assert counts["anzahl_negativ"] == 10_000
    assert counts["code_unbekannt"] == 4_000
    assert counts["zeile_doppelt"] > 0

    worst_s, worst = timed("einwohner", df.with_columns(pl.lit(-1, dtype=pl.Int64).alias("anzahl")))
    assert worst.height == ROWS

    with capsys.disabled():
        print(
            f"\ncheck_rows einwohner, {ROWS:,} Zeilen: fehlerfrei {clean_s:.2f} s; "
            f"{dirty.height:,} Fehler {dirty_s:.2f} s; jede Zeile fehlerhaft {worst_s:.2f} s"
        )
