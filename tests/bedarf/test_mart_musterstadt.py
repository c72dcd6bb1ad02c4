"""marts.bedarfsplanung on the Musterstadt example (tests/fixtures/musterstadt/README.md)."""

from __future__ import annotations

import pytest

from tests.conftest import query

COLS = (
    "bedarfsbevoelkerung, plaetze, bedarf_plaetze, versorgungsquote, platzsaldo, ist_planungsebene"
)


def row(city, gebiet, art):
    rows = query(
        city.warehouse_db,
        f"select {COLS} from marts.bedarfsplanung where gebiet_id = ? and art = ? "
        "and jahr = 2024 and variante = 'ist'",
        [gebiet, art],
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_kita_u3_kai_and_city(example_city):
    # Kai: 320 children aged 1; K-002 has 80 places since 1.8.2024 (60 before); 45 per 100
    pop, places, need, quote, saldo, planning = row(example_city, "010201", "kita_u3")
    assert (pop, places, planning) == (320, 80, True)
    assert need == pytest.approx(144.0) and quote == pytest.approx(25.0)
    assert saldo == pytest.approx(-64.0)
    # city: 320 + 15 (Am Bach, age 2) children, 10 + 80 places
    pop, places, need, quote, saldo, planning = row(example_city, "00", "kita_u3")
    assert (pop, places, planning) == (335, 90, False)
    assert need == pytest.approx(150.75) and saldo == pytest.approx(-60.75)
    assert quote == pytest.approx(90 / 335 * 100)


def test_kita_ue3_surplus_and_quarantined_places_not_counted(example_city):
    pop, places, _need, quote, saldo, _ = row(example_city, "010101", "kita_ue3")
    assert (pop, places) == (40, 45) and quote == pytest.approx(112.5)
    assert saldo == pytest.approx(45 - 38.0)
    # Am Bach's -5 places were quarantined: no places, 0 children aged 3-5
    pop, places, need, quote, saldo, _ = row(example_city, "020102", "kita_ue3")
    assert (pop, places, need, quote, saldo) == (0, 0, 0, None, 0)


def test_grundschule_planned_per_stadtteil(example_city):
    pop, places, need, _quote, saldo, planning = row(example_city, "0102", "grundschule")
    assert (pop, places, need, saldo, planning) == (610, 500, 610, -110, True)
    finest = query(
        example_city.warehouse_db,
        "select count(*) from marts.bedarfsplanung where art = 'grundschule' "
        "and ebene = 'statistischer_bezirk'",
    )
    assert finest == [(0,)]
