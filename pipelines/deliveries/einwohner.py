"""einwohner: register population by finest area, age, sex, citizenship (one file per Stichtag)."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import (
    check_period_column,
    contract_violations,
    split_valid,
    unknown_areas,
)
from pipelines.parsing.table import ParsedTable

KEY = ["stichtag", "gebiet_id", "alter", "geschlecht", "staatsangehoerigkeit"]


class Einwohner(DeliveryKind):
    name = "einwohner"
    volume_total = "anzahl"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        show = [*KEY, "anzahl"]
        q = [bad]
        q.append(
            check_period_column(typed, "stichtag", file.period.value, file.period.label(), show)
        )
        q.append(contract_violations(self.name, typed, show))
        q.append(unknown_areas(typed, ctx.areas, file.period.last_day, show))
        ok, quarantine = split_valid(typed, q, KEY, show=show)
        rows = ok.select(
            pl.col("stichtag"),
            pl.col("gebiet_id"),
            pl.col("alter").cast(pl.Int32),
            pl.col("geschlecht").str.to_lowercase(),
            pl.col("staatsangehoerigkeit").str.to_lowercase(),
            pl.col("anzahl").cast(pl.Int32),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
