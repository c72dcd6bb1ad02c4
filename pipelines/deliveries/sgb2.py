"""sgb2: the BA small-area table of one reporting month (CSV or XLSX, title and footer blocks)."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.checks import contract_violations, split_valid, unknown_areas
from pipelines.deliveries.periods import Period, month_from_title
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable
from pipelines.warehouse.raw_tables import SGB2_MEASURES


class Sgb2(DeliveryKind):
    name = folder = table = file_stem = "sgb2"
    period_kind = "monat"
    suffixes = (".csv", ".xlsx")
    # the BA closes every table with footnotes and `© Statistik der Bundesagentur für
    # Arbeit`; a file without them was cut, even when the cut fell exactly on a line end
    requires_footer = True

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        if self.requires_footer and not parsed.footer_lines:
            last = parsed.frame.get_column(LINE_COL).max() if parsed.frame.height else None
            raise FileRejected(
                "datei_unvollstaendig",
                "Fußblock der BA fehlt (Fußnoten, © Statistik der Bundesagentur für Arbeit)"
                + (f": Datei endet nach Zeile {last}" if last else "")
                + "; Lieferung vermutlich abgeschnitten",
            )
        content_month = month_from_title(parsed.title_lines)
        if content_month is not None and content_month != file.period.key:
            raise FileRejected(
                "periode_widerspruch",
                f"Dateiname nennt {file.period.label()}, der Titelblock aber Berichtsmonat "
                f"{Period('monat', content_month).label()}",
            )
        typed, bad = self.typed(parsed, file)
        show = ["gebiet_id", *SGB2_MEASURES]
        q = [bad, contract_violations(self.name, typed, show)]
        q.append(unknown_areas(typed, ctx.areas, file.period.last_day, show))
        ok, quarantine = split_valid(typed, q, ["gebiet_id"], show=show)
        cols = [pl.lit(file.period.value).alias("berichtsmonat"), pl.col("gebiet_id")]
        for m in SGB2_MEASURES:
            cols += [pl.col(m).cast(pl.Int32), pl.col(f"{m}_symbol")]
        warnings = []
        if content_month is None:
            warnings.append("kein Berichtsmonat im Titelblock: Zeitraum nur aus dem Dateinamen")
        return Transformed(ok.select(cols), quarantine, parsed.rows_read, warnings)
