"""The BA's total row: an exact value for a coarser area, used where the sum is only bounded.

The Musterstadt December table withholds Am Bach's and Dom's small counts (`*`), so the
city's SGB II counts were only known within bounds (`/`). A BA table carries the
municipality's own row with exact values; with it, the city's figures are exact, the row
is checked against its parts, and the withheld parts stay withheld (secondary suppression
in the one disclosure system; the attacker check of every publish).
"""

from __future__ import annotations

import pytest

from tests.conftest import BA_DEC, EXAMPLES, query

AM_BACH = {"bg": 3, "rlb": 4, "elb": 4}  # the withheld values (tests/conftest.py: BA_TOTAL)


@pytest.fixture(scope="module")
def with_total(ba_total_city):
    """Musterstadt's session build with the December table redelivered with the total row
    (`ba_total_city`, tests/conftest.py: the monthly path on a copy of `example_city`)."""
    assert (EXAMPLES / BA_DEC).read_bytes() != (ba_total_city.landing / BA_DEC).read_bytes()
    assert ba_total_city.outcome.scope == {"arten": ["sgb2"], "tests_ab_periode": "2024-12-31"}
    return ba_total_city.warehouse, ba_total_city.outcome


def test_city_counts_and_rates_are_exact_and_parts_stay_withheld(with_total):
    warehouse, outcome = with_total
    assert outcome.exit_code == 0, (outcome.failed_steps, outcome.failed_checks)
    wh = warehouse / "warehouse.duckdb"
    city = dict(
        query(
            wh,
            "select merkmal, wert from marts.basiszahlen where gebiet_id = '00' "
            "and periode = date '2024-12-31' and quelle = 'sgb2' and quell_symbol is null",
        )
    )
    assert city["elb"] == 961 and city["bg"] == 513 and city["bg_alleinerziehend"] == 81
    # the finest rows are unchanged: Am Bach's elb still a BA `*`
    assert query(
        wh,
        "select quell_symbol from marts.basiszahlen where gebiet_id = '020102' "
        "and periode = date '2024-12-31' and merkmal = 'elb'",
    ) == [("*",)]
    pub = warehouse / "publish.duckdb"
    rate = query(
        pub,
        "select wert, symbol, zaehler, nenner from indikatoren where gebiet_id = '00' "
        "and periode = date '2024-12-31' and indikator_id = 'sgb2_elb_quote'",
    )
    (wert, symbol, zaehler, nenner) = rate[0]
    assert symbol is None and zaehler == 961 and wert == pytest.approx(961 / nenner * 100)
    # the attacker on what is published recovers nothing (blocking check of the publish)
    assert outcome.failed_checks == []
    am_bach = query(
        pub,
        "select symbol from indikatoren where gebiet_id = '020102' "
        "and periode = date '2024-12-31' and indikator_id = 'sgb2_elb_quote'",
    )
    assert am_bach[0][0] in ("*", ".")


def test_volume_check_counts_finest_areas_only(with_total):
    """A November table with the total row, against December without: the total doubles
    the file's sum, but the volume check compares the finest areas and lets it pass."""
    import duckdb
    import polars as pl

    from pipelines.deliveries.volume import VolumeRule, judge

    warehouse, _ = with_total
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        december = con.execute(
            "select * exclude (load_id) from raw.sgb2 where gebiet_id <> '00'"
        ).pl()
        november = pl.concat(
            [
                december,
                con.execute("select * exclude (load_id) from raw.sgb2 where gebiet_id = '00'").pl(),
            ]
        ).with_columns(pl.col("berichtsmonat").dt.offset_by("-1mo"))
        rule = VolumeRule(0.3, 1)
        args = (
            "sgb2",
            "sgb2",
            "berichtsmonat",
            november["berichtsmonat"][0],
            "sgb2/x.csv",
            "0" * 64,
        )
        assert judge(rule, con, *args, november) is None
        # the check still has teeth: half the finest rows are held
        assert judge(rule, con, *args[:-1], "0" * 64, november.head(3)) is not None
    finally:
        con.close()


def test_a_star_below_a_total_is_bounded_by_the_total_not_by_two(with_total):
    """A `*` of the BA's secondary suppression hides more than 2. Below a total row its
    upper bound is what the total leaves (total - known - the other stars' minimum), so
    every sum over it (Stadtteil, district) holds the true value within its bounds; with
    the [1, 2] of a primary `*` they would exclude it."""
    warehouse, _ = with_total
    wh = warehouse / "warehouse.duckdb"
    for merkmal, hidden in AM_BACH.items():
        rows = query(
            wh,
            "select gebiet_id, untergrenze, obergrenze from marts.basiszahlen "
            "where periode = date '2024-12-31' and quelle = 'sgb2' and merkmal = ? "
            "and gebiet_id in ('020102', '0201', '02')",
            [merkmal],
        )
        known = {"bg": 35, "rlb": 58, "elb": 45}[merkmal]  # Lindenhof-West, the sibling
        bounds = {g: (lo, hi) for g, lo, hi in rows}
        assert bounds["020102"] == (1, hidden), merkmal
        for area in ("0201", "02"):  # Gartenstadt, Süd: Am Bach and Lindenhof-West
            lo, hi = bounds[area]
            assert lo <= known + hidden <= hi, (merkmal, area, lo, hi)
