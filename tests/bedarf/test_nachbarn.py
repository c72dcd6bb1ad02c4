"""Supply from neighbouring areas (pipelines/bedarf/nachbarn.py), computed by hand on four
squares: A | B | C in a row, D touching C at one corner only (no shared border)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipelines.bedarf.nachbarn import add_columns, neighbours, supply


def _square(x0: float, y0: float) -> str:
    ring = [[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


GEBIETE = pl.DataFrame(
    {
        "gebiet_id": ["S", "T1", "T2", "A", "B", "C", "D"],
        "ebene": ["stadt", "teil", "teil", "bezirk", "bezirk", "bezirk", "bezirk"],
        "pfad": ["S", "S/T1", "S/T2", "S/T1/A", "S/T1/B", "S/T2/C", "S/T2/D"],
        "ist_aktuell": [True] * 7,
        "ist_feinste_ebene": [False, False, False, True, True, True, True],
        "geometrie_geojson": [
            None, None, None, _square(0, 0), _square(1, 0), _square(2, 0), _square(3, 1)
        ],
    }
)  # fmt: skip
PAIRS = [("A", "B"), ("B", "A"), ("B", "C"), ("C", "B")]


def test_neighbours_share_a_border_not_a_corner_on_every_level():
    pairs = set(neighbours(GEBIETE).rows())
    assert pairs == {*PAIRS, ("T1", "T2"), ("T2", "T1")}


def test_no_geometry_no_neighbours():
    assert neighbours(
        GEBIETE.with_columns(pl.lit(None, pl.String).alias("geometrie_geojson"))
    ).is_empty()
    assert neighbours(GEBIETE.drop("geometrie_geojson")).is_empty()


def test_a_surplus_goes_to_the_bordering_deficit():
    # A +10 offers 0.5 x 10 = 5 to its only neighbour B (deficit 6); C (-2) borders only
    # B, which has nothing to give; D is alone
    got = supply({"A": 10.0, "B": -6.0, "C": -2.0, "D": 5.0}, PAIRS, 0.5)
    assert got == {"A": -5.0, "B": 5.0, "C": 0.0, "D": 0.0}


def test_a_surplus_is_shared_in_proportion_to_the_deficits():
    # B +8 offers 4, split 4 : 12 between A (-4) and C (-12): 1 and 3
    got = supply({"A": -4.0, "B": 8.0, "C": -12.0, "D": 0.0}, PAIRS, 0.5)
    assert got == pytest.approx({"A": 1.0, "B": -4.0, "C": 3.0, "D": 0.0})


def test_no_more_than_the_deficit_is_taken():
    # B +8 offers all 8 (anteil 1), 2 to A and 6 to C by their deficits; A needs only 1,
    # C only 3: B lends 4
    got = supply({"A": -1.0, "B": 8.0, "C": -3.0, "D": 0.0}, PAIRS, 1.0)
    assert got == pytest.approx({"A": 1.0, "B": -4.0, "C": 3.0, "D": 0.0})


def test_anteil_zero_is_todays_behaviour():
    assert supply({"A": 10.0, "B": -6.0, "C": -2.0, "D": 5.0}, PAIRS, 0) == dict.fromkeys(
        "ABCD", 0.0
    )


def test_a_withheld_saldo_leaves_every_figure_that_could_rest_on_it_empty():
    # B withheld: A and C border it, D is three borders away from nothing (no border at all)
    got = supply({"A": 10.0, "B": None, "C": -2.0, "D": 5.0}, PAIRS, 0.5)
    assert got == {"A": None, "B": None, "C": None, "D": 0.0}


def test_columns_on_the_planning_level_only():
    rows = pl.DataFrame(
        {
            "gebiet_id": ["A", "B", "C", "D", "T1"],
            "ist_planungsebene": [True, True, True, True, False],
            "art": ["kita_u3"] * 5,
            "jahr": [2024] * 5,
            "variante": ["ist"] * 5,
            "platzsaldo": [10.0, -6.0, -2.0, 5.0, 4.0],
        }
    )
    out = add_columns(rows, pl.DataFrame(PAIRS, schema=["gebiet_id", "nachbar_id"], orient="row"),
                      {"kita_u3": 0.5})  # fmt: skip
    by = {r["gebiet_id"]: r for r in out.iter_rows(named=True)}
    assert by["B"]["plaetze_nachbarn"] == 5.0 and by["B"]["platzsaldo_mit_nachbarn"] == -1.0
    assert by["A"]["platzsaldo_mit_nachbarn"] == 5.0
    assert by["T1"]["plaetze_nachbarn"] is None and by["T1"]["platzsaldo_mit_nachbarn"] is None
    # the places of the level add up as before
    level = out.filter(pl.col("ist_planungsebene"))
    assert level["platzsaldo_mit_nachbarn"].sum() == level["platzsaldo"].sum()
