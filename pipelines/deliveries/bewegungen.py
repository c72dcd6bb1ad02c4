"""bewegungen: moves, births and deaths per finest area and year (optional delivery)."""

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

KEY = ["jahr", "gebiet_id", "art"]


class Bewegungen(DeliveryKind):
    name = "bewegungen"
    volume_total = "anzahl"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        show = [*KEY, "anzahl"]
        q = [bad, check_period_column(typed, "jahr", file.period.value, file.period.label(), show)]
        q.append(contract_violations(self.name, typed, show))
        q.append(unknown_areas(typed, ctx.areas, file.period.last_day, show))
        ok, quarantine = split_valid(typed, q, KEY, show=show)
        rows = ok.select(
            pl.col("jahr").cast(pl.Int32),
            "gebiet_id",
            pl.col("art").str.to_lowercase(),
            pl.col("anzahl").cast(pl.Int32),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
