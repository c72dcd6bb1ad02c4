"""massnahmen: the measures of freie Träger under contract (Kontraktmanagement)."""

from __future__ import annotations

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import contract_violations, split_valid
from pipelines.deliveries.kontrakte_checks import split_area_list, unknown_target_areas
from pipelines.parsing.table import ParsedTable

SHOW = ["massnahme_id", "produkt", "beginn", "ende", "gebiete"]


class Massnahmen(DeliveryKind):
    """Replaced as a whole; a faulty measure is quarantined, the others load.

    Unlike the area hierarchy nothing else is validated row by row against a single
    measure, so one bad row does not refuse the file: its targets, budget and reports are
    then quarantined as `massnahme_unbekannt` and name it.
    """

    name = "massnahmen"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        q = [
            bad,
            contract_violations(self.name, typed, SHOW),
            unknown_target_areas(typed, ctx.areas, SHOW),
        ]
        ok, quarantine = split_valid(typed, q, ["massnahme_id"], show=SHOW)
        rows = ok.select(
            "massnahme_id",
            "titel",
            "traeger",
            "produkt",
            "beginn",
            "ende",
            split_area_list().list.join(",").alias("gebiete"),
        )
        return Transformed(rows, quarantine, parsed.rows_read)
