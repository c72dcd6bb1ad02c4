"""What the reference data kinds share (gebiete, gebiete_umschluessel, adressen, produkte,
ziele; each has its own module): consistency checks before anything else is loaded.

Reference files replace their table as a whole. They are checked for consistency
before anything else is loaded, because every other delivery is validated against them.
"""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.cells import concat_quarantine
from pipelines.deliveries.checks import contract_violations, split_valid
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable


class ReferenceKind(DeliveryKind):
    """A reference table (landing folder and stem from its contract)."""

    keys: list[str] = []
    out_columns: list[str] = []
    # an empty delivery would wipe what every other load is checked against
    must_have_rows = False

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        typed, bad = self.typed(parsed, file)
        if self.must_have_rows and parsed.rows_read == 0:
            raise FileRejected(
                "referenz_ungueltig",
                "Datei enthält keine Datenzeilen; der bisherige Stand bleibt gültig",
            )
        show = self.out_columns
        quarantine = concat_quarantine([bad, contract_violations(self.name, typed, show)])
        inconsistent = quarantine.filter(pl.col("grund") == "referenz_ungueltig")
        if inconsistent.height:
            # the contract rejects the whole file: dropping the offending rows would
            # leave a hierarchy (or crosswalk) that silently differs from the delivered one
            self.validate(typed)  # raises with the specific problem where it can name one
            lines = sorted(set(inconsistent.get_column(LINE_COL).to_list()))
            raise FileRejected(
                "referenz_ungueltig",
                "Referenzdaten widersprüchlich in Zeile " + line_list(lines),
            )
        ok, quarantine = split_valid(typed, [quarantine], self.keys, show=show)
        ok = self.validate(ok)
        self.check_against(ok, ctx)
        return Transformed(ok.select(self.out_columns), quarantine, parsed.rows_read)

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame

    def check_against(self, frame: pl.DataFrame, ctx: LoadContext) -> None:
        """Consistency with the reference data already loaded (raises FileRejected)."""


def overlapping_validity(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows whose validity overlaps an earlier row of the same key (LINE_COL, key columns).

    Validity is [gueltig_ab, gueltig_bis], open ends unbounded: two entries valid on one day
    would be resolved silently by whichever a join meets first.
    """
    start = pl.col("gueltig_ab").fill_null(pl.date(1, 1, 1))
    end = pl.col("gueltig_bis").fill_null(pl.date(9999, 12, 31))
    ordered = frame.with_columns(start.alias("_ab"), end.alias("_bis")).sort([*keys, "_ab"])
    prev_end = pl.col("_bis").cum_max().shift(1).over(keys)
    return ordered.filter(prev_end.is_not_null() & (prev_end >= pl.col("_ab")))


def line_list(lines: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(x) for x in lines[:limit])
    return shown + (f" und {len(lines) - limit} weiteren" if len(lines) > limit else "")
