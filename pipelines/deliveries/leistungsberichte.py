"""leistungsberichte: the Träger's yearly report of outputs (Ist) and spending per measure."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import quarantine_rows
from pipelines.deliveries.checks import check_period_column, contract_violations, split_valid
from pipelines.deliveries.kontrakte_checks import unknown_measures
from pipelines.parsing.table import ParsedTable

SHOW = ["jahr", "massnahme_id", "kennzahl", "istwert", "ist_eur"]


def conflicting_spending(frame: pl.DataFrame, show: list[str]) -> pl.DataFrame:
    """Rows of a measure whose ist_eur differs between its rows (it is one amount per year)."""
    distinct = pl.col("ist_eur").drop_nulls().n_unique().over("massnahme_id")
    return quarantine_rows(
        frame,
        pl.col("massnahme_id").is_not_null() & (distinct > 1),
        "betrag_widerspruch",
        "ist_eur",
        show,
    )


class Leistungsberichte(DeliveryKind):
    name = "leistungsberichte"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        q = [
            bad,
            check_period_column(typed, "jahr", file.period.value, file.period.label(), SHOW),
            contract_violations(self.name, typed, SHOW),
            unknown_measures(typed, ctx.massnahmen, SHOW),
            conflicting_spending(typed, SHOW),
        ]
        ok, quarantine = split_valid(typed, q, ["massnahme_id", "kennzahl"], show=SHOW)
        rows = ok.select(
            pl.col("jahr").cast(pl.Int32),
            "massnahme_id",
            "kennzahl",
            "istwert",
            pl.col("ist_eur").round(2),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
