"""The delivery kinds of docs/sources.md and how a landing folder is discovered."""

from __future__ import annotations

from pipelines.deliveries.base import DeliveryFile, DeliveryKind, LoadContext, Transformed
from pipelines.deliveries.bewegungen import Bewegungen
from pipelines.deliveries.einwohner import Einwohner
from pipelines.deliveries.finanzen import Finanzen
from pipelines.deliveries.reference import (
    Adressen,
    Gebiete,
    Geometrie,
    Produkte,
    Umschluessel,
    Ziele,
)
from pipelines.deliveries.sgb2 import Sgb2
from pipelines.deliveries.sgb8 import Sgb8
from pipelines.deliveries.sgb12 import Sgb12

# order matters: reference data first, everything else is checked against it
REFERENCE_KINDS: dict[str, DeliveryKind] = {
    k.name: k for k in (Gebiete(), Umschluessel(), Adressen(), Produkte(), Ziele(), Geometrie())
}
PERIOD_KINDS: dict[str, DeliveryKind] = {
    k.name: k for k in (Einwohner(), Bewegungen(), Sgb2(), Sgb12(), Sgb8(), Finanzen())
}
ALL_KINDS: dict[str, DeliveryKind] = {**REFERENCE_KINDS, **PERIOD_KINDS}

__all__ = [
    "ALL_KINDS",
    "PERIOD_KINDS",
    "REFERENCE_KINDS",
    "DeliveryFile",
    "DeliveryKind",
    "LoadContext",
    "Transformed",
]
