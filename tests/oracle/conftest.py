"""The oracle of the small synthetic city, computed once per session."""

from __future__ import annotations

import time
from dataclasses import dataclass

import polars as pl
import pytest

from tests.oracle.compare import compare, load_mart
from tests.oracle.oracle import Oracle, build_oracle


@dataclass
class Abgleich:
    oracle: Oracle
    mart: pl.DataFrame
    abweichungen: pl.DataFrame
    sekunden: dict[str, float]


@pytest.fixture(scope="session")
def abgleich_klein(small_city) -> Abgleich:
    t = time.perf_counter()
    oracle = build_oracle(small_city.landing)
    t_oracle = time.perf_counter() - t
    mart = load_mart(small_city.warehouse_db)
    abw = compare(oracle.indikatoren, mart)
    sekunden = {
        **oracle.seconds,
        "orakel_gesamt": round(t_oracle, 3),
        "abgleich": round(time.perf_counter() - t - t_oracle, 3),
    }
    return Abgleich(oracle, mart, abw, sekunden)
