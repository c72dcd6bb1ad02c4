"""Wirkungsanalyse: the permutation interval computed by hand, the matching rule, and the
synthetic city: the measure with a built-in effect is found, the placebo is not."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.wirkung import HINWEIS, match, permutation_interval, wirkungsanalyse
from tests.conftest import query


def test_permutation_interval_by_hand():
    # changes in the target areas -4, -6; in the comparison areas 0, 2: DiD = -5 - 1 = -6.
    # The 6 ways to call two of the four areas "target" give DiDs -6, 0, 2, -2, 0, 6;
    # sorted -6, -2, 0, 0, 2, 6. Quantiles (linear): 2.5 % at position 0.125 = -5.5,
    # 97.5 % at position 4.875 = 5.5. Interval: [-6 - 5.5, -6 + 5.5] = [-11.5, -0.5];
    # p = share with |DiD| >= 6 = 2 / 6.
    lo, hi, p, n = permutation_interval([-4.0, -6.0], [0.0, 2.0])
    assert (lo, hi, n) == (pytest.approx(-11.5), pytest.approx(-0.5), 6)
    assert p == pytest.approx(1 / 3)


def test_matching_same_class_nearest_baseline_each_once():
    baseline = {"T1": 20.0, "T2": 30.0, "a": 19.0, "b": 22.0, "c": 29.0, "d": 40.0, "e": 20.5}
    klasse = {"T1": "niedrig", "T2": "niedrig", "a": "niedrig", "b": "niedrig",
              "c": "niedrig", "d": "niedrig", "e": "mittel"}  # fmt: skip
    # T1 (20): a (1), b (2), c (9); e is nearer but of another class. T2 (30): d (10) is
    # what is left.
    assert match(["T2", "T1"], baseline, klasse, ["a", "b", "c", "d", "e"]) == [
        "a", "b", "c", "d",
    ]  # fmt: skip


def _frames():
    ind = []
    values = {  # area -> (2022, 2024)
        "T1": (30.0, 24.0), "T2": (28.0, 23.0), "C1": (27.0, 27.5), "C2": (31.0, 30.0),
        "C3": (29.0, 29.0), "C4": (26.0, 26.5), "M": (35.0, 35.0),
    }  # fmt: skip
    for area, (before, after) in values.items():
        ind.append(("sgb2_kinderarmut", area, dt.date(2022, 12, 31), before))
        ind.append(("sgb2_kinderarmut", area, dt.date(2024, 12, 31), after))
    indikatoren = pl.DataFrame(
        ind, schema=["indikator_id", "gebiet_id", "periode", "wert"], orient="row"
    )
    index = pl.DataFrame(
        {
            "gebiet_id": list(values),
            "periode": [dt.date(2022, 12, 31)] * len(values),
            "status_klasse": ["niedrig"] * len(values),
        }
    )
    massnahmen = pl.DataFrame(
        {
            "massnahme_id": ["W", "X"],
            "titel": ["Wirkung", "andere"],
            "beginn": [dt.date(2023, 1, 1), dt.date(2023, 1, 1)],
            "gebiete": [["T1", "T2"], ["M"]],
        }
    )
    ziele = pl.DataFrame({"massnahme_id": ["W"], "art": ["wirkung"], "kennzahl": ["sgb2_kinderarmut"]})
    return massnahmen, ziele, indikatoren, index


def test_did_of_a_small_example_by_hand():
    out = wirkungsanalyse(*_frames(), {"sgb2_kinderarmut": "%"}).row(0, named=True)
    # M is in another measure: never a comparison area. T1 (30): C2 (31), C3 (29), C1 (27);
    # T2 (28): C4 (26) is what is left.
    assert out["vergleichsgebiete"] == "C2,C3,C1,C4"
    # target: (-6 + -5) / 2 = -5.5; comparison: (-1 + 0 + 0.5 + 0.5) / 4 = 0; DiD -5.5
    assert out["veraenderung_massnahme"] == pytest.approx(-5.5)
    assert out["veraenderung_vergleich"] == pytest.approx(0.0)
    assert out["differenz_in_differenzen"] == pytest.approx(-5.5)
    assert (out["vorher_massnahme"], out["nachher_massnahme"]) == (29.0, 23.5)
    assert (out["anzahl_gebiete"], out["anzahl_vergleichsgebiete"], out["permutationen"]) == (
        2, 4, 15,
    )  # fmt: skip
    # the target pair is the most extreme of the 15 splits: the interval excludes zero
    assert out["obergrenze"] < 0 and out["ergebnis"] == "unterschied"
    assert out["hinweis"] == HINWEIS and "keinen Beweis" in HINWEIS
    again = wirkungsanalyse(*_frames(), {"sgb2_kinderarmut": "%"})
    assert again.row(0, named=True) == out  # reproducible


def test_not_computable_says_why():
    massnahmen, ziele, ind, index = _frames()
    early = massnahmen.with_columns(pl.lit(dt.date(2022, 6, 1)).alias("beginn"))
    out = wirkungsanalyse(early, ziele, ind, index).row(0, named=True)
    assert out["ergebnis"] == "nicht_berechenbar"
    assert out["grund"] == "keine Werte im Jahr vor dem Beginn (2021)"
    other_class = index.with_columns(
        pl.when(pl.col("gebiet_id").str.starts_with("C"))
        .then(pl.lit("mittel"))
        .otherwise(pl.col("status_klasse"))
        .alias("status_klasse")
    )
    out = wirkungsanalyse(massnahmen, ziele, ind, other_class).row(0, named=True)
    assert out["grund"] == "kein Vergleichsgebiet derselben Statusklasse ohne Maßnahme"


def test_synthetic_effect_found_and_placebo_not(small_city):
    w = small_city.manifest["kontrakte"]["wirkung"]
    effect, placebo = w["mit_wirkung"], w["placebo"]
    for db, table in (
        (small_city.warehouse_db, "marts.wirkungsanalyse"),
        (small_city.publish_db, "wirkungsanalyse"),
    ):
        rows = {
            r[0]: r[1:]
            for r in query(
                db,
                "select massnahme_id, gebiete, vergleichsgebiete, differenz_in_differenzen,"
                f" untergrenze, obergrenze, ergebnis, hinweis from {table}",
            )
        }
        gebiete, vergleich, did, lo, hi, ergebnis, hinweis = rows[effect["massnahme_id"]]
        assert gebiete.split(",") == sorted(effect["gebiete"])
        assert did < 0 and lo < did < hi < 0, (table, did, lo, hi)
        assert ergebnis == "unterschied" and hinweis == HINWEIS
        # no comparison area is served by any measure
        measures = query(small_city.warehouse_db, "select gebiete from marts.kontrakte")
        served = {g for (gs,) in measures for g in gs.split(",")}
        assert not set(vergleich.split(",")) & served
        _, _, did, lo, hi, ergebnis, _ = rows[placebo["massnahme_id"]]
        assert lo < 0 < hi and ergebnis == "kein_unterschied", (table, did, lo, hi)
