"""marts.bedarfsplanung on the small synthetic city: deliveries -> projection -> Bedarfsplanung."""

from __future__ import annotations

import pytest

from tests.conftest import query


def test_facilities_load_without_quarantine(small_city):
    files = [f for f in small_city.manifest["files"] if f.startswith("einrichtungen/")]
    rows = query(
        small_city.warehouse_db,
        "select datei, zeilen_gelesen, zeilen_geladen from audit.loads where quelle = 'einrichtungen'",
    )
    assert sorted(r[0] for r in rows) == sorted(files)
    assert all(read == loaded for _, read, loaded in rows)


def test_today_and_every_projected_year_in_three_variants(small_city):
    rows = query(
        small_city.warehouse_db,
        "select variante, min(jahr), max(jahr), count(distinct basis_stichtag) "
        "from marts.bedarfsplanung where art = 'kita_u3' group by variante order by 1",
    )
    assert rows == [
        ("ist", 2022, 2024, 0),
        ("mitte", 2025, 2034, 1),
        ("oben", 2025, 2034, 1),
        ("unten", 2025, 2034, 1),
    ]


def test_short_areas_show_missing_places(small_city):
    short = small_city.manifest["short_areas"]
    rows = query(
        small_city.warehouse_db,
        "select gebiet_id, platzsaldo, versorgungsquote, zielwert from marts.bedarfsplanung "
        "where art = 'kita_ue3' and variante = 'ist' and jahr = 2024 and ist_planungsebene",
    )
    by_area = {g: (saldo, quote, target) for g, saldo, quote, target in rows}
    for g in short:
        saldo, quote, target = by_area[g]
        assert saldo < 0 and quote < 0.75 * target, g


def test_coarser_levels_are_sums_of_the_planning_level(small_city):
    rows = query(
        small_city.warehouse_db,
        """
        select b.art, b.jahr, b.variante, b.bedarfsbevoelkerung, b.plaetze,
               sum(f.bedarfsbevoelkerung), sum(f.plaetze)
        from marts.bedarfsplanung b
        join marts.bedarfsplanung f
          on f.art = b.art and f.jahr = b.jahr and f.variante = b.variante and f.ist_planungsebene
        where b.ebene = 'stadt'
        group by all
        """,
    )
    assert len(rows) == 6 * (3 + 3 * 10)
    for art, jahr, variante, pop, places, pop_sum, places_sum in rows:
        assert places == places_sum and pop == pytest.approx(pop_sum), (art, jahr, variante)
