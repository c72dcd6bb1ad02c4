"""The projection's arithmetic: known rates are recovered, a tiny case is reproduced by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.projection import Settings, estimate, project, run, spread_bands
from pipelines.projection.backtest import linear_trend, scores

# no pooling towards a group, no damping, no averaging of young children: the arithmetic alone
PLAIN = Settings(
    pooling=0.0, damping=1.0, base_years=1, fertile_from=1, fertile_to=1, horizon=2,
    young_below_age=0,
)  # fmt: skip


def test_tiny_projection_by_hand():
    # one area, ages 0, 1 and 2 (open), one sex; 31.12.2023 -> 31.12.2024
    before = {"i": np.array([[10.0, 20.0, 30.0]])}
    after = {"i": np.array([[12.0, 9.0, 45.0]])}
    rates = estimate([before, after], np.ones((1, 1)), PLAIN)
    # age 1: 9 / 10; open age 2: 45 / (20 + 30); age 0: 12 births per 20 persons aged 1
    assert rates.ratios["i"][0].tolist() == pytest.approx([12 / 20, 0.9, 0.9])
    year1, year2 = project(after, rates, PLAIN)
    # 2025: age 0 = 9 (aged 1) * 0.6; age 1 = 12 * 0.9; age 2 = (9 + 45) * 0.9
    assert year1["i"][0].tolist() == pytest.approx([5.4, 10.8, 48.6])
    assert year2["i"][0].tolist() == pytest.approx([10.8 * 0.6, 5.4 * 0.9, (10.8 + 48.6) * 0.9])


def test_young_children_are_the_average_of_projection_and_base_year_by_hand():
    before = {"i": np.array([[10.0, 20.0, 30.0]])}
    after = {"i": np.array([[12.0, 9.0, 45.0]])}
    rates = estimate([before, after], np.ones((1, 1)), PLAIN)
    s = replace(PLAIN, young_below_age=1, young_weight=0.5)
    year1, year2 = project(after, rates, s)
    # age 0 shown: (5.4 projected + 12 of the base year) / 2; the chain runs unblended, so
    # age 1 in 2026 comes from the projected 5.4, not from the 8.7 shown
    assert year1["i"][0].tolist() == pytest.approx([8.7, 10.8, 48.6])
    assert year2["i"][0].tolist() == pytest.approx(
        [(10.8 * 0.6 + 12) / 2, 5.4 * 0.9, (10.8 + 48.6) * 0.9]
    )
    # the variants scale the base year's part by their cumulated growth as well
    low = project(after, replace(rates, growth_sd=0.1), s, "unten")[0]
    assert low["i"][0, 0] == pytest.approx(0.5 * 9 * 0.6 * 0.9 + 0.5 * 12 * 0.9)


def test_known_rates_are_recovered():
    rng = np.random.default_rng(3)
    true = np.concatenate([[0.05], np.linspace(0.99, 0.8, 40)])  # [cwr, ages 1..40]
    s = replace(PLAIN, base_years=3, fertile_from=20, fertile_to=39)
    pop = rng.uniform(500, 1500, size=(4, 41))
    history = [{"w": pop}]
    for _ in range(3):
        history.append({"w": _advance(history[-1]["w"], true, s)})
    rates = estimate(history, np.ones((1, 4)), s)
    np.testing.assert_allclose(rates.ratios["w"][:, 1:-1], np.tile(true[1:-1], (4, 1)), rtol=1e-9)
    np.testing.assert_allclose(rates.ratios["w"][:, 0], true[0], rtol=1e-9)


def _advance(p: np.ndarray, r: np.ndarray, s: Settings) -> np.ndarray:
    nxt = np.empty_like(p)
    nxt[:, 0] = p[:, s.fertile_from : s.fertile_to + 1].sum(axis=1) * r[0]
    nxt[:, 1:-1] = p[:, :-2] * r[1:-1]
    nxt[:, -1] = (p[:, -2] + p[:, -1]) * r[-1]
    return nxt


def test_pooling_pulls_small_areas_towards_their_group():
    big = np.full((1, 3), 10_000.0)
    small = np.full((1, 3), 10.0)
    before = {"i": np.vstack([big, small])}
    after = {"i": np.vstack([big * [1, 0.9, 0.9], small * [1, 0.5, 0.5]])}
    rates = estimate([before, after], np.ones((1, 2)), replace(PLAIN, pooling=1000.0))
    big_ratio, small_ratio = rates.ratios["i"][:, 1]
    assert big_ratio == pytest.approx(0.9, abs=0.005)
    assert 0.85 < small_ratio < 0.9  # 10 persons of exposure weigh little against 1,000


def test_bands_are_spread_evenly():
    out = spread_bands(np.array([[3.0, 10.0, 6.0]]), [0, 1, 3], open_age=5)
    assert out[0].tolist() == pytest.approx([3, 5, 5, 2, 2, 2])


def test_linear_baseline_and_scores():
    series = [np.array([100.0, 10.0]), np.array([110.0, 9.0]), np.array([120.0, 8.0])]
    assert linear_trend(series, 2).tolist() == pytest.approx([140.0, 6.0])
    sc = scores(np.array([110.0, 5.0]), np.array([100.0, 10.0]))
    assert sc["mape"] == pytest.approx((10 + 50) / 2)
    assert sc["gewichteter_fehler"] == pytest.approx(15 / 110 * 100)
    assert sc["bias"] == pytest.approx(5 / 110 * 100)


def test_run_sums_coarser_levels_and_keeps_the_backtest():
    rng = np.random.default_rng(5)
    rows = []
    for year in range(2010, 2021):
        for area in ("11", "12", "21"):
            for age in range(0, 91, 5):
                rows.append((area, date(year, 12, 31), age, "insgesamt", int(rng.integers(20, 80))))
    ew = pl.DataFrame(
        rows, schema=["gebiet_id", "periode", "alter", "geschlecht", "anzahl"], orient="row"
    )
    geb = pl.DataFrame(
        {
            "gebiet_id": ["0", "1", "2", "11", "12", "21"],
            "ebene": ["Stadt", "Bezirk", "Bezirk", "Gebiet", "Gebiet", "Gebiet"],
            "parent_id": [None, "0", "0", "1", "1", "2"],
        }
    )
    prognose, guete = run(ew, geb)
    latest = prognose.filter(pl.col("basis_stichtag") == date(2020, 12, 31))
    assert sorted(latest["variante"].unique()) == ["mitte", "oben", "unten"]
    assert latest["stichtag"].max() == date(2030, 12, 31)
    by_area = (
        latest.filter(pl.col("variante") == "mitte")
        .group_by("gebiet_id", "stichtag")
        .agg(pl.col("einwohner").sum())
    )
    total = dict(
        by_area.filter(pl.col("stichtag") == date(2025, 12, 31))
        .select("gebiet_id", "einwohner")
        .iter_rows()
    )
    assert total["0"] == pytest.approx(total["11"] + total["12"] + total["21"])
    assert total["1"] == pytest.approx(total["11"] + total["12"])
    # back-test from 31.12.2013 (three transitions before it) to 2015 (five actual years after)
    bases = sorted(guete["basis_stichtag"].unique())
    assert bases[0] == date(2013, 12, 31) and bases[-1] == date(2015, 12, 31)
    assert set(guete["methode"]) == {"prognose", "hamilton_perry", "konstant", "linear"}
    assert date(2015, 12, 31) in set(prognose["basis_stichtag"])


def test_an_area_without_a_year_before_takes_its_groups_ratios():
    # area 2 is new (a split): no persons a year before, so its first persons are no cohort change
    before = {"i": np.array([[100.0, 100.0, 100.0], [0.0, 0.0, 0.0]])}
    after = {"i": np.array([[90.0, 90.0, 180.0], [50.0, 50.0, 50.0]])}
    rates = estimate([before, after], np.ones((1, 2)), replace(PLAIN, pooling=1000.0))
    np.testing.assert_allclose(rates.ratios["i"][1, 1:], rates.ratios["i"][0, 1:], rtol=0.02)
    assert rates.ratios["i"][1, 1] == pytest.approx(0.9, abs=0.01)
    assert rates.growth_sd == 0.0  # one transition, over area 1 only
