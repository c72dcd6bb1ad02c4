"""The hand-computed values of tests/fixtures/musterstadt/README.md, read from the built marts."""

from __future__ import annotations

import pytest


def _indikator(con, indikator_id: str, gebiet_id: str, periode: str = "2024-12-31"):
    return con.execute(
        "select zaehler, nenner, wert, symbol, nenner_stichtag::varchar, unsicher"
        " from marts.indikatoren where indikator_id = ? and gebiet_id = ? and periode = ?"
        " and aktueller_gebietsstand",
        [indikator_id, gebiet_id, periode],
    ).fetchone()


@pytest.mark.parametrize(
    ("indikator_id", "gebiet_id", "zaehler", "nenner", "wert"),
    [
        ("sgb2_quote", "010201", 1204, 4170, 28.8729),
        ("sgb2_kinderarmut", "010201", 371, 930, 39.8925),
        ("sgb2_alo_anteil", "010201", 268, 3240, 8.2716),
        ("sgb2_quote", "010101", 104, 645, 16.1240),
        ("anteil_65plus", "00", 760, 6980, 10.8883),
        ("grusi_alter_quote", "010201", 1, 2, 50.0),
        ("hze_quote", "00", 3, 1520, 19.7368),
        ("eingliederungshilfe_35a_quote", "00", 1, 1520, 6.5789),
        ("inobhutnahmen_quote", "00", 1, 1475, 6.7797),
        ("sgb2_kinderarmut", "00", 409, 1185, 34.5148),
    ],
)
def test_beispielwerte(lager, indikator_id, gebiet_id, zaehler, nenner, wert):
    row = _indikator(lager, indikator_id, gebiet_id)
    assert row is not None
    assert row[0] == zaehler and row[1] == nenner
    assert round(row[2], 4) == wert
    assert row[3] is None and row[4] == "2024-12-31" and row[5] is False


def test_einwohner_kai(lager):
    werte = dict(
        lager.execute(
            "select merkmal, wert from marts.basiszahlen where gebiet_id = '010201'"
            " and periode = '2024-12-31' and merkmal in ('ew', 'ew_u65', 'ew_u15', 'ew_15_64')"
        ).fetchall()
    )
    assert werte == {"ew": 4172, "ew_u65": 4170, "ew_u15": 930, "ew_15_64": 3240}


def test_am_bach_stern_und_stadtteil_grenzen(lager):
    am_bach = _indikator(lager, "sgb2_quote", "020102")
    assert am_bach[2] is None and am_bach[3] == "*"
    rlb = lager.execute(
        "select wert, quell_symbol, untergrenze, obergrenze, unsicher from marts.basiszahlen"
        " where merkmal = 'rlb' and gebiet_id = '0201' and periode = '2024-12-31'"
    ).fetchone()
    assert rlb == (59, "/", 59, 60, True)


def test_budget_ausschoepfung_kdu(lager):
    wert = lager.execute(
        "select wert from marts.controlling where kennzahl = 'budget_ausschoepfung'"
        " and schluessel_art = 'bereich' and schluessel = 'sgb2_kdu'"
    ).fetchone()[0]
    assert round(wert, 4) == 101.4455


def test_sonstiges_wird_berichtet(lager):
    hinweis = lager.execute(
        "select hinweis from marts.controlling where kennzahl = 'budget_abweichung'"
        " and schluessel_art = 'bereich' and schluessel = 'sonstiges'"
    ).fetchone()[0]
    assert "11.1.01" in hinweis


def test_ziel_kinderarmut_nicht_erreicht(lager):
    ist, ziel, erreicht = lager.execute(
        "select istwert, zielwert, erreicht from marts.zielerreichung"
        " where indikator_id = 'sgb2_kinderarmut' and gebiet_id = '00' and jahr = 2024"
    ).fetchone()
    assert round(ist, 4) == 34.5148 and ziel == 25.0 and erreicht is False


def test_jede_zielzeile_erscheint(lager):
    assert (
        lager.execute("select count(*) from marts.zielerreichung").fetchone()[0]
        == (lager.execute("select count(*) from raw.ziele").fetchone()[0])
    )


def test_umgerechnete_zeitreihe_ist_stetig(lager):
    """2022 (before the split of 020100) appears on today's areas, flagged, and the
    Stadtteil total equals the as-delivered one."""
    neu = lager.execute(
        "select gebiet_id, wert, umgerechnet, gebietsstand::varchar from marts.basiszahlen"
        " where merkmal = 'ew' and periode = '2022-12-31' and aktueller_gebietsstand"
        " and gebiet_id in ('020101', '020102', '0201') order by gebiet_id"
    ).fetchall()
    assert [r[0] for r in neu] == ["0201", "020101", "020102"]
    assert all(r[2] and r[3] == "2024-01-01" for r in neu)
    assert neu[1][1] == pytest.approx(1200 * 0.62) and neu[2][1] == pytest.approx(1200 * 0.38)
    original = lager.execute(
        "select wert from marts.basiszahlen where merkmal = 'ew' and periode = '2022-12-31'"
        " and gebiet_id = '0201' and not aktueller_gebietsstand"
    ).fetchone()[0]
    assert neu[0][1] == pytest.approx(original)


def test_dynamik_in_prozentpunkten(lager):
    jetzt, dynamik, vergleich = lager.execute(
        "select wert, dynamik, dynamik_vergleichsperiode::varchar from marts.indikatoren"
        " where indikator_id = 'sgb2_quote' and gebiet_id = '010201' and periode = '2024-12-31'"
    ).fetchone()
    frueher = _indikator(lager, "sgb2_quote", "010201", "2022-12-31")[2]
    assert vergleich == "2022-12-31" and dynamik == pytest.approx(jetzt - frueher)


def test_sozialindex_je_feinstem_gebiet(lager):
    zeilen = lager.execute(
        "select gebiet_id, status_klasse, ausschluss_grund from marts.sozialindex"
        " where periode = '2024-12-31' order by gebiet_id"
    ).fetchall()
    assert [z[0] for z in zeilen] == ["010101", "010102", "010201", "020101", "020102"]
    # Am Bach: transferbezug is `*` at source, so no index and a reason
    assert zeilen[4][1] is None and zeilen[4][2]
    assert all(z[1] is not None for z in zeilen[:4])


def test_schemas_und_kommentare(lager):
    schemas = {r[0] for r in lager.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert {"staging", "intermediate", "marts"} <= schemas
    kommentar = lager.execute(
        "select comment from duckdb_tables() where schema_name = 'marts'"
        " and table_name = 'indikatoren'"
    ).fetchone()[0]
    assert kommentar and "Indikatoren" in kommentar
