"""massnahmen_budget: the agreed budget (Plan) per measure and year."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import contract_violations, split_valid
from pipelines.deliveries.kontrakte_checks import unknown_measures
from pipelines.parsing.table import ParsedTable

SHOW = ["massnahme_id", "jahr", "plan_eur"]


class MassnahmenBudget(DeliveryKind):
    name = "massnahmen_budget"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        q = [
            bad,
            contract_violations(self.name, typed, SHOW),
            unknown_measures(typed, ctx.massnahmen, SHOW),
        ]
        ok, quarantine = split_valid(typed, q, ["massnahme_id", "jahr"], show=SHOW)
        rows = ok.select("massnahme_id", pl.col("jahr").cast(pl.Int32), pl.col("plan_eur").round(2))
        return Transformed(rows, quarantine, parsed.rows_read)
