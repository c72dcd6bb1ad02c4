"""The oracle on the hand-computed Musterstadt deliveries (tests/fixtures/musterstadt/README.md): the
oracle itself reproduces the hand values, and the mart agrees with the oracle."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.oracle.compare import compare, load_mart, summary
from tests.oracle.oracle import build_oracle

STICHTAG = date(2024, 12, 31)


@pytest.fixture(scope="module")
def beispiel(example_city):
    oracle = build_oracle(example_city.landing)
    return oracle, load_mart(example_city.warehouse_db)


def _wert(oracle, indikator: str, gebiet: str) -> float:
    r = oracle.indikatoren.filter(
        (pl.col("indikator_id") == indikator)
        & (pl.col("gebiet_id") == gebiet)
        & (pl.col("periode") == STICHTAG)
    )
    assert r.height == 1, r
    return r["wert"][0]


def test_orakel_trifft_handwerte(beispiel):
    oracle, _ = beispiel
    hand = {
        ("sgb2_quote", "010201"): 28.8729,
        ("sgb2_kinderarmut", "010201"): 39.8925,
        ("sgb2_alo_anteil", "010201"): 8.2716,
        ("sgb2_quote", "010101"): 16.1240,
        ("hze_quote", "00"): 19.7368,
        ("eingliederungshilfe_35a_quote", "00"): 6.5789,
        ("inobhutnahmen_quote", "00"): 6.7797,
        ("sgb2_kinderarmut", "00"): 34.5148,
        ("grusi_alter_quote", "010201"): 50.0,
    }
    stadt = oracle.areas.gebiete.filter(pl.col("ebene_rang") == 0)["gebiet_id"][0]
    hand[("anteil_65plus", stadt)] = 10.8883
    for (ind, gebiet), soll in hand.items():
        assert round(_wert(oracle, ind, gebiet), 4) == soll, (ind, gebiet)
    # the one unknown address is the only row that fits nowhere
    assert oracle.problems == [("adresse_unbekannt", "sgb12", 1)]
    rlb = oracle.basis.filter((pl.col("merkmal") == "rlb") & (pl.col("gebiet_id") == "0201")).row(
        0, named=True
    )
    assert (rlb["symbol"], rlb["lo"], rlb["hi"]) == ("/", 59.0, 60.0)


def test_mart_wie_orakel(beispiel):
    oracle, mart = beispiel
    abw = compare(oracle.indikatoren, mart)
    assert abw.is_empty(), summary(abw)
