"""gebiete_umschluessel: boundary changes, old area -> new areas with shares summing to 1."""

from __future__ import annotations

import polars as pl

from pipelines.deliveries.reference import ReferenceKind
from pipelines.parsing.table import FileRejected


class Umschluessel(ReferenceKind):
    name = "gebiete_umschluessel"
    keys = ["alt_gebiet_id", "neu_gebiet_id", "wechsel_am"]
    out_columns = ["alt_gebiet_id", "neu_gebiet_id", "wechsel_am", "anteil"]

    def validate(self, frame: pl.DataFrame) -> pl.DataFrame:
        frame_ok = frame.filter(pl.col("alt_gebiet_id").is_not_null())
        sums = frame_ok.group_by("alt_gebiet_id", "wechsel_am").agg(pl.col("anteil").sum())
        off = sums.filter((pl.col("anteil") - 1.0).abs() > 1e-6).sort("alt_gebiet_id")
        if off.height:
            detail = ", ".join(
                f"{a}: {s:.4f}".replace(".", ",")
                for a, s in zip(off["alt_gebiet_id"], off["anteil"], strict=True)
            )
            raise FileRejected(
                "referenz_ungueltig", f"Anteile je altem Gebiet summieren nicht zu 1 ({detail})"
            )
        return frame
