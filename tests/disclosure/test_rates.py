"""publish_rates: rates only where their counts are published and the area is large enough."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.disclosure import DisclosureConfig, RateSpec, apply_disclosure, attack, publish_rates
from tests.disclosure._helpers import PERIODE, cell, cells, hierarchy

TREE = hierarchy({"R": None, "a": "R", "b": "R", "c": "R", "d": "R", "e": "R"})
QUOTE = RateSpec("quote", ("t", "fall"), ("t", "ew"), 100.0)


def _einwohner(values: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "gebiet_id": list(values),
            "periode": [PERIODE] * len(values),
            "einwohner": list(values.values()),
        }
    )


@pytest.fixture(scope="module")
def rates():
    counts = {
        # a: ordinary; b: numerator 2; c: small area; d: empty area; e: source `*`
        ("fall", "a"): 40,
        ("ew", "a"): 800,
        ("fall", "b"): 2,
        ("ew", "b"): 500,
        ("fall", "c"): 10,
        ("ew", "c"): 250,
        ("fall", "d"): 0,
        ("ew", "d"): 0,
        ("fall", "e"): "*",
        ("ew", "e"): 400,
    }
    published = apply_disclosure(cells(counts), TREE).cells
    ew = {"a": 800, "b": 500, "c": 250, "d": 0, "e": 400, "R": 1950}
    return published, publish_rates(published, [QUOTE], _einwohner(ew))


def test_rate_value_from_counts(rates):
    _, res = rates
    row = cell(res.cells.rename({"indikator_id": "merkmal"}), "quote", "a")
    assert row == row | {
        "zaehler": 40.0,
        "nenner": 800.0,
        "wert": 5.0,
        "symbol": None,
        "einheit": "%",
    }


def test_rate_symbols_and_log(rates):
    _, res = rates
    frame = res.cells.rename({"indikator_id": "merkmal"})
    symbols = dict(zip(frame["gebiet_id"], frame["symbol"], strict=True))
    # b: numerator 2; c, d: fewer than 300 inhabitants; e: numerator `*` at source;
    # R: numerator 40 + 2 + 10 + 0 + (1..2) only known as 53..54
    assert symbols == {"a": None, "b": "*", "c": ".", "d": ".", "e": "*", "R": "/"}
    log = dict(zip(res.log["gebiet_id"], res.log["regel"], strict=True))
    assert log == {
        "b": "zaehler_gesperrt",
        "c": "einwohner_unter_min",
        "d": "einwohner_unter_min",
        "e": "zaehler_gesperrt",
        "R": "quelle",
    }
    assert set(res.log["tabelle"]) == {"indikatoren"}
    assert cell(frame, "quote", "b")["zaehler"] is None
    city = cell(frame, "quote", "R")
    assert city["unsicher"] and city["wert"] is None
    assert city["untergrenze"] == pytest.approx(53 / 1950 * 100)
    assert city["obergrenze"] == pytest.approx(54 / 1950 * 100)


def test_zero_denominator_gives_x():
    counts = {("fall", g): 0 for g in "abcde"} | {("ew", g): 0 for g in "abcde"}
    published = apply_disclosure(cells(counts), TREE).cells
    ew = _einwohner(dict.fromkeys("abcdeR", 0))
    res = publish_rates(published, [QUOTE], ew, DisclosureConfig(min_einwohner=0))
    assert set(res.cells["symbol"]) == {"x"}
    assert res.log.is_empty()  # nothing withheld: there is no value


def test_rate_with_secondarily_suppressed_denominator_is_withheld():
    # ew of b is hidden (secondary, protects a's 2); a published rate would give it back
    tree = hierarchy({"R": None, "a": "R", "b": "R", "c": "R"})
    counts = {("ew", "a"): 2, ("ew", "b"): 600, ("ew", "c"): 900}
    counts |= {("fall", "a"): 0, ("fall", "b"): 30, ("fall", "c"): 45}
    published = apply_disclosure(cells(counts), tree).cells
    assert cell(published, "ew", "b")["symbol"] == "*"
    res = publish_rates(published, [QUOTE], _einwohner({"a": 2, "b": 600, "c": 900, "R": 1502}))
    row = cell(res.cells.rename({"indikator_id": "merkmal"}), "quote", "b")
    assert (row["symbol"], row["wert"], row["nenner"]) == ("*", None, None)
    assert res.log.filter(pl.col("gebiet_id") == "b")["regel"][0] == "nenner_gesperrt"
    assert attack(published, tree).is_empty()


def test_area_without_population_is_said_as_such():
    """No population for the date (not delivered yet) is not "below the minimum"."""
    counts = {("fall", "a"): 40, ("ew", "a"): 800, ("fall", "b"): 30, ("ew", "b"): 700}
    tree = hierarchy({"R": None, "a": "R", "b": "R"})
    published = apply_disclosure(cells(counts), tree).cells
    res = publish_rates(published, [QUOTE], _einwohner({"a": 800, "R": 1500}))
    log = dict(zip(res.log["gebiet_id"], res.log["regel"], strict=True))
    assert log == {"b": "einwohner_fehlt"}
    frame = res.cells.rename({"indikator_id": "merkmal"})
    assert cell(frame, "quote", "b")["symbol"] == "."
