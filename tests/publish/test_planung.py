"""The forward view published: bevoelkerungsprognose in age groups, prognose_guete, and
bedarfsplanung with the demand population of an `ist` row as a count cell of the one
disclosure system (docs/bedarfsplanung.md "Publication")."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.disclosure import DisclosureConfig
from pipelines.publish.planung import (
    age_groups,
    planning_findings,
    publish_bedarfsplanung,
    publish_prognose,
    read_prognose_groups,
)
from tests.conftest import query

CFG = DisclosureConfig(min_fallzahl=3, min_einwohner=300)
DAY = date(2024, 12, 31)
ECKWERTE = {
    "kita_u3": {"alter_von": 0, "alter_bis": 2, "zielwert": 45, "je": 100, "planungsebene_hoeher": 0},
    "kita_ue3": {"alter_von": 3, "alter_bis": 5, "zielwert": 95, "je": 100, "planungsebene_hoeher": 0},
    "seniorentreff": {"alter_von": 65, "alter_bis": 100, "zielwert": 20, "je": 1000, "planungsebene_hoeher": 1},
}  # fmt: skip
TREE = pl.DataFrame(
    {
        "gebiet_id": ["S", "T1", "A", "B", "C", "D"],
        "parent_id": [None, "S", "T1", "T1", "T1", "S"],
        "ebene": ["stadt", "stadtteil", "bezirk", "bezirk", "bezirk", "bezirk"],
        "ebene_rang": [0, 1, 2, 2, 2, 2],
    }
)
# children aged 0-2 of the finest areas; D is a finest area directly under the city
KIDS = {"A": 2, "B": 40, "C": 35, "D": 50}
PLACES = {"A": 10, "B": 12, "C": 20, "D": 30}


def _plan(kids: dict[str, int] = KIDS) -> pl.DataFrame:
    values = {**kids, "T1": kids["A"] + kids["B"] + kids["C"]}
    values["S"] = values["T1"] + kids["D"]
    places = {**PLACES, "T1": 42}
    places["S"] = 72
    rows = []
    for g, v in values.items():
        rows.append(
            {
                "gebiet_id": g, "ebene": TREE.filter(pl.col("gebiet_id") == g)["ebene"][0],
                "ist_planungsebene": g in KIDS, "art": "kita_u3", "jahr": 2024, "stichtag": DAY,
                "variante": "ist", "basis_stichtag": None, "alter_von": 0, "alter_bis": 2,
                "bedarfsbevoelkerung": float(v), "plaetze": places[g], "zielwert": 45.0, "je": 100,
                "bedarf_plaetze": v * 0.45, "versorgungsquote": places[g] * 100 / v,
                "platzsaldo": places[g] - v * 0.45,
            }
        )  # fmt: skip
    return pl.DataFrame(rows, schema_overrides={"basis_stichtag": pl.Date, "je": pl.Int32})


POPULATION = pl.DataFrame(
    {"gebiet_id": list(TREE["gebiet_id"]), "stichtag": [DAY] * 6, "einwohner": [5000.0] * 6}
)
NO_PROGNOSE = pl.DataFrame(
    schema={
        "gebiet_id": pl.String, "ebene": pl.String, "basis_stichtag": pl.Date,
        "stichtag": pl.Date, "variante": pl.String, "altersgruppe": pl.String,
        "einwohner": pl.Float64,
    }
)  # fmt: skip


def _published(plan=None, population=POPULATION):
    return publish_bedarfsplanung(
        _plan() if plan is None else plan, NO_PROGNOSE, population, TREE, CFG
    )


def test_small_demand_is_withheld_with_a_sibling_and_what_gives_it_back():
    out = _published()
    by = {r["gebiet_id"]: r for r in out.iter_rows(named=True)}
    a = by["A"]
    assert a["symbol"] == "*"
    assert a["bedarfsbevoelkerung"] is None
    assert a["bedarf_plaetze"] is None and a["versorgungsquote"] is None
    assert a["platzsaldo"] is None
    # places, target and je stay public
    assert (a["plaetze"], a["zielwert"], a["je"]) == (10, 45.0, 100)
    # secondary suppression: A = T1 - B - C would give it back otherwise
    hidden = {g for g, r in by.items() if r["symbol"] is not None}
    assert len(hidden & {"B", "C", "T1"}) >= 1
    # a published row is consistent
    d = by["D"]
    assert d["bedarfsbevoelkerung"] == 50 and d["bedarf_plaetze"] == pytest.approx(22.5)
    assert planning_findings(out, TREE, CFG).is_empty()


def test_attacker_recomputes_a_withheld_demand_from_parent_and_siblings():
    """Without the secondary suppression, A = T1 − B − C: the reader attacker finds it."""
    out = _published().with_columns(
        pl.when(pl.col("gebiet_id") != "A").then(None).otherwise(pl.col("symbol")).alias("symbol")
    )
    true = dict(_plan().select("gebiet_id", "bedarfsbevoelkerung").rows())
    out = out.with_columns(
        pl.when(pl.col("gebiet_id") != "A")
        .then(pl.col("gebiet_id").replace_strict(true, return_dtype=pl.Float64))
        .alias("bedarfsbevoelkerung")
    )
    found = planning_findings(out, TREE, CFG)
    assert found.filter(pl.col("gebiet_id") == "A")["wert"].to_list() == [2.0]


@pytest.mark.parametrize("column", ["bedarf_plaetze", "versorgungsquote", "platzsaldo"])
def test_attacker_recomputes_a_withheld_demand_from_a_derived_column(column):
    """A derived column left on a `*` row gives the count back with the public places."""
    out = _published()
    true = _plan().filter(pl.col("gebiet_id") == "A")[column][0]
    out = out.with_columns(
        pl.when(pl.col("gebiet_id") == "A")
        .then(pl.lit(true))
        .otherwise(pl.col(column))
        .alias(column)
    )
    found = planning_findings(out, TREE, CFG)
    assert ("A", 2.0, "sichtbar") in found.select("gebiet_id", "wert", "methode").rows()


def test_area_below_min_einwohner_is_dot():
    population = POPULATION.with_columns(
        pl.when(pl.col("gebiet_id") == "D")
        .then(100.0)
        .otherwise(pl.col("einwohner"))
        .alias("einwohner")
    )
    by = {r["gebiet_id"]: r for r in _published(population=population).iter_rows(named=True)}
    assert by["D"]["symbol"] == "." and by["D"]["versorgungsquote"] is None


def test_age_groups_follow_the_bands():
    assert [g for g, _, _ in age_groups(ECKWERTE)] == ["0-2", "3-5", "6-64", "65+", "insgesamt"]


def test_projection_in_age_groups_rounded_and_small_figures_dot():
    rows = []
    for g, n in (("A", 1.2), ("B", 100.4)):
        for alter in range(0, 101):
            rows.append(
                (g, "bezirk", date(2024, 12, 31), date(2026, 12, 31), "mitte", alter, "m", n)
            )
    prog = pl.DataFrame(
        rows,
        schema=["gebiet_id", "ebene", "basis_stichtag", "stichtag", "variante", "alter", "geschlecht", "einwohner"],
        orient="row",
    )  # fmt: skip
    # summed into the groups as publish reads the mart: in DuckDB
    con = duckdb.connect()
    con.execute("create schema marts")
    con.register("prog", prog.to_arrow())
    con.execute("create table marts.bevoelkerungsprognose as select * from prog")
    out = publish_prognose(read_prognose_groups(con, ECKWERTE), ECKWERTE, CFG)
    con.close()
    by = {(r["gebiet_id"], r["altersgruppe"]): r for r in out.iter_rows(named=True)}
    # B: 3 ages x 100.4 = 301.2 -> 301; total 101 x 100.4
    assert by[("B", "0-2")]["einwohner"] == 301 and by[("B", "0-2")]["symbol"] is None
    assert by[("B", "insgesamt")]["einwohner"] == round(101 * 100.4)
    # A: total 121 persons, below min_einwohner: every figure '.'
    assert by[("A", "insgesamt")]["einwohner"] is None and by[("A", "insgesamt")]["symbol"] == "."
    assert by[("A", "65+")]["symbol"] == "."


def test_published_on_the_small_city(small_city):
    db = small_city.publish_db
    bases = query(
        db,
        "select variante, count(distinct basis_stichtag), count(*) from bevoelkerungsprognose "
        "group by 1 order by 1",
    )
    assert [b[0] for b in bases] == ["mitte", "oben", "unten"]
    assert dict((v, n) for v, n, _ in bases)["mitte"] >= 1
    # every published projected figure is a whole number at or above the threshold
    small = query(
        db,
        "select count(*) from bevoelkerungsprognose where einwohner is not null and einwohner < 3",
    )
    assert small == [(0,)]
    # three years of history: no back-test base date yet, the table stands empty
    assert query(db, "select count(*) from prognose_guete") == [(0,)]
    rows = query(
        db,
        "select variante, count(*), count(symbol) from bedarfsplanung group by 1 order by 1",
    )
    assert [r[0] for r in rows] == ["ist", "mitte", "oben", "unten"]
    # a withheld demand population leaves nothing in the columns that give it back
    leaks = query(
        db,
        "select count(*) from bedarfsplanung where symbol is not null and "
        "(bedarfsbevoelkerung is not null or bedarf_plaetze is not null "
        "or versorgungsquote is not null or platzsaldo is not null)",
    )
    assert leaks == [(0,)]


# --- explain for a projected figure ---------------------------------------------------------


def test_explain_a_projected_bedarfsplanung_figure(small_city):
    from pipelines.lineage.explain import explain_text

    area = query(
        small_city.publish_db,
        "select gebiet_id from bedarfsplanung where art = 'kita_u3' and variante = 'oben' "
        "and jahr = 2030 and ist_planungsebene and symbol is null order by gebiet_id limit 1",
    )[0][0]
    text = explain_text(small_city.warehouse, "platzsaldo", f"{area}:kita_u3:oben", "2030")
    leaves = [
        r[0]
        for r in query(
            small_city.warehouse_db,
            "select gebiet_id from marts.gebiete where ist_aktuell and ist_feinste_ebene "
            "and (gebiet_id = ? or pfad like ?)",
            [area, f"%/{area}/%"],
        )
    ]
    base = query(
        small_city.warehouse_db,
        "select sum(anzahl) from staging.stg_einwohner where periode = date '2024-12-31' "
        "and alter between 0 and 2 and list_contains(?, gebiet_id)",
        [leaves],
    )[0][0]
    assert f"Ausgangsbestand der Altersgruppe: {base:,}".replace(",", ".") in text
    assert "Basisstichtag: 31.12.2024" in text
    # the small city delivers its moves by age: the cohort-component method and its rates
    assert "Verfahren: Komponentenmethode" in text
    assert "Variante oben: Geburtenhäufigkeit des Basisjahres mit den meisten" in text
    assert "gepoolt über die letzten 2 Jahre vor dem Basisstichtag (2023–2024)" in text
    assert "zusammengefasste Geburtenziffer" in text and "Pooling:" in text
    saldo = query(
        small_city.publish_db,
        "select platzsaldo from bedarfsplanung where gebiet_id = ? and art = 'kita_u3' "
        "and variante = 'oben' and jahr = 2030",
        [area],
    )[0][0]
    assert f"Veröffentlicht: {saldo:.2f}".replace(".", ",") in text.replace(".", ",")
    # the small city has three years: no back-test yet, and the text says why
    assert "Güte der Rückrechnung" in text and "keine Rückrechnung möglich" in text


def test_explain_a_projected_population_of_a_coarser_area(small_city):
    from pipelines.lineage.explain import explain_text

    text = explain_text(small_city.warehouse, "einwohner", "00:insgesamt:mitte", "2034")
    assert "Gröbere Ebene: Summe der Prognosen von" in text
    published = query(
        small_city.publish_db,
        "select einwohner from bevoelkerungsprognose where gebiet_id = '00' and "
        "altersgruppe = 'insgesamt' and variante = 'mitte' and stichtag = date '2034-12-31'",
    )[0][0]
    assert f"Veröffentlicht: {published:,}".replace(",", ".") in text
    assert "Sterbefälle" in text and "Fortzüge" in text


def test_explain_refuses_an_unknown_group_in_german(small_city):
    from pipelines.lineage.explain import ExplainError, explain_text

    with pytest.raises(ExplainError, match="Unbekannte Altersgruppe 'x-y'"):
        explain_text(small_city.warehouse, "einwohner", "00:x-y", "2030", "bevoelkerungsprognose")


def test_back_test_quality_of_the_level_and_age_group():
    import duckdb

    from pipelines.lineage.prognose import _quality_lines, _target_group

    con = duckdb.connect(":memory:")
    con.execute("create schema marts")
    con.execute(
        "create table marts.prognose_guete (basis_stichtag date, horizont_jahre int, "
        "ebene varchar, zielgruppe varchar, groessenklasse varchar, methode varchar, "
        "mape double, gewichteter_fehler double, bias double)"
    )
    rows = [
        ("2010-12-31", 5, "planungsraum", "0-5", "alle", "prognose", 15.0, 12.0, -1.0),
        ("2011-12-31", 5, "planungsraum", "0-5", "alle", "prognose", 17.0, 14.0, 1.0),
        ("2010-12-31", 5, "planungsraum", "0-5", "alle", "konstant", 20.0, 16.0, 2.0),
        ("2010-12-31", 5, "planungsraum", "gesamt", "alle", "prognose", 5.0, 4.0, 0.0),
    ]
    con.executemany("insert into marts.prognose_guete values (?,?,?,?,?,?,?,?,?)", rows)
    assert _target_group(0, 2) == "0-5" and _target_group(6, 9) == "6-9"
    assert _target_group(65, 100) == "gesamt"
    lines = _quality_lines(con, "planungsraum", "0-5", "5.000 und mehr", 8)
    assert "Horizont 5 Jahre" in lines[0] and "Mittel über 2 Basisstichtage" in lines[0]
    assert "  alle, prognose: MAPE 16 %, gewichteter Fehler 13 %, Verzerrung 0 %" in lines
    assert any(line.startswith("  alle, konstant: MAPE 20 %") for line in lines)


# --- the bands across types and the einwohner counts: one system -----------------------------

# S > T1 (A, B), T2 (C, D); Kitas planned on the finest level, Grundschule and
# Jugendfreizeit one level above: at T1 all four bands and ew_u18 are published
TREE4 = pl.DataFrame(
    {
        "gebiet_id": ["S", "T1", "T2", "A", "B", "C", "D"],
        "parent_id": [None, "S", "S", "T1", "T1", "T2", "T2"],
        "ebene": ["stadt", "stadtteil", "stadtteil", "bezirk", "bezirk", "bezirk", "bezirk"],
        "ebene_rang": [0, 1, 1, 2, 2, 2, 2],
    }
)
BANDS = {  # art: (von, bis, level above the finest, persons per finest area)
    "kita_u3": (0, 2, 0, {"A": 1, "B": 1, "C": 20, "D": 20}),
    "kita_ue3": (3, 5, 0, {"A": 20, "B": 20, "C": 20, "D": 20}),
    "grundschule": (6, 9, 1, {"A": 20, "B": 20, "C": 20, "D": 20}),
    "jugendfreizeit": (10, 17, 1, {"A": 40, "B": 40, "C": 60, "D": 60}),
}
LEAVES4 = {"T1": ("A", "B"), "T2": ("C", "D")}


def _sum(values: dict[str, int], area: str) -> int:
    if area == "S":
        return sum(values.values())
    return sum(values[g] for g in LEAVES4.get(area, (area,)))


def _plan4() -> pl.DataFrame:
    ebene = dict(TREE4.select("gebiet_id", "ebene").rows())
    rows = []
    for art, (von, bis, hoeher, values) in BANDS.items():
        areas = ["S", "T1", "T2"] + (["A", "B", "C", "D"] if hoeher == 0 else [])
        for g in areas:
            v = _sum(values, g)
            rows.append(
                {
                    "gebiet_id": g, "ebene": ebene[g], "ist_planungsebene": True, "art": art,
                    "jahr": 2024, "stichtag": DAY, "variante": "ist", "basis_stichtag": None,
                    "alter_von": von, "alter_bis": bis, "bedarfsbevoelkerung": float(v),
                    "plaetze": 10, "zielwert": 50.0, "je": 100, "bedarf_plaetze": v * 0.5,
                    "versorgungsquote": 10 * 100 / v, "platzsaldo": 10 - v * 0.5,
                }
            )  # fmt: skip
    return pl.DataFrame(rows, schema_overrides={"basis_stichtag": pl.Date, "je": pl.Int32})


def _u18(area: str) -> int:
    return sum(_sum(values, area) for _, _, _, values in BANDS.values())


def _einwohner_cells() -> pl.DataFrame:
    """ew_u18 of the finest areas, as the disclosure system's input."""
    return pl.DataFrame(
        [("einwohner", "ew_u18", DAY, g, _u18(g), None) for g in "ABCD"],
        schema={"tabelle": pl.String, "merkmal": pl.String, "periode": pl.Date,
                "gebiet_id": pl.String, "wert": pl.Int64, "quell_symbol": pl.String},
        orient="row",
    )  # fmt: skip


def _indikatoren(counts: pl.DataFrame) -> pl.DataFrame:
    """ew_u18 as `indikatoren` publishes it (the count indicator's value and symbol)."""
    return counts.filter(pl.col("merkmal") == "ew_u18").select(
        pl.col("merkmal").alias("indikator_id"), "gebiet_id", "periode",
        pl.col("wert").cast(pl.Float64), "symbol",
    )  # fmt: skip


def _population4() -> pl.DataFrame:
    return pl.DataFrame(
        {"gebiet_id": list(TREE4["gebiet_id"]), "stichtag": [DAY] * 7, "einwohner": [5000.0] * 7}
    )


def _joint_publication() -> tuple[pl.DataFrame, pl.DataFrame]:
    """bedarfsplanung and the einwohner cells, published through the one system."""
    from pipelines.disclosure import apply_disclosure
    from pipelines.publish.cells import identities_for
    from pipelines.publish.planung import demand_cells

    plan = _plan4()
    system = pl.concat([_einwohner_cells(), demand_cells(plan, TREE4)])
    counts = apply_disclosure(system, TREE4, identities_for(system), CFG).cells
    out = publish_bedarfsplanung(plan, NO_PROGNOSE, _population4(), TREE4, CFG, counts)
    return out, counts


def _reader_recovers(out: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """A reader with both published tables: ew_u18 of `indikatoren`, the four bands of
    bedarfsplanung, the hierarchy and 0-2 + 3-5 + 6-9 + 10-17 = 0-17 (the generic attacker,
    not the code under test)."""
    from pipelines.disclosure import Identity, attack

    names = {"kita_u3": "u3", "kita_ue3": "ue3", "grundschule": "gs", "jugendfreizeit": "jf"}
    bands = out.filter(pl.col("variante") == "ist").select(
        pl.lit("p").alias("tabelle"),
        pl.col("art").replace_strict(names).alias("merkmal"),
        pl.col("stichtag").alias("periode"),
        "gebiet_id",
        pl.col("bedarfsbevoelkerung").round(0).cast(pl.Int64).alias("wert"),
        "symbol",
    )
    u18 = counts.filter(pl.col("merkmal") == "ew_u18").select(
        pl.lit("p").alias("tabelle"), pl.lit("u18").alias("merkmal"), "periode", "gebiet_id",
        "wert", "symbol",
    )  # fmt: skip
    return attack(
        pl.concat([bands, u18]), TREE4, [Identity.parse("p", "u18 = u3 + ue3 + gs + jf")], CFG
    )


def test_bands_and_ew_u18_are_solved_together_so_no_band_is_recovered():
    """T1's children aged 0-2 are 2 (1 + 1): withheld. Solved apart from ew_u18 (as before
    this was one system), T1's ew_u18 minus its three other bands gave the 2 back."""
    out, counts = _joint_publication()
    by = {(r["art"], r["gebiet_id"]): r for r in out.iter_rows(named=True)}
    assert by[("kita_u3", "T1")]["symbol"] == "*" and by[("kita_u3", "A")]["symbol"] == "*"
    assert _reader_recovers(out, counts).is_empty()
    # the one system hid a partner in the identity at T1 (a band or ew_u18 itself)
    t1 = [by[(a, "T1")]["symbol"] for a in BANDS if a != "kita_u3"]
    u18 = counts.filter((pl.col("merkmal") == "ew_u18") & (pl.col("gebiet_id") == "T1"))
    assert "*" in t1 or u18["symbol"][0] == "*"
    # and the reader attacker of the publish step agrees
    found = planning_findings(out, TREE4, CFG, _indikatoren(counts))
    assert found.is_empty(), found


def test_bands_solved_apart_from_ew_u18_give_a_band_back_and_the_attacker_says_so():
    """The regression the reader attacker must stop: the bands solved on their own (the
    hierarchy and the identities among the bands only), ew_u18 published beside them."""
    from pipelines.disclosure import apply_disclosure
    from pipelines.publish.cells import identities_for

    plan = _plan4()
    counts = apply_disclosure(_einwohner_cells(), TREE4, identities_for(_einwohner_cells()), CFG)
    apart = publish_bedarfsplanung(plan, NO_PROGNOSE, _population4(), TREE4, CFG)
    assert ("u3", "T1", 2) in _reader_recovers(apart, counts.cells).select(
        "merkmal", "gebiet_id", "wert"
    ).rows()
    found = planning_findings(apart, TREE4, CFG, _indikatoren(counts.cells))
    assert ("ew_a0_2", "T1", 2.0) in found.select("merkmal", "gebiet_id", "wert").rows()


def test_age_identities_of_the_default_counts_and_bands():
    from pipelines.publish.cells import age_identities, ages_of, band_cell

    assert band_cell(0, 17) == "ew_u18" and band_cell(65, 100) == "ew_65plus"
    assert band_cell(0, 2) == "ew_a0_2"
    ages = ages_of(["ew", "ew_u18", "ew_18_64", "ew_65plus", "ew_u65", "ew_a0_2", "ew_a3_17"])
    texts = {f"{i.summe} = {' + '.join(i.teile)}" for i in age_identities(ages)}
    assert "ew_u18 = ew_a0_2 + ew_a3_17" in texts
    assert "ew = ew_u18 + ew_18_64 + ew_65plus" in texts
    assert "ew = ew_u65 + ew_65plus" in texts
    assert "ew_u65 = ew_u18 + ew_18_64" in texts
    assert "ew = ew_a0_2 + ew_a3_17 + ew_18_64 + ew_65plus" in texts
    # those with a band and at most one einwohner count (the Bedarfsplanung systems of
    # publish/planung.py); identities_for takes all of them
    from pipelines.publish.cells import band_identities

    kept = {f"{i.summe} = {' + '.join(i.teile)}" for i in band_identities(ages)}
    assert kept == {"ew_u18 = ew_a0_2 + ew_a3_17"}


def test_withheld_forward_figures_are_logged_and_explained(small_city):
    """Every withheld figure of bedarfsplanung and bevoelkerungsprognose has its rule in
    audit.geheimhaltung, and `explain` names it."""
    from pipelines.lineage.explain import explain_text

    db = small_city.warehouse_db

    published = {
        (t, m, str(p), g)
        for t, m, p, g in query(
            small_city.publish_db,
            "select 'bedarfsplanung', case when variante = 'ist' then art "
            "else art || ':' || variante end, stichtag, gebiet_id from bedarfsplanung "
            "where symbol is not null union all select 'bevoelkerungsprognose', "
            "altersgruppe || ':' || variante, stichtag, gebiet_id from bevoelkerungsprognose "
            "where symbol is not null",
        )
    }
    logged = {
        (t, m, str(p), g): r
        for t, m, p, g, r in query(
            db,
            "select tabelle, merkmal, periode, gebiet_id, regel from audit.geheimhaltung "
            "where tabelle in ('bedarfsplanung', 'bevoelkerungsprognose')",
        )
    }
    assert published and published == set(logged)
    # the small city's 2022 population came on the old area layout: no cell, `ohne_zelle`
    rules = set(logged.values())
    assert {"prognose_unter_min", "ohne_zelle"} <= rules
    # the band cells are published in bedarfsplanung, not as einwohner counts
    assert query(db, "select count(*) from audit.geheimhaltung where merkmal like 'ew_a%'") == [
        (0,)
    ]
    _, art, per, g = next(k for k, r in sorted(logged.items()) if r == "ohne_zelle")
    text = explain_text(small_city.warehouse, "bedarfsbevoelkerung", f"{g}:{art}:ist", per[:4])
    assert "Regel (audit.geheimhaltung): zu diesem Stichtag keine Zelle" in text


def test_neighbour_supply_published_only_from_published_saldi():
    """A is `*`: B and C border it (and each other), so their neighbour figures could rest on
    A's saldo and stay empty; D has no neighbour and shows 0. Left on A's row, the two
    columns would give its demand back, and the attacker says so."""
    pairs = pl.DataFrame(
        [("A", "B"), ("B", "A"), ("B", "C"), ("C", "B")],
        schema=["gebiet_id", "nachbar_id"],
        orient="row",
    )
    out = publish_bedarfsplanung(
        _plan(), NO_PROGNOSE, POPULATION, TREE, CFG, pairs=pairs, anteile={"kita_u3": 0.5}
    )
    by = {r["gebiet_id"]: r for r in out.iter_rows(named=True)}
    assert by["A"]["symbol"] == "*"
    for g in ("A", "B", "C"):
        assert by[g]["plaetze_nachbarn"] is None and by[g]["platzsaldo_mit_nachbarn"] is None
    assert by["D"]["plaetze_nachbarn"] == 0.0
    assert by["D"]["platzsaldo_mit_nachbarn"] == pytest.approx(by["D"]["platzsaldo"])
    assert by["T1"]["plaetze_nachbarn"] is None  # not the planning level
    leaked = out.with_columns(
        pl.when(pl.col("gebiet_id") == "A").then(1.0).otherwise(pl.col("plaetze_nachbarn"))
        .alias("plaetze_nachbarn"),
        pl.when(pl.col("gebiet_id") == "A").then(pl.lit(10 - 2 * 0.45 + 1.0))
        .otherwise(pl.col("platzsaldo_mit_nachbarn")).alias("platzsaldo_mit_nachbarn"),
    )  # fmt: skip
    found = planning_findings(leaked, TREE, CFG)
    assert ("A", 2.0, "sichtbar") in found.select("gebiet_id", "wert", "methode").rows()
