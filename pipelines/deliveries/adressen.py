"""adressen: the street directory, address -> finest area (used by the load, never published)."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.base import LoadContext
from pipelines.deliveries.reference import ReferenceKind, line_list, overlapping_validity
from pipelines.parsing.table import LINE_COL, FileRejected
from pipelines.protection.addresses import prepare_directory


class Adressen(ReferenceKind):
    name = "adressen"
    must_have_rows = True
    keys = ["strasse", "hausnummer", "zusatz", "gueltig_ab"]
    out_columns = ["strasse", "hausnummer", "zusatz", "gebiet_id", "gueltig_ab", "gueltig_bis"]

    def check_against(self, frame: pl.DataFrame, ctx: LoadContext) -> None:
        """Every address points to a finest area of the loaded hierarchy, and one address
        (spelled as matching compares it) is in one area on any day."""
        finest = ctx.areas.get_column("gebiet_id") if ctx.areas is not None else pl.Series([])
        unknown = frame.filter(~pl.col("gebiet_id").is_in(finest.implode()))
        if unknown.height:
            shown = ", ".join(
                f"{g} (Zeile {ln})"
                for g, ln in unknown.select("gebiet_id", LINE_COL).head(10).iter_rows()
            )
            more = f" und {unknown.height - 10} weitere" if unknown.height > 10 else ""
            raise FileRejected(
                "referenz_ungueltig",
                f"Adressen verweisen auf Gebiete, die in gebiete.csv nicht als feinste Ebene "
                f"vorkommen: {shown}{more}; ihre Fälle fehlten in jeder Summe",
            )
        keyed = pl.concat(
            [frame.select(LINE_COL), prepare_directory(frame).select("_str", "_hnr", "_zus",
             "gueltig_ab", "gueltig_bis")], how="horizontal",
        )  # fmt: skip
        overlap = overlapping_validity(keyed, ["_str", "_hnr", "_zus"])
        if overlap.height:
            lines = sorted(overlap.get_column(LINE_COL).to_list())
            raise FileRejected(
                "referenz_ungueltig",
                "dieselbe Adresse mehrfach mit überlappender Gültigkeit (gueltig_ab/gueltig_bis) "
                f"in Zeile {line_list(lines)}: welches Gebiet gilt, wäre Zufall",
            )
