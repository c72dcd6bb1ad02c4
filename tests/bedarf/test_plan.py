"""Bedarfsplanung on a hand-computed tiny city (pipelines.bedarf.plan, no dbt)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.bedarf import SCHEMA, plan

# city 0 -> Stadtteil 01 -> finest areas 0101, 0102
GEBIETE = pl.DataFrame(
    {
        "gebiet_id": ["0", "01", "0101", "0102"],
        "ebene": ["stadt", "stadtteil", "bezirk", "bezirk"],
        "pfad": ["0", "0/01", "0/01/0101", "0/01/0102"],
        "gueltig_ab": [date(2000, 1, 1)] * 4,
        "ist_feinste_ebene": [False, False, True, True],
    }
)
ECKWERTE = {
    "kita_u3": {
        "alter_von": 0,
        "alter_bis": 2,
        "zielwert": 45,
        "je": 100,
        "planungsebene_hoeher": 0,
    },
    "grundschule": {
        "alter_von": 6,
        "alter_bis": 9,
        "zielwert": 100,
        "je": 100,
        "planungsebene_hoeher": 1,
    },
}
D24 = date(2024, 12, 31)
EINWOHNER = pl.DataFrame(
    {
        "gebiet_id": ["0101", "0101", "0101", "0102", "0102", "0101"],
        "periode": [D24, D24, D24, D24, D24, date(2024, 6, 30)],
        "alter": [0, 2, 7, 1, 30, 1],
        "geschlecht": ["w", "m", "w", "m", "w", "w"],
        "anzahl": [60, 40, 90, 20, 500, 999],  # the 30.06. row is not a planning date
    }
)
EINRICHTUNGEN = pl.DataFrame(
    {
        "jahr": [2024] * 5,
        "gebiet_id": ["0101", "0101", "0102", "0102", "0101"],
        "art": ["kita_u3", "kita_u3", "kita_u3", "grundschule", "kita_u3"],
        "plaetze": [30, 10, 12, 80, 25],
        "gueltig_ab": [
            date(2010, 1, 1),
            date(2010, 1, 1),
            date(2020, 8, 1),
            date(1990, 8, 1),
            date(2025, 8, 1),
        ],
        "gueltig_bis": [None, date(2024, 7, 31), date(2026, 7, 31), None, None],
    }
)
# projection from 31.12.2024: variant mitte for 2025 and 2027
PROGNOSE = pl.DataFrame(
    {
        "gebiet_id": ["0101", "0102", "01", "0101", "0102"],
        "ebene": ["bezirk", "bezirk", "stadtteil", "bezirk", "bezirk"],
        "basis_stichtag": [D24] * 5,
        "stichtag": [date(2025, 12, 31)] * 3 + [date(2027, 12, 31)] * 2,
        "variante": ["mitte"] * 5,
        "alter": [1, 1, 1, 8, 2],
        "geschlecht": ["w"] * 5,
        "einwohner": [110.0, 30.0, 140.0, 95.5, 10.0],
    }
)


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return plan(EINWOHNER, PROGNOSE, EINRICHTUNGEN, GEBIETE, ECKWERTE)


def one(rows, **key):
    hit = rows.filter(pl.all_horizontal([pl.col(k) == v for k, v in key.items()]))
    assert hit.height == 1, (key, hit)
    return hit.row(0, named=True)


def test_schema(rows):
    assert dict(rows.schema) == SCHEMA


def test_today_finest_area(rows):
    # 0101: under 3 = 60 + 40 = 100; places valid on 31.12.2024: 30 (the 10 ended in July,
    # the 25 open in 2025); target 45 per 100 -> 45 places needed, 15 missing
    r = one(rows, gebiet_id="0101", art="kita_u3", jahr=2024, variante="ist")
    assert r["bedarfsbevoelkerung"] == 100 and r["plaetze"] == 30
    assert r["bedarf_plaetze"] == pytest.approx(45.0)
    assert r["versorgungsquote"] == pytest.approx(30.0)
    assert r["platzsaldo"] == pytest.approx(-15.0)
    assert r["ist_planungsebene"] and r["ebene"] == "bezirk" and r["basis_stichtag"] is None
    # 0102: 20 children, 12 places: 9 needed, 3 surplus
    r = one(rows, gebiet_id="0102", art="kita_u3", jahr=2024, variante="ist")
    assert (r["bedarfsbevoelkerung"], r["plaetze"], r["platzsaldo"]) == (20, 12, pytest.approx(3.0))


def test_coarser_levels_are_sums(rows):
    r = one(rows, gebiet_id="0", art="kita_u3", jahr=2024, variante="ist")
    assert (r["bedarfsbevoelkerung"], r["plaetze"]) == (120, 42)
    assert r["versorgungsquote"] == pytest.approx(35.0)
    assert r["platzsaldo"] == pytest.approx(42 - 54)  # gaps and surpluses net out above
    assert not r["ist_planungsebene"]


def test_planning_level_above_finest(rows):
    # Grundschule is planned per Stadtteil: no rows for the finest areas
    assert rows.filter((pl.col("art") == "grundschule") & (pl.col("ebene") == "bezirk")).height == 0
    r = one(rows, gebiet_id="01", art="grundschule", jahr=2024, variante="ist")
    assert (r["bedarfsbevoelkerung"], r["plaetze"], r["platzsaldo"]) == (
        90,
        80,
        pytest.approx(-10.0),
    )
    assert r["ist_planungsebene"] and r["versorgungsquote"] == pytest.approx(80 / 90 * 100)


def test_projected_years_use_latest_facilities_on_their_date(rows):
    # 2025: 0101 has 30 + 25 (opened 1.8.2025) places for 110 projected children
    r = one(rows, gebiet_id="0101", art="kita_u3", jahr=2025, variante="mitte")
    assert r["basis_stichtag"] == D24 and r["plaetze"] == 55
    assert r["bedarf_plaetze"] == pytest.approx(49.5) and r["platzsaldo"] == pytest.approx(5.5)
    # the coarser projection rows of the mart are not counted twice: the Stadtteil is the sum
    r = one(rows, gebiet_id="01", art="kita_u3", jahr=2025, variante="mitte")
    assert r["bedarfsbevoelkerung"] == pytest.approx(140.0) and r["plaetze"] == 67
    # 2027: 0102's places ended 31.7.2026; 10 children need 4.5 places
    r = one(rows, gebiet_id="0102", art="kita_u3", jahr=2027, variante="mitte")
    assert r["plaetze"] == 0 and r["platzsaldo"] == pytest.approx(-4.5)
    assert r["versorgungsquote"] == 0
    # no child in the band -> no quota, but the places still count
    r = one(rows, gebiet_id="0101", art="kita_u3", jahr=2027, variante="mitte")
    assert r["bedarfsbevoelkerung"] == 0 and r["plaetze"] == 55 and r["versorgungsquote"] is None


def test_no_facilities_no_rows():
    assert plan(EINWOHNER, PROGNOSE, EINRICHTUNGEN.clear(), GEBIETE, ECKWERTE).height == 0
