"""marts.indikatoren of the small synthetic city against the oracle, per indicator.

`geliefert`: rows on the layout in force on the reference date (as delivered);
`umgerechnet`: older periods recast onto today's layout. A comparison the mart is known to
get wrong goes into KNOWN_BUGS (strict xfail: it turns red once the mart is fixed).
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.oracle.compare import summary
from tests.oracle.indicators import CATALOGUE

# (indikator_id, teil) -> reason; empty while the mart agrees with the oracle
KNOWN_BUGS: dict[tuple[str, str], str] = {}

TEILE = ("geliefert", "umgerechnet")


def _params():
    for ind in CATALOGUE:
        for teil in TEILE:
            marks = []
            if (ind.id, teil) in KNOWN_BUGS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(ind.id, teil)]))
            yield pytest.param(ind.id, teil, marks=marks, id=f"{ind.id}-{teil}")


def _teil(abgleich, teil: str) -> pl.DataFrame:
    """Mismatches of one part: recast rows carry today's layout for an older period."""
    areas = abgleich.oracle.areas
    periods = abgleich.abweichungen["periode"].unique().to_list()
    layout = {p: areas.layout_of(p) for p in periods}
    abw = abgleich.abweichungen.with_columns(
        pl.col("periode").replace_strict(layout, return_dtype=pl.Date).alias("_stand")
    )
    recast = pl.col("gebietsstand") != pl.col("_stand")
    return abw.filter(recast if teil == "umgerechnet" else ~recast).drop("_stand")


@pytest.mark.parametrize(("indikator_id", "teil"), list(_params()))
def test_indikator_wie_orakel(abgleich_klein, indikator_id, teil):
    abw = _teil(abgleich_klein, teil).filter(pl.col("indikator_id") == indikator_id)
    expected = abgleich_klein.oracle.indikatoren.filter(pl.col("indikator_id") == indikator_id)
    assert expected.height > 0, f"Orakel ohne Zeilen für {indikator_id}"
    assert abw.is_empty(), f"{indikator_id} ({teil}): " + summary(abw)


def test_alle_indikatoren_im_mart(abgleich_klein):
    """No indicator of the mart is outside the oracle's catalogue (and vice versa)."""
    mart_ids = set(abgleich_klein.mart["indikator_id"].unique().to_list())
    assert mart_ids == {i.id for i in CATALOGUE}


def test_jede_symbolart_geprueft(abgleich_klein):
    """The comparison is not vacuous: every symbol, exact and recast rows, dynamics and
    missing denominator dates occur in the oracle and in the mart alike."""
    e = abgleich_klein.oracle.indikatoren
    m = abgleich_klein.mart
    for symbol in ("*", "/", ".", "x"):
        n_e = e.filter(pl.col("symbol") == symbol).height
        n_m = m.filter(pl.col("symbol") == symbol).height
        assert n_e > 0 and n_e == n_m, f"Symbol {symbol}: Orakel {n_e}, Mart {n_m}"
    assert e.filter(pl.col("symbol").is_null()).height > 1000
    assert e.filter(pl.col("umgerechnet")).height > 0
    assert e.filter(pl.col("dynamik").is_not_null()).height > 0
    assert e.filter(pl.col("nenner_stichtag").is_null() & pl.col("nenner").is_null()).height > 0
    assert e.height == m.height


def test_stern_summen_untergrenzen(abgleich_klein):
    """`/` rows: zaehler = sum of the lower bounds of the finest counts (each `*` = 1), the
    bounds from [1, 2] per `*`, or from what a total row above it leaves (the oracle's
    `hi`); checked on the finest cells directly, not via the sums."""
    o = abgleich_klein.oracle
    finest = o.finest.filter(pl.col("merkmal") == "alo_sgb2")
    g = o.areas.gebiete.filter(pl.col("parent_id").is_not_null())
    parent = dict(zip(g["gebiet_id"], g["parent_id"], strict=False))
    # stadtteil = parent of the finest area (any city: one step up is enough here)
    cells = finest.with_columns(
        pl.col("gebiet_id").replace_strict(parent, default=None).alias("oben")
    )
    sums = (
        cells.group_by("periode", "oben")
        .agg(
            (pl.col("symbol") == "*").any().alias("stern"),
            pl.col("symbol").is_in([".", "x"]).fill_null(False).any().alias("unbekannt"),
            pl.when(pl.col("symbol") == "*")
            .then(1.0)
            .otherwise(pl.col("wert"))
            .sum()
            .alias("unten"),
            pl.when(pl.col("symbol") == "*")
            .then(pl.col("hi"))
            .otherwise(pl.col("wert"))
            .sum()
            .alias("oben_n"),
            (pl.col("symbol") == "*").fill_null(False).all().alias("alle_stern"),
        )
        .filter(pl.col("stern") & ~pl.col("unbekannt") & ~pl.col("alle_stern"))
    )
    assert sums.height > 0, "keine BA-*-Zelle in einer Summe: Test wäre leer"
    m = abgleich_klein.mart.filter(
        (pl.col("indikator_id") == "sgb2_alo_anteil")
        & pl.col("nenner").is_not_null()
        & ~pl.col("umgerechnet")
    )
    j = sums.join(m, left_on=["periode", "oben"], right_on=["periode", "gebiet_id"])
    assert j.height > 0
    assert (j["symbol"] == "/").all()
    assert (j["zaehler"] == j["unten"]).all()
    lo = j["unten"] / j["nenner"] * 100
    hi = j["oben_n"] / j["nenner"] * 100
    assert ((j["untergrenze"] - lo).abs() <= 1e-9 * lo.abs()).all()
    assert ((j["obergrenze"] - hi).abs() <= 1e-9 * hi.abs()).all()


def test_landing_ohne_ungeklaerte_zeilen(abgleich_klein):
    """Apart from the planted defects every landing row fits (area, address, period)."""
    assert abgleich_klein.oracle.problems == []


def test_orakel_schnell(abgleich_klein):
    assert abgleich_klein.sekunden["orakel_gesamt"] < 30, abgleich_klein.sekunden
