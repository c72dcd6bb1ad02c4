"""Single counts outside the area hierarchy (the outputs of a Träger's Leistungsbericht):
what a published comparison with a public target leaves of a withheld count."""

from __future__ import annotations


def status_values(status: str | None, richtung: str | None, soll, values: range) -> list[int]:
    """The values of `values` a count could have, given the published status against
    `soll` (`erfuellt`: at least / at most the Soll by `richtung`, `verfehlt`: not)."""
    if status not in ("erfuellt", "verfehlt") or soll is None:
        return list(values)
    met = [v for v in values if (v >= soll if richtung == "mindestens" else v <= soll)]
    return met if status == "erfuellt" else [v for v in values if v not in met]
