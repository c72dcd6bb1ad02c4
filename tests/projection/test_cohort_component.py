"""The cohort-component method: a tiny case by hand, known rates recovered, the method choice."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from pipelines.projection import Settings, run
from pipelines.projection import cohort_component as cc
from pipelines.projection.frames import method_at, moves_from_frame

# no pooling towards a group: the arithmetic alone
PLAIN = Settings(pooling=0.0, base_years=1, horizon=2)


def _moves(n_area: int, n_age: int, cells: dict) -> cc.Moves:
    """{(kind, sex): {(area, age or None): count}} -> Moves (None: unknown age)."""
    counts: dict[str, dict[str, np.ndarray]] = {}
    for (kind, sex), values in cells.items():
        arr = np.zeros((n_area, n_age + 1))
        for (area, age), n in values.items():
            arr[area, n_age if age is None else age] += n
        counts.setdefault(kind, {})[sex] = arr
    return cc.Moves(counts)


def test_tiny_projection_by_hand():
    # two areas, ages 0..3 (3 open), one sex not broken down; 31.12.2023 -> 31.12.2024
    before = {"insgesamt": np.array([[9.0, 11, 23, 40], [2, 4, 6, 8]])}
    after = {"insgesamt": np.array([[5.0, 11, 9, 57], [2, 2, 4, 14]])}
    moves = _moves(
        2,
        4,
        {
            ("geburt", ""): {(0, 2): 5, (1, 3): 2},  # by the mother's age
            ("sterbefall", ""): {(0, 3): 6},
            ("zu", ""): {(0, 1): 2},
            ("fort", ""): {(0, 2): 2},
        },
    )
    rates = cc.estimate([before, after], [moves], np.eye(2), PLAIN)
    # area 0, cohorts on 31.12.2024: start = [5 births, 9, 11, 23 + 40 = 63], end as delivered
    # mean = [5, 10, 10, 60]: fertility at 2: 5 / 10; deaths at 3: 6 / 60; in at 1: 2 / 10;
    # out at 2: 2 / 10
    assert rates.fertility[0].tolist() == pytest.approx([0, 0, 0.5, 0])
    assert rates.mortality["insgesamt"][0].tolist() == pytest.approx([0, 0, 0, 0.1])
    assert rates.inflow["insgesamt"][0].tolist() == pytest.approx([0, 0.2, 0, 0])
    assert rates.outflow["insgesamt"][0].tolist() == pytest.approx([0, 0, 0.2, 0])
    # area 1: start = [2, 2, 4, 6 + 8 = 14], nothing but births: fertility at 3 = 2 / 14
    assert rates.fertility[1].tolist() == pytest.approx([0, 0, 0, 1 / 7])
    assert rates.mortality["insgesamt"][1].sum() == 0
    year1, year2 = cc.project(after, rates, PLAIN)
    # area 0, r = in - out - deaths = [0, 0.2, -0.2, -0.1], factor (1 + r/2) / (1 - r/2):
    # [1, 11/9, 9/11, 19/21]. 2025: start = [births, 5, 11, 9 + 57 = 66]
    # age 1: 5 * 11/9; age 2: 11 * 9/11 = 9; age 3: 66 * 19/21 = 418/7
    # births: 0.5 * (start 11 + end 9) / 2 women aged 2 = 5
    assert year1["insgesamt"][0].tolist() == pytest.approx([5, 55 / 9, 9, 418 / 7])
    # area 1: start = [births, 2, 2, 4 + 14 = 18], births 1/7 * 18 women aged 3
    assert year1["insgesamt"][1].tolist() == pytest.approx([18 / 7, 2, 2, 18])
    # 2026, area 0: start = [births, 5, 55/9, 9 + 418/7 = 481/7]; births 0.5 * (55/9 + 5) / 2
    assert year2["insgesamt"][0].tolist() == pytest.approx(
        [25 / 9, 5 * 11 / 9, 55 / 9 * 9 / 11, 481 / 7 * 19 / 21]
    )
    # area 1: start = [births, 18/7, 2, 2 + 18 = 20], births 20 / 7
    assert year2["insgesamt"][1].tolist() == pytest.approx([20 / 7, 18 / 7, 2, 20])


def test_births_split_105_to_100_and_by_the_delivered_sexes():
    assert cc.birth_shares(["m", "w"], []) == pytest.approx({"m": 1.05 / 2.05, "w": 1 / 2.05})
    moves = _moves(1, 3, {("geburt", "m"): {(0, 1): 3}, ("geburt", "w"): {(0, 1): 1}})
    assert cc.birth_shares(["m", "w"], [moves]) == pytest.approx({"m": 0.75, "w": 0.25})
    # women alone give birth; the boys are 1.05 / 2.05 of the births
    before = {"m": np.array([[10.0, 10, 10]]), "w": np.array([[10.0, 10, 10]])}
    moves = _moves(1, 3, {("geburt", ""): {(0, 1): 4.1}})
    rates = cc.estimate([before, before], [moves], np.ones((1, 1)), PLAIN)
    assert rates.fertility[0, 1] == pytest.approx(4.1 / 10)
    nxt = cc.step(before, rates)
    assert nxt["m"][0, 0] == pytest.approx(2.1) and nxt["w"][0, 0] == pytest.approx(2.0)


def test_moves_without_age_follow_the_profile_and_the_mean_population():
    # one area, ages 0..2: 3 in-moves of unknown age, a flat profile: spread by the mean
    # population of the cohorts, start [0, 2, 4 + 6] and end [0, 4, 10] -> mean [0, 3, 10]
    before = {"w": np.array([[2.0, 4, 6]])}
    after = {"w": np.array([[0.0, 4, 10]])}
    moves = _moves(1, 3, {("zu", "w"): {(0, None): 13}})
    flat = {k: np.ones(3) for k in cc.KINDS}
    ev = cc.resolve(moves, before, after, {"w": 1.0}, flat)
    assert ev.inflow["w"][0].tolist() == pytest.approx([0, 3, 10])
    # without any year with ages the fixed profiles are used, and say so
    profiles, source = cc.city_profiles([before, after], [moves])
    assert source == "Standardprofil"
    assert profiles["sterbefall"].tolist() == cc.standard_mortality(2).tolist()
    fertility = cc.standard_fertility(100)
    assert fertility.sum() == pytest.approx(1.0)
    assert fertility[30] > fertility[20] > fertility[45] > 0 == fertility[14] == fertility[50]
    # a known age, unknown sex: over the sexes by their mean population at that age
    two = {"m": np.array([[0.0, 1, 1]]), "w": np.array([[0.0, 3, 3]])}
    moves = _moves(1, 3, {("sterbefall", ""): {(0, 2): 4}})
    ev = cc.resolve(moves, two, two, {"m": 0.5, "w": 0.5}, flat)
    assert ev.deaths["m"][0, 2] == pytest.approx(1) and ev.deaths["w"][0, 2] == pytest.approx(3)


def test_small_areas_are_pooled_towards_their_group():
    # two areas in one group, fertility at age 1: 1 birth of 10 women, 30 of 100
    before = {"w": np.array([[10.0, 10, 10], [100, 100, 100]])}
    moves = _moves(2, 3, {("geburt", "w"): {(0, 1): 1, (1, 1): 30}})
    rates = cc.estimate([before, before], [moves], np.ones((1, 2)), replace(PLAIN, pooling=10))
    group = 31 / 110  # the mean population of the women aged 1 is 10 and 100
    assert rates.fertility[0, 1] == pytest.approx((1 + 10 * group) / 20)
    assert rates.fertility[1, 1] == pytest.approx((30 + 10 * group) / 110)


def test_an_area_without_persons_a_year_before_takes_no_part_in_that_year():
    # area 1 is created by a split in 2024: its in-moves of 2024 are not a rate of its
    # population (it had none); it takes its group's rates (pooling over both areas)
    before = {"w": np.array([[10.0, 10, 10], [0, 0, 0]])}
    after = {"w": np.array([[10.0, 12, 10], [10, 10, 10]])}
    moves = _moves(2, 3, {("zu", "w"): {(0, 1): 2, (1, 1): 10}})
    rates = cc.estimate([before, after], [moves], np.ones((1, 2)), replace(PLAIN, pooling=5))
    # area 0 alone: mean of the cohort aged 1 = (10 + 12) / 2 = 11, 2 in-moves
    assert rates.inflow["w"][1, 1] == pytest.approx(2 / 11)
    assert rates.inflow["w"][0, 1] == pytest.approx((2 + 5 * 2 / 11) / (11 + 5))


def test_variants_take_the_weakest_and_strongest_base_year():
    # one area, ages 0..2, two base years: 2 then 4 births of 10 women aged 1; in-moves
    # 1 then 3 at age 2
    pop = {"w": np.array([[10.0, 10, 10]])}
    m1 = _moves(1, 3, {("geburt", "w"): {(0, 1): 2}, ("zu", "w"): {(0, 2): 1}})
    m2 = _moves(1, 3, {("geburt", "w"): {(0, 1): 4}, ("zu", "w"): {(0, 2): 3}})
    s = replace(PLAIN, base_years=2)
    rates = cc.estimate([pop, pop, pop], [m1, m2], np.ones((1, 1)), s)
    assert rates.fertility[0, 1] == pytest.approx(6 / 20)
    assert rates.fertility_range == pytest.approx((2 / 3, 4 / 3))
    low = cc.project(pop, rates, replace(s, horizon=1), "unten")[0]
    mid = cc.project(pop, rates, replace(s, horizon=1), "mitte")[0]
    high = cc.project(pop, rates, replace(s, horizon=1), "oben")[0]
    assert low["w"][0, 0] < mid["w"][0, 0] < high["w"][0, 0]
    assert low["w"][0, 2] < mid["w"][0, 2] < high["w"][0, 2]


def test_synthetic_city_known_rates_are_recovered():
    """The generator's moves come from known rates (pipelines/synthetic/population.py); the
    estimator pooled over the whole city recovers them within the Poisson noise of ~50,000
    inhabitants and two years: the total fertility rate and the mean age of the mothers, the
    age-standardised mortality of each sex from 50 on, and the in-moves by age."""
    from pipelines.synthetic import population as sp
    from pipelines.synthetic.geography import build_geography
    from pipelines.synthetic.scales import SCALES

    scale, seed = SCALES["small"], 7
    geo = build_geography(scale, seed)
    prof = sp.build_profiles(geo, scale, seed)
    pop = sp.simulate_population(prof, scale, seed)
    dec = [k for k, d in enumerate(pop.dates) if d.month == 12]
    history = [
        {sex: pop.counts[k].sum(3)[:, :, j].astype(float) for j, sex in enumerate(sp.SEXES)}
        for k in dec
    ]
    drawn = sp.moves_by_age(prof, scale, seed)
    kinds = dict(
        zip(sp.MOVE_KINDS, ("zu", "fort", "zu", "fort", "geburt", "sterbefall"), strict=True)
    )
    moves = []
    for year in scale.years[1:]:
        counts: dict[str, dict[str, np.ndarray]] = {}
        for j, art in enumerate(sp.MOVE_KINDS):
            for k, sex in enumerate(sp.SEXES):
                arr = np.zeros((geo.n_atoms, 102))
                arr[:, :101] = drawn[year][:, j, :, k]
                by = counts.setdefault(kinds[art], {})
                by[sex] = by.get(sex, 0) + arr
        moves.append(cc.Moves(counts))
    # pooled over the whole city: every area takes the city's rates
    s = replace(PLAIN, base_years=2, pooling=1e12)
    rates = cc.estimate(history, moves, np.ones((1, geo.n_atoms)), s)
    tfr = sp.fertility_level(prof, scale)
    women = sum(h["w"][:, 15:50].sum(1) for h in history)
    true_tfr = tfr * float((sp.fertility_multiplier(prof) * women).sum() / women.sum())
    shape = sp.fertility_shape()
    assert rates.fertility[0].sum() == pytest.approx(true_tfr, rel=0.08)
    ages = np.arange(101)
    mean_age = float((rates.fertility[0] * ages).sum() / rates.fertility[0].sum())
    assert mean_age == pytest.approx(float((shape * ages).sum()), abs=0.5)
    true_m = sp.mortality_rates()
    for k, sex in enumerate(("m", "w")):
        weight = history[-1][sex].sum(0)[50:]
        est = float((rates.mortality[sex][0, 50:] * weight).sum())
        assert est == pytest.approx(float((true_m[50:, k] * weight).sum()), rel=0.08), sex
    # in-moves: expected in-moves of the last year over its expected mean population, by
    # ten-year age group (all sexes)
    exp = sp.expected_moves(prof, scale, scale.years[-1], tfr)
    expected_in = (exp[:, 0] + exp[:, 2]).sum((0, 2))
    start = cc._start({s: h.sum(0, keepdims=True) for s, h in history[-2].items()}, {})
    estimated_in = sum(
        rates.inflow[sex][0] * (start[sex][0] + history[-1][sex].sum(0)) / 2 for sex in ("m", "w")
    )
    for lo in range(10, 80, 10):  # from 10 on: the exposure of age 0 needs the births
        est, true = estimated_in[lo : lo + 10].sum(), expected_in[lo : lo + 10].sum()
        assert est == pytest.approx(true, rel=0.15), lo


def _frames(with_ages: bool):
    """Two areas of one district, 2020-2024; moves by age where `with_ages`."""
    rows, moves = [], []
    for year in range(2020, 2025):
        for area in ("a1", "a2"):
            for age in range(0, 4):
                for sex in ("m", "w"):
                    rows.append((area, dt.date(year, 12, 31), age, sex, 10 + age + year - 2020))
        for area in ("a1", "a2"):
            moves.append((area, year, "geburt", 2 if with_ages else None, None, 10))
            moves.append((area, year, "zuzug", 1 if with_ages else None, "w", 3))
    einwohner = pl.DataFrame(
        rows, schema=["gebiet_id", "periode", "alter", "geschlecht", "anzahl"], orient="row"
    )
    bewegungen = pl.DataFrame(
        moves,
        schema={
            "gebiet_id": pl.String,
            "jahr": pl.Int64,
            "art": pl.String,
            "alter": pl.Int64,
            "geschlecht": pl.String,
            "anzahl": pl.Int64,
        },
        orient="row",
    )
    gebiete = pl.DataFrame(
        {
            "gebiet_id": ["s", "a1", "a2"],
            "ebene": ["stadt", "gebiet", "gebiet"],
            "parent_id": [None, "s", "s"],
        }
    )
    return einwohner, bewegungen, gebiete


def test_auto_chooses_the_cohort_component_method_where_the_moves_carry_ages():
    einwohner, bewegungen, gebiete = _frames(with_ages=True)
    pop_areas = ["a1", "a2"]
    moves = moves_from_frame(bewegungen, pop_areas, 3)
    assert method_at("auto", [2021, 2022, 2023, 2024], moves, 3) == "kohorten"
    assert method_at("auto", [2021, 2022, 2023, 2024], {}, 3) == "hamilton_perry"
    assert method_at("kohorten", [2021, 2022, 2023, 2024], {}, 3) is None
    prognose, _ = run(einwohner, gebiete, bewegungen=bewegungen)
    assert set(prognose["methode"]) == {"kohorten"}
    hp, _ = run(
        einwohner, gebiete, replace(Settings(), method="hamilton_perry"), bewegungen=bewegungen
    )
    assert set(hp["methode"]) == {"hamilton_perry"}
    # without ages, auto falls back to Hamilton–Perry; kohorten spreads them by the profiles
    einwohner, bewegungen, gebiete = _frames(with_ages=False)
    prognose, _ = run(einwohner, gebiete, bewegungen=bewegungen)
    assert set(prognose["methode"]) == {"hamilton_perry"}
    forced, _ = run(
        einwohner, gebiete, replace(Settings(), method="kohorten"), bewegungen=bewegungen
    )
    assert set(forced["methode"]) == {"kohorten"}
    with pytest.raises(ValueError, match="Bewegungsdaten"):
        run(einwohner, gebiete, replace(Settings(), method="kohorten"))
