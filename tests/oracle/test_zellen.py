"""The oracle's own building blocks, tested alone (no warehouse needed)."""

from __future__ import annotations

from datetime import date

import polars as pl

from tests.oracle.cells import ba_cells, exact_cells, rate_columns, recast_cells, sum_cells
from tests.oracle.counts import age
from tests.oracle.indicators import earlier_same_day
from tests.oracle.read import german_money, read_ba_table


def _cells(texts: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"g": ["a"] * len(texts), "t": texts}, schema={"g": pl.String, "t": pl.String}
    ).select("g", *ba_cells(pl.col("t")), pl.lit(False).alias("umg"))


def test_ba_zellen():
    c = _cells(["12", "*", "-", ".", "x", None, "1.234"])
    assert c["symbol"].to_list() == [None, "*", "-", ".", "x", ".", None]
    assert c["wert"].to_list() == [12.0, None, 0.0, None, None, None, 1234.0]
    assert c["lo"].to_list() == [12.0, 1.0, 0.0, None, None, None, 1234.0]
    assert c["hi"].to_list() == [12.0, 2.0, 0.0, None, None, None, 1234.0]


def test_summen_regeln():
    def one(texts):
        return sum_cells(_cells(texts), ["g"]).row(0, named=True)

    r = one(["5", "*", "*"])
    assert (r["symbol"], r["wert"], r["lo"], r["hi"]) == ("/", 7.0, 7.0, 9.0)
    r = one(["5", "*", "."])
    assert (r["symbol"], r["wert"], r["lo"]) == (".", None, None)
    r = one(["*", "*"])
    assert (r["symbol"], r["wert"], r["lo"], r["hi"]) == ("*", None, 2.0, 4.0)
    r = one(["-", "-"])
    assert (r["symbol"], r["wert"]) == ("-", 0.0)
    r = one(["-", "3"])
    assert (r["symbol"], r["wert"]) == (None, 3.0)


def test_umrechnung_skaliert_grenzen():
    cells = _cells(["10", "*"]).with_columns(
        pl.Series("gebiet_id", ["alt", "fest"]), pl.lit("m").alias("merkmal")
    )
    walk = pl.DataFrame(
        {
            "herkunft_id": ["alt", "alt", "fest"],
            "gebiet_id": ["neu1", "neu2", "fest"],
            "anteil": [0.25, 0.75, 1.0],
            "umgerechnet": [True, True, False],
        }
    )
    out = recast_cells(cells, walk, ["merkmal", "gebiet_id"]).sort("gebiet_id")
    assert out["gebiet_id"].to_list() == ["fest", "neu1", "neu2"]
    assert out["wert"].to_list() == [None, 2.5, 7.5]
    assert out["symbol"].to_list() == ["*", None, None]
    assert out["hi"].to_list() == [2.0, 2.5, 7.5]
    assert out["umg"].to_list() == [False, True, True]


def _rate(z: list[str | None], n: list[str | None], stichtag=date(2024, 12, 31)):
    zc = _cells(z).select(*[pl.col(c).alias(f"z_{c}") for c in ("wert", "symbol", "lo", "hi")])
    nc = _cells(n).select(*[pl.col(c).alias(f"n_{c}") for c in ("wert", "symbol", "lo", "hi")])
    df = pl.concat([zc, nc], how="horizontal").with_columns(
        pl.lit(stichtag, pl.Date).alias("nenner_stichtag"), pl.lit(False).alias("n_missing")
    )
    return df.select(rate_columns(100, True))


def test_quoten_symbole():
    r = _rate(["5", "*", "5", "5", ".", "-", "3"], ["50", "50", "0", "*", "50", "50", "-"])
    assert r["symbol"].to_list() == [None, "*", "x", "*", ".", None, "x"]
    assert r["wert"].to_list() == [10.0, None, None, None, None, 0.0, None]
    assert r["untergrenze"][1] == 1 / 50 * 100 and r["obergrenze"][1] == 2 / 50 * 100
    ohne = _rate(["5"], ["50"], stichtag=None)
    assert ohne["symbol"].to_list() == ["."] and ohne["wert"].to_list() == [None]


def test_anzahl_ohne_nenner():
    z = exact_cells(pl.DataFrame({"n": [7]}), "n").select(
        *[pl.col(c).alias(f"z_{c}") for c in ("wert", "symbol", "lo", "hi")]
    )
    r = z.with_columns(pl.lit(None, pl.String).alias("n_symbol")).select(rate_columns(1, False))
    assert r.row(0, named=True)["wert"] == 7.0 and r["symbol"][0] is None


def test_alter_vollendete_jahre():
    df = pl.DataFrame(
        {
            "geb": [date(2000, 6, 15), date(2000, 6, 15), date(2004, 2, 29), date(2024, 1, 1)],
            "tag": [date(2024, 6, 14), date(2024, 6, 15), date(2023, 2, 28), date(2023, 12, 31)],
        }
    )
    assert df.select(age(pl.col("geb"), pl.col("tag"))).to_series().to_list() == [23, 24, 18, -1]


def test_geld_und_vergleichsstichtag():
    s = pl.DataFrame({"t": ["1.234,50", "17985,13", "12"]}).select(german_money(pl.col("t")))
    assert s["t"].to_list() == [1234.5, 17985.13, 12.0]
    assert earlier_same_day(date(2024, 2, 29)) == date(2022, 2, 28)
    assert earlier_same_day(date(2024, 6, 30)) == date(2022, 6, 30)
    assert earlier_same_day(date(2024, 6, 15)) == date(2022, 6, 15)


def test_ba_tabelle_mit_titel_und_fussblock(tmp_path):
    text = (
        "Statistik der Bundesagentur für Arbeit\r\nBerichtsmonat: März 2024\r\n\r\n"
        "Gebiet;Gebietsname;Bedarfsgemeinschaften;Regelleistungsberechtigte;"
        "Erwerbsfähige Leistungsberechtigte;Nicht erwerbsfähige Leistungsberechtigte;"
        "dar. NEF unter 15 Jahren;Arbeitslose SGB II;Langzeitleistungsbeziehende;"
        "Alleinerziehende BG\r\n"
        "0101;Mitte;1.005;*;3;-;.;x;4;5\r\n\r\n* Fußnote; mit Semikolon\r\n© BA\r\n"
    )
    path = tmp_path / "sgb2_2024-03.csv"
    path.write_bytes(text.encode("cp1252"))
    month, df = read_ba_table(path)
    assert month == date(2024, 3, 31)
    assert df.height == 1 and df["_line"][0] == 5
    assert df.row(0, named=True)["bg"] == "1.005" and df["rlb"][0] == "*"
