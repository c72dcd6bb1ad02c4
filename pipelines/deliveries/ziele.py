"""ziele: adopted target values per indicator, area and year."""

from __future__ import annotations

from pipelines.deliveries.reference import ReferenceKind


class Ziele(ReferenceKind):
    name = "ziele"
    keys = ["indikator_id", "gebiet_id", "jahr"]
    out_columns = ["indikator_id", "gebiet_id", "jahr", "zielwert", "richtung", "beschluss"]
