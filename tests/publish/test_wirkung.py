"""Wirkungsanalyse: the permutation interval computed by hand, the matching rule, and the
synthetic city: the measure with a built-in effect is found, the placebo is not."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.wirkung import HINWEIS, match, permutation_interval, wirkungsanalyse
from tests.conftest import query


def test_permutation_interval_by_hand():
    # changes in the target areas -4, -6; in the comparison areas 0, 2: DiD = -5 - 1 = -6.
    # The 6 ways to call two of the four areas "target" give DiDs -6, 0, 2, -2, 0, 6;
    # sorted -6, -2, 0, 0, 2, 6. Quantiles (linear): 2.5 % at position 0.125 = -5.5,
    # 97.5 % at position 4.875 = 5.5. Interval: [-6 - 5.5, -6 + 5.5] = [-11.5, -0.5];
    # p = share with |DiD| >= 6 = 2 / 6.
    lo, hi, p, n = permutation_interval([-4.0, -6.0], [0.0, 2.0])
    assert (lo, hi, n) == (pytest.approx(-11.5), pytest.approx(-0.5), 6)
    assert p == pytest.approx(1 / 3)


def test_matching_same_class_nearest_baseline_each_once():
    baseline = {"T1": 20.0, "T2": 30.0, "a": 19.0, "b": 22.0, "c": 29.0, "d": 40.0, "e": 20.5}
    klasse = {"T1": "niedrig", "T2": "niedrig", "a": "niedrig", "b": "niedrig",
              "c": "niedrig", "d": "niedrig", "e": "mittel"}  # fmt: skip
    # T1 (20): a (1), b (2), c (9); e is nearer but of another class. T2 (30): d (10) is
    # what is left.
    assert match(["T2", "T1"], baseline, klasse, ["a", "b", "c", "d", "e"]) == [
        "a", "b", "c", "d",
    ]  # fmt: skip


def _frames():
    ind = []
    values = {  # area -> (2022, 2024)
        "T1": (30.0, 24.0), "T2": (28.0, 23.0), "C1": (27.0, 27.5), "C2": (31.0, 30.0),
        "C3": (29.0, 29.0), "C4": (26.0, 26.5), "C5": (25.0, 25.0), "C6": (32.0, 32.5),
        "M": (35.0, 35.0),
    }  # fmt: skip
    for area, (before, after) in values.items():
        ind.append(("sgb2_kinderarmut", area, dt.date(2022, 12, 31), before))
        ind.append(("sgb2_kinderarmut", area, dt.date(2024, 12, 31), after))
    indikatoren = pl.DataFrame(
        ind, schema=["indikator_id", "gebiet_id", "periode", "wert"], orient="row"
    )
    index = pl.DataFrame(
        {
            "gebiet_id": list(values),
            "periode": [dt.date(2022, 12, 31)] * len(values),
            "status_klasse": ["niedrig"] * len(values),
        }
    )
    massnahmen = pl.DataFrame(
        {
            "massnahme_id": ["W", "X"],
            "titel": ["Wirkung", "andere"],
            "beginn": [dt.date(2023, 1, 1), dt.date(2023, 1, 1)],
            "gebiete": [["T1", "T2"], ["M"]],
        }
    )
    ziele = pl.DataFrame(
        {"massnahme_id": ["W"], "art": ["wirkung"], "kennzahl": ["sgb2_kinderarmut"]}
    )
    return massnahmen, ziele, indikatoren, index


def test_did_of_a_small_example_by_hand():
    out = wirkungsanalyse(*_frames(), {"sgb2_kinderarmut": "%"}).row(0, named=True)
    # M is in another measure: never a comparison area. T1 (30): C2 (31), C3 (29), C6 (32);
    # T2 (28): C1 (27), C4 (26), C5 (25) of those left.
    assert out["vergleichsgebiete"] == "C2,C3,C6,C1,C4,C5"
    # target: (-6 + -5) / 2 = -5.5; comparison: (-1 + 0 + 0.5 + 0.5 + 0.5 + 0) / 6 = 1/12
    assert out["veraenderung_massnahme"] == pytest.approx(-5.5)
    assert out["veraenderung_vergleich"] == pytest.approx(1 / 12)
    assert out["differenz_in_differenzen"] == pytest.approx(-5.5 - 1 / 12)
    assert (out["vorher_massnahme"], out["nachher_massnahme"]) == (29.0, 23.5)
    assert (out["anzahl_gebiete"], out["anzahl_vergleichsgebiete"], out["permutationen"]) == (
        2, 6, 28,
    )  # fmt: skip
    # the target pair is the most extreme of the 28 splits: the interval excludes zero
    assert out["obergrenze"] < 0 and out["ergebnis"] == "unterschied"
    assert out["hinweis"] == HINWEIS and "keinen Beweis" in HINWEIS
    again = wirkungsanalyse(*_frames(), {"sgb2_kinderarmut": "%"})
    assert again.row(0, named=True) == out  # reproducible


def test_not_computable_says_why():
    massnahmen, ziele, ind, index = _frames()
    early = massnahmen.with_columns(pl.lit(dt.date(2022, 6, 1)).alias("beginn"))
    out = wirkungsanalyse(early, ziele, ind, index).row(0, named=True)
    assert out["ergebnis"] == "nicht_berechenbar"
    assert out["grund"] == "keine Werte im Jahr vor dem Beginn (2021)"
    # a measure named by an area of an older layout covers the areas it became
    old = massnahmen.with_columns(
        pl.when(pl.col("massnahme_id") == "X")
        .then(pl.lit(["ALT"]))
        .otherwise(pl.col("gebiete"))
        .alias("gebiete")
    )
    crosswalk = pl.DataFrame({"herkunft_gebiet_id": ["ALT", "ALT"], "gebiet_id": ["C2", "C3"]})
    out = wirkungsanalyse(old, ziele, ind, index, crosswalk=crosswalk).row(0, named=True)
    assert "C2" not in out["vergleichsgebiete"] and "C3" not in out["vergleichsgebiete"]
    # two areas only: the difference is shown, no interval
    few = wirkungsanalyse(
        massnahmen.with_columns(pl.lit(["T1"]).alias("gebiete")), ziele,
        ind.filter(pl.col("gebiet_id").is_in(["T1", "C1"])), index,
    ).row(0, named=True)  # fmt: skip
    assert few["differenz_in_differenzen"] == pytest.approx(-6.0 - 0.5)
    assert (few["untergrenze"], few["obergrenze"], few["ergebnis"]) == (
        None, None, "nicht_entscheidbar",
    )  # fmt: skip
    assert (
        few["grund"] == "zu wenige Gebiete für ein 95-%-Intervall (2 Aufteilungen, mindestens 20)"
    )
    other_class = index.with_columns(
        pl.when(pl.col("gebiet_id").str.starts_with("C"))
        .then(pl.lit("mittel"))
        .otherwise(pl.col("status_klasse"))
        .alias("status_klasse")
    )
    out = wirkungsanalyse(massnahmen, ziele, ind, other_class).row(0, named=True)
    assert out["grund"] == "kein Vergleichsgebiet derselben Statusklasse ohne Maßnahme"


def test_synthetic_effect_found_and_placebo_not(small_city):
    w = small_city.manifest["kontrakte"]["wirkung"]
    effect, placebo = w["mit_wirkung"], w["placebo"]
    for db, table in (
        (small_city.warehouse_db, "marts.wirkungsanalyse"),
        (small_city.publish_db, "wirkungsanalyse"),
    ):
        rows = {
            r[0]: r[1:]
            for r in query(
                db,
                "select massnahme_id, gebiete, vergleichsgebiete, differenz_in_differenzen,"
                f" untergrenze, obergrenze, ergebnis, hinweis from {table}",
            )
        }
        gebiete, vergleich, did, lo, hi, ergebnis, hinweis = rows[effect["massnahme_id"]]
        assert gebiete.split(",") == sorted(effect["gebiete"])
        assert did < 0 and lo < did < hi < 0, (table, did, lo, hi)
        assert ergebnis == "unterschied" and hinweis == HINWEIS
        # no comparison area is served by any measure
        measures = query(small_city.warehouse_db, "select gebiete from marts.kontrakte")
        served = {g for (gs,) in measures for g in gs.split(",")}
        assert not set(vergleich.split(",")) & served
        _, _, did, lo, hi, ergebnis, _ = rows[placebo["massnahme_id"]]
        assert lo < 0 < hi and ergebnis == "kein_unterschied", (table, did, lo, hi)


def test_goal_review_rules_by_hand():
    from pipelines.wirkung.ziele import review

    targets = pl.DataFrame(
        [
            ("stadtziel", None, "q", "00", 2024, 10.0, "hoechstens", "B-1", "%"),
            ("stadtziel", None, "q", "00", 2023, 11.0, "hoechstens", "B-1", "%"),
            ("stadtziel", None, "q", "00", 2026, 7.0, "hoechstens", "B-1", "%"),
            ("stadtziel", None, "q", "00", 2027, 5.0, "hoechstens", "B-1", "%"),
            ("stadtziel", None, "r", "00", 2024, 1.0, "mindestens", None, "%"),
            ("leistung", "M", "teilnehmende", None, 2026, 50.0, "mindestens", None, None),
        ],
        schema=["ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr", "zielwert",
                "richtung", "beschluss", "einheit"],
        orient="row",
    )  # fmt: skip
    series = pl.DataFrame(
        [
            ("stadtziel", None, "q", "00", 2022, 12.0),
            ("stadtziel", None, "q", "00", 2023, 11.5),
            ("stadtziel", None, "q", "00", 2024, 10.0),
            ("leistung", "M", "teilnehmende", None, 2024, 40.0),
        ],
        schema=["ziel_art", "massnahme_id", "kennzahl", "gebiet_id", "jahr", "wert"],
        orient="row",
    )
    out = review(targets, series, {"stadtziel": 2024, "leistung": 2024})
    got = {(r["kennzahl"], r["jahr"]): r for r in out.iter_rows(named=True)}
    assert got[("q", 2024)]["status"] == "erreicht"  # 10.0 <= 10
    assert got[("q", 2023)]["status"] == "verfehlt"  # 11.5 > 11
    assert got[("q", 2023)]["reihe"] == "2022: 12; 2023: 11,5"  # up to the target year
    # trend through 12, 11.5, 10: slope -1 per year, line 10.1667 in 2024 -> 2026: 8.1667
    assert got[("q", 2026)]["trend_je_jahr"] == pytest.approx(-1.0)
    assert got[("q", 2026)]["trend_zieljahr"] == pytest.approx(8.1667, abs=1e-4)
    assert got[("q", 2026)]["status"] == "nicht_auf_kurs"  # 8.17 > 7
    assert got[("q", 2027)]["status"] == "nicht_auf_kurs"  # 7.17 > 5
    assert got[("r", 2024)]["status"] == "nicht_entscheidbar"
    assert "kein Wert im Zieljahr 2024" in got[("r", 2024)]["grund"]
    assert got[("teilnehmende", 2026)]["status"] == "nicht_entscheidbar"
    assert "zu wenige Werte" in got[("teilnehmende", 2026)]["grund"]


def test_synthetic_goal_review_and_explain(small_city):
    from pipelines.lineage.explain import explain_text

    rows = query(
        small_city.publish_db,
        "select ziel_art, massnahme_id, kennzahl, jahr, status, grund from zielueberpruefung",
    )
    kinds = {r[0] for r in rows}
    assert kinds == {"stadtziel", "wirkung", "leistung"}
    assert {r[4] for r in rows} <= {
        "erreicht", "verfehlt", "auf_kurs", "nicht_auf_kurs", "nicht_entscheidbar",
    }  # fmt: skip
    assert all(r[5] for r in rows)
    # every goal of reference/ziele.csv and every target of a measure is reviewed
    goals = query(small_city.warehouse_db, "select count(*) from marts.zielerreichung")[0][0]
    assert sum(1 for r in rows if r[0] == "stadtziel") == goals
    # the outstanding report of the last year: not decidable, with the reason
    late = small_city.manifest["kontrakte"]["bericht_ausstehend"][0]
    (status, grund), = [
        (r[4], r[5]) for r in rows
        if r[0] == "leistung" and r[1] == late["massnahme_id"] and r[3] == late["jahr"]
    ]  # fmt: skip
    assert status == "nicht_entscheidbar" and "kein Wert im Zieljahr" in grund
    effect = small_city.manifest["kontrakte"]["wirkung"]["mit_wirkung"]["massnahme_id"]
    text = explain_text(
        small_city.warehouse, "differenz_in_differenzen", effect, "2024", "wirkungsanalyse"
    )
    assert "Zielgebiete (2):" in text and "Vergleichsgebiete (6;" in text
    assert "Permutationen" in text or "Aufteilungen" in text
    assert "publish.wirkungsanalyse" in text
    start = small_city.manifest["kontrakte"]["wirkung"]["beginn"]
    assert f"sgb2/sgb2_{start - 1}-12" in text and "massnahmen/massnahmen.csv" in text
    text = explain_text(
        small_city.warehouse, "status", f"{effect}:sgb2_kinderarmut", "2025", "zielueberpruefung"
    )
    assert "Reihe: " in text and "Veröffentlicht (publish.duckdb): " in text


def test_report_chapter_kontrakte_und_wirkung(small_city):
    """Each measure with its target areas on a map, Soll/Ist, the effect with its interval
    and the caveat, the goal review: all from publish.duckdb."""
    import re

    from pipelines.report.formatting import fmt_signed

    html = next((small_city.warehouse / "reports").glob("sozialbericht_*.html")).read_text(
        encoding="utf-8"
    )
    start = html.index('<section class="chapter" id="kontrakte">')
    chapter = html[start : html.index("</section>", start)]
    assert "Kontrakte und Wirkung</h2>" in chapter
    titles = query(small_city.publish_db, "select distinct massnahme_id, titel from kontrakte")
    for mid, titel in titles:
        assert f"{titel} ({mid})" in chapter
    # one map per measure, the target areas highlighted
    assert chapter.count('<svg class="map locator"') == len(titles)
    effect = small_city.manifest["kontrakte"]["wirkung"]["mit_wirkung"]["massnahme_id"]
    did, lo, hi = query(
        small_city.publish_db,
        "select differenz_in_differenzen, untergrenze, obergrenze from wirkungsanalyse"
        " where massnahme_id = ?",
        [effect],
    )[0]
    assert f"{fmt_signed(did, 1)} Prozentpunkte" in chapter
    assert f"95-%-Intervall {fmt_signed(lo, 1)} bis {fmt_signed(hi, 1)}" in chapter
    assert chapter.count(HINWEIS) >= 2  # effect and placebo
    assert "Zielüberprüfung" in chapter and re.search(r"auf Kurs|nicht entscheidbar", chapter)
    # outputs under their German labels, not as codes
    assert "<td>Teilnehmende</td>" in chapter and "<td>teilnehmende</td>" not in chapter
