"""produkte: local budget products -> the areas (Bereiche) the indicators use."""

from __future__ import annotations

from pipelines.deliveries.reference import ReferenceKind


class Produkte(ReferenceKind):
    name = "produkte"
    keys = ["produkt"]
    out_columns = ["produkt", "bereich"]
