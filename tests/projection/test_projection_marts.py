"""The projection marts of the small synthetic city, built by the real pipeline (dbt Python models)."""

from __future__ import annotations

import pytest

from tests.conftest import query


def test_projection_from_the_latest_year_end_in_three_variants(small_city):
    db = small_city.warehouse_db
    latest = query(
        db,
        "select max(periode) from staging.stg_einwohner "
        "where month(periode) = 12 and day(periode) = 31",
    )[0][0]
    rows = query(
        db,
        "select variante, min(stichtag), max(stichtag), count(distinct stichtag) "
        "from marts.bevoelkerungsprognose where basis_stichtag = ? group by variante order by 1",
        [latest],
    )
    assert [r[0] for r in rows] == ["mitte", "oben", "unten"]
    assert all(r[1].year == latest.year + 1 and r[3] == 10 for r in rows)


def test_coarser_levels_are_sums_and_the_base_is_the_delivered_population(small_city):
    db = small_city.warehouse_db
    diff = query(
        db,
        """
        with p as (
            select p.*, g.parent_id, g.ist_feinste_ebene
            from marts.bevoelkerungsprognose p join marts.gebiete g using (gebiet_id)
            where variante = 'mitte'
        ),
        parents as (select gebiet_id, basis_stichtag, stichtag, sum(einwohner) as ew
                    from p group by all),
        children as (select parent_id as gebiet_id, basis_stichtag, stichtag, sum(einwohner) as ew
                     from p where parent_id is not null group by all)
        select max(abs(parents.ew - children.ew))
        from parents join children using (gebiet_id, basis_stichtag, stichtag)
        """,
    )[0][0]
    assert diff is not None and diff < 1e-6
    # ratios estimated from the city's own history give a plausible next year:
    # within 5 % of the base population for the whole city
    latest = query(
        db,
        "select max(periode) from staging.stg_einwohner "
        "where month(periode) = 12 and day(periode) = 31",
    )[0][0]
    base = query(db, "select sum(anzahl) from staging.stg_einwohner where periode = ?", [latest])[
        0
    ][0]
    nxt = query(
        db,
        "select sum(einwohner) from marts.bevoelkerungsprognose p join marts.gebiete g "
        "using (gebiet_id) where g.ebene_rang = 0 and variante = 'mitte' "
        "and basis_stichtag = ? and year(stichtag) = ?",
        [latest, latest.year + 1],
    )[0][0]
    assert nxt == pytest.approx(base, rel=0.05)


def test_the_cohort_component_method_is_used_where_the_moves_carry_ages(small_city):
    """The synthetic city delivers its moves by age and sex (the first year's file without):
    `prognose.methode: auto` projects by components, and the births of the first projected
    year follow the delivered fertility (within 15 % of the base year's births)."""
    db = small_city.warehouse_db
    aged = query(
        db,
        "select jahr, count(*) filter (where alter is not null), count(*) "
        "from staging.stg_bewegungen group by jahr order by jahr",
    )
    assert aged[0][1] == 0 and all(r[1] == r[2] > 0 for r in aged[1:])
    latest = query(
        db,
        "select max(periode) from staging.stg_einwohner "
        "where month(periode) = 12 and day(periode) = 31",
    )[0][0]
    methods = query(
        db,
        "select distinct methode from marts.bevoelkerungsprognose where basis_stichtag = ?",
        [latest],
    )
    assert methods == [("kohorten",)]
    births = query(
        db,
        "select sum(anzahl) from staging.stg_bewegungen where art = 'geburt' and jahr = ?",
        [latest.year],
    )[0][0]
    projected = query(
        db,
        "select sum(einwohner) from marts.bevoelkerungsprognose p join marts.gebiete g "
        "using (gebiet_id) where g.ebene_rang = 0 and variante = 'mitte' and alter = 0 "
        "and basis_stichtag = ? and year(stichtag) = ?",
        [latest, latest.year + 1],
    )[0][0]
    assert projected == pytest.approx(births, rel=0.15)
