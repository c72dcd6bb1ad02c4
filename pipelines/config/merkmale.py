"""The counts (Merkmale) of marts.basiszahlen as dbt states them: dbt_project/seeds/merkmale_seed.csv.

Which counts exist, from which delivery, in which unit and whether they carry a sign: one
file for dbt (a seed with tests) and Python (the disclosure system, source profiles). How a
count is counted stays in dbt (macros/merkmale.sql and the count models).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "merkmale_seed.csv"
MONEY = "EUR"


@dataclass(frozen=True)
class Merkmal:
    merkmal: str
    quelle: str
    einheit: str
    vorzeichen: bool


@cache
def merkmale() -> tuple[Merkmal, ...]:
    with SEED.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Merkmal(r["merkmal"], r["quelle"], r["einheit"], r["vorzeichen"] == "true")
            for r in csv.DictReader(fh)
        )


def money() -> frozenset[str]:
    """Counts that are amounts (EUR): no disclosure cell of their own."""
    return frozenset(m.merkmal for m in merkmale() if m.einheit == MONEY)


def signed() -> tuple[str, ...]:
    """Balances (in minus out), which may be negative."""
    return tuple(m.merkmal for m in merkmale() if m.vorzeichen)


def of_source(quelle: str) -> tuple[str, ...]:
    """The counts of one delivery kind, in the order of the seed."""
    return tuple(m.merkmal for m in merkmale() if m.quelle == quelle)
