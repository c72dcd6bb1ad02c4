"""finanzen: doppic Ergebnisrechnung by product and account for one budget year."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import check_period_column, contract_violations, split_valid
from pipelines.parsing.table import ParsedTable

SHOW = ["haushaltsjahr", "produkt", "konto", "ansatz", "ansatz_fortgeschrieben", "ist"]


class Finanzen(DeliveryKind):
    name = "finanzen"
    # a double budget (Doppelhaushalt) is adopted in the year before its first year: plans
    # reach at most two years ahead; `finanzen_2999.csv` is a typo, not a budget year
    years_ahead = 2

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        q = [
            bad,
            check_period_column(
                typed, "haushaltsjahr", file.period.value, file.period.label(), SHOW
            ),
            contract_violations(self.name, typed, SHOW),
        ]
        ok, quarantine = split_valid(typed, q, ["produkt", "konto"], show=SHOW)
        money = [pl.col(c).round(2) for c in ("ansatz", "ansatz_fortgeschrieben", "ist")]
        rows = ok.select(
            pl.col("haushaltsjahr").cast(pl.Int32),
            "produkt",
            "produkt_bezeichnung",
            "konto",
            "konto_bezeichnung",
            *money,
        )
        return Transformed(rows, quarantine, parsed.rows_read)
