"""massnahmen_ziele: output and effect targets per measure, indicator and year."""

from __future__ import annotations

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import contract_violations, split_valid
from pipelines.deliveries.kontrakte_checks import unknown_measures
from pipelines.parsing.table import ParsedTable

KEY = ["massnahme_id", "kennzahl", "jahr"]
SHOW = ["massnahme_id", "art", "kennzahl", "jahr", "zielwert", "richtung"]


class MassnahmenZiele(DeliveryKind):
    name = "massnahmen_ziele"

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        q = [
            bad,
            contract_violations(self.name, typed, SHOW),
            unknown_measures(typed, ctx.massnahmen, SHOW),
        ]
        ok, quarantine = split_valid(typed, q, KEY, show=SHOW)
        return Transformed(ok.select(SHOW), quarantine, parsed.rows_read)
