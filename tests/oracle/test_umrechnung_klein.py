"""Recast onto today's areas: the split area of the small city (manifest["split"])."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.oracle.indicators import CATALOGUE

ZAEHLER = {i.id: i.zaehler for i in CATALOGUE}
NENNER = {i.id: i.nenner for i in CATALOGUE}


@pytest.fixture(scope="module")
def split(abgleich_klein) -> dict:
    s = abgleich_klein.oracle.manifest["split"]
    return {**s, "date": date.fromisoformat(s["date"])}


@pytest.fixture(scope="module")
def heute(abgleich_klein) -> pl.DataFrame:
    return abgleich_klein.mart.filter(pl.col("aktueller_gebietsstand"))


def _old_cells(abgleich_klein, split) -> pl.DataFrame:
    """As-delivered finest counts of the old area (read from landing, not recast)."""
    return abgleich_klein.oracle.finest.filter(pl.col("gebiet_id") == split["old"]).select(
        "merkmal", "periode", pl.col("wert").alias("alt"), pl.col("symbol").alias("alt_symbol")
    )


@pytest.mark.parametrize("seite", ["zaehler", "nenner"])
def test_neue_gebiete_gleich_alte_anzahl_mal_anteil(abgleich_klein, heute, split, seite):
    old = _old_cells(abgleich_klein, split)
    col = "periode" if seite == "zaehler" else "nenner_stichtag"
    merkmal = ZAEHLER if seite == "zaehler" else NENNER
    geprueft = 0
    for neu, anteil in split["anteil"].items():
        rows = heute.filter(
            (pl.col("gebiet_id") == neu) & (pl.col(col) < split["date"])
        ).with_columns(
            pl.col("indikator_id").replace_strict(merkmal, default=None).alias("merkmal")
        )
        j = rows.join(old, left_on=["merkmal", col], right_on=["merkmal", "periode"])
        exact = j.filter(pl.col("alt_symbol").is_null() | (pl.col("alt_symbol") == "-"))
        diff = exact.filter(
            ~((pl.col(seite) - pl.col("alt") * anteil).abs() <= 1e-9 * pl.col("alt").abs())
        )
        assert diff.is_empty(), diff.select("indikator_id", "periode", seite, "alt").head(10)
        assert exact["umgerechnet"].all()
        geprueft += exact.height
        # a suppressed old cell stays suppressed in both halves
        stern = j.filter(pl.col("alt_symbol") == "*")
        if seite == "zaehler":
            assert (stern["symbol"] == "*").all()
    assert geprueft > 100


def test_reihe_der_neuen_gebiete_lueckenlos(abgleich_klein, heute, split):
    """Every period the city has in today's layout also exists for both new areas; the
    old ones are flagged recast; the old area itself is gone from today's layout."""
    stadt = heute.filter(pl.col("ebene_rang") == 0).select("indikator_id", "periode")
    for neu in split["anteil"]:
        reihe = heute.filter(pl.col("gebiet_id") == neu)
        fehlt = stadt.join(reihe, on=["indikator_id", "periode"], how="anti")
        assert fehlt.is_empty(), f"{neu}: Lücken in der Zeitreihe {fehlt.head(10)}"
        vorher = reihe.filter(pl.col("periode") < split["date"])
        assert vorher.height > 0 and vorher["umgerechnet"].all()
        # values exist before the change wherever the oracle has them
        orakel = abgleich_klein.oracle.indikatoren.filter(
            (pl.col("gebiet_id") == neu) & pl.col("aktueller_gebietsstand")
        )
        assert orakel.filter(pl.col("periode") < split["date"])["wert"].drop_nulls().len() > 0
    assert heute.filter(pl.col("gebiet_id") == split["old"]).is_empty()
    alt = abgleich_klein.mart.filter(
        (pl.col("gebiet_id") == split["old"]) & ~pl.col("aktueller_gebietsstand")
    )
    assert alt.height > 0 and (alt["periode"] < split["date"]).all()


def test_reihe_ohne_sprung(heute, split):
    """Population of each new area: the recast value before the change and the first
    delivered value after it differ by less than ordinary half-year change."""
    ew = heute.filter(pl.col("indikator_id") == "ew")
    for neu in split["anteil"]:
        r = ew.filter(pl.col("gebiet_id") == neu).sort("periode")
        vor = r.filter(pl.col("periode") < split["date"]).tail(1)
        nach = r.filter(pl.col("periode") >= split["date"]).head(1)
        assert vor["umgerechnet"].all() and not nach["umgerechnet"].any()
        ratio = nach["wert"][0] / vor["wert"][0]
        assert 0.8 < ratio < 1.25, f"{neu}: Sprung {vor['wert'][0]} -> {nach['wert'][0]}"


def test_uebergeordnete_gebiete_unveraendert(abgleich_klein, split):
    """Recasting only moves counts between the new areas: the enclosing areas keep the
    delivered counts of the older periods."""
    m = abgleich_klein.mart.filter(pl.col("periode") < split["date"])
    g = abgleich_klein.oracle.areas.gebiete
    parent = g.filter(pl.col("gebiet_id") == split["old"])["parent_id"][0]
    oben = m.filter(pl.col("gebiet_id").is_in([parent, "00"]) | (pl.col("ebene_rang") <= 1))
    geliefert = oben.filter(~pl.col("aktueller_gebietsstand"))
    umgerechnet = oben.filter(pl.col("aktueller_gebietsstand"))
    j = geliefert.join(umgerechnet, on=["indikator_id", "gebiet_id", "periode"], suffix="_heute")
    assert j.height > 0
    for c in ("zaehler", "nenner", "wert"):
        a, b = pl.col(c), pl.col(f"{c}_heute")
        ok = (a.is_null() & b.is_null()) | ((a - b).abs() <= 1e-9 * a.abs()).fill_null(False)
        bad = j.filter(~ok)
        assert bad.is_empty(), bad.select("indikator_id", "gebiet_id", "periode", c, f"{c}_heute")
