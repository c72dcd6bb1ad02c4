"""Thresholds of disclosure control (the `geheimhaltung` block of a city config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DisclosureConfig:
    """Disclosure-control parameters; defaults follow Bundesagentur für Arbeit practice.

    min_fallzahl: counts 1 .. min_fallzahl-1 are suppressed (`*`).
    min_einwohner: rates of areas with fewer inhabitants are not published (`.`).
    quelle_stern_min / quelle_stern_max: range a source `*` is assumed to lie in
        (docs/protection.md: between 1 and 2); used for the bounds of aggregates.
    sekundaer: apply secondary suppression (switching it off is for tests that
        prove the attacker has teeth; never in production).
    max_knoten: node budget of each exact search (per component and target).
    vorzeichen: measures that are balances (may be negative, e.g. a migration
        balance): |value| 1 .. min_fallzahl-1 is suppressed, and an outsider
        knows nothing of a withheld balance but that it is not 0.
    """

    min_fallzahl: int = 3
    min_einwohner: int = 300
    quelle_stern_min: int = 1
    quelle_stern_max: int = 2
    sekundaer: bool = True
    max_knoten: int = 5_000
    vorzeichen: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.min_fallzahl < 1:
            raise ValueError("min_fallzahl muss mindestens 1 sein")
        if self.min_einwohner < 0:
            raise ValueError("min_einwohner darf nicht negativ sein")
        if not 0 <= self.quelle_stern_min <= self.quelle_stern_max:
            raise ValueError("quelle_stern_min/-max: 0 <= min <= max verlangt")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> DisclosureConfig:
        """Build from a config mapping; missing keys take the defaults, unknown keys fail."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unbekannte Geheimhaltungs-Parameter: {', '.join(unknown)}")
        if "vorzeichen" in values:
            values["vorzeichen"] = tuple(values["vorzeichen"])
        return cls(**values)

    @property
    def stern_untergrenze(self) -> int:
        """Smallest value any published `*` can hold (zeros are never suppressed)."""
        return min(1, self.quelle_stern_min)
