"""bewegungen: moves, births and deaths per finest area and year (optional delivery).

The columns `alter` and `geschlecht` are optional: a file without them loads as one row per
year, area and kind (both columns empty in the raw table); a file with them breaks every kind
down by age (on 31.12 of the year; births: the mother's) and sex (births: the child's). Rows
with an empty age are counts of unknown age, so the sum over all rows stays the kind's total.
"""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import quarantine_rows
from pipelines.deliveries.checks import (
    check_period_column,
    contract_violations,
    split_valid,
    unknown_areas,
)
from pipelines.parsing.table import ParsedTable

KEY = ["jahr", "gebiet_id", "art", "alter", "geschlecht"]
#: a birth's mother is at least this and at most that old on 31.12 (else alter_unplausibel)
MOTHER_AGES = (10, 60)


class Bewegungen(DeliveryKind):
    name = "bewegungen"
    volume_total = "anzahl"
    # a file by age and sex has many more rows than one without: compare areas x kinds
    volume_grain = ("gebiet_id", "art")

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        typed = typed.with_columns(
            [
                pl.lit(None, dtype).alias(col)
                for col, dtype in (("alter", pl.Int64), ("geschlecht", pl.String))
                if col not in typed.columns
            ]
        ).with_columns(pl.col("geschlecht").str.to_lowercase())
        show = [*KEY, "anzahl"]
        q = [bad, check_period_column(typed, "jahr", file.period.value, file.period.label(), show)]
        q.append(contract_violations(self.name, typed, show))
        q.append(unknown_areas(typed, ctx.areas, file.period.last_day, show))
        lo, hi = MOTHER_AGES
        mother = (pl.col("art").str.to_lowercase() == "geburt") & ~pl.col("alter").is_between(
            lo, hi
        )
        q.append(
            quarantine_rows(typed, mother.fill_null(False), "alter_unplausibel", "alter", show)
        )
        ok, quarantine = split_valid(typed, q, KEY, show=show)
        rows = ok.select(
            pl.col("jahr").cast(pl.Int32),
            "gebiet_id",
            pl.col("art").str.to_lowercase(),
            pl.col("alter").cast(pl.Int32),
            "geschlecht",
            pl.col("anzahl").cast(pl.Int32),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
