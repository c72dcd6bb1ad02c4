"""Incremental count models: a new period is added without touching the others; a changed
parameter rebuilds every period."""

from __future__ import annotations

import json

import duckdb
from conftest import run_dbt

from pipelines.config import count_parameters


def _staende(warehouse) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return dict(
            con.execute(
                "select distinct periode::varchar, stand_hash"
                " from intermediate.int_zaehlungen_einwohner"
            ).fetchall()
        )
    finally:
        con.close()


def test_neue_periode_und_parameteraenderung(lager_kopie, tmp_path):
    vorher = _staende(lager_kopie)
    con = duckdb.connect(str(lager_kopie))
    con.execute(
        "insert into raw.einwohner values"
        " ('2023-12-31', '010101', 40, 'w', 'deutsch', 500, 'ld_ew_2023')"
    )
    con.close()

    run_dbt(lager_kopie, tmp_path, "run", "-s", "int_zaehlungen_einwohner")
    nachher = _staende(lager_kopie)
    assert set(nachher) == set(vorher) | {"2023-12-31"}
    assert all(nachher[p] == vorher[p] for p in vorher)  # old periods untouched

    run_dbt(
        lager_kopie,
        tmp_path,
        "run",
        "-s",
        "int_zaehlungen_einwohner",
        "--vars",
        # dbt replaces a var block whole: the city's block with one parameter changed
        json.dumps({"indikatoren": {**count_parameters(), "sgb2_hoechstalter": 66}}),
    )
    geaendert = _staende(lager_kopie)
    assert all(geaendert[p] != nachher[p] for p in nachher)
    con = duckdb.connect(str(lager_kopie), read_only=True)
    definition = con.execute(
        "select distinct definition from intermediate.int_zaehlungen_einwohner"
        " where merkmal = 'ew_u65'"
    ).fetchall()
    con.close()
    assert definition == [("Einwohner, Alter 0 bis 66",)]


def _marken(warehouse, sql: str) -> list:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_monatspfad_baut_marts_ab_dem_datum_neu(lager_kopie, tmp_path, monkeypatch):
    """marts.indikatoren and marts.sozialindex in the monthly path rebuild the reference
    dates from SOZIALMONITOR_TESTS_AB_PERIODE on and keep the earlier ones; a complete
    build (--full-refresh) rebuilds every date."""
    perioden = [
        p
        for (p,) in _marken(
            lager_kopie, "select distinct periode from marts.sozialindex order by 1"
        )
    ]
    assert len(perioden) >= 2, perioden
    erste, letzte = perioden[0], perioden[-1]
    con = duckdb.connect(str(lager_kopie))
    con.execute("update marts.indikatoren set parameter = 'alt'")
    con.execute("update marts.sozialindex set einwohner = -1")
    con.close()
    zaehlen = (
        "select periode, count(*) filter (where parameter = 'alt'), count(*)"
        " from marts.indikatoren group by 1 order by 1"
    )
    vorher = _marken(lager_kopie, zaehlen)

    monkeypatch.setenv("SOZIALMONITOR_TESTS_AB_PERIODE", letzte.isoformat())
    run_dbt(lager_kopie, tmp_path, "run", "-s", "indikatoren", "sozialindex")
    nachher = {p: (alt, n) for p, alt, n in _marken(lager_kopie, zaehlen)}
    assert {p: n for p, _, n in vorher} == {p: n for p, (_, n) in nachher.items()}
    for periode, _alt, n in vorher:
        # earlier dates kept as they were (the mark stays), the last date rebuilt
        assert nachher[periode][0] == (0 if periode >= letzte else n), periode
    einwohner = dict(
        _marken(lager_kopie, "select periode, min(einwohner) from marts.sozialindex group by 1")
    )
    assert einwohner[erste] == -1 and einwohner[letzte] > 0

    monkeypatch.delenv("SOZIALMONITOR_TESTS_AB_PERIODE")
    run_dbt(lager_kopie, tmp_path, "run", "--full-refresh", "-s", "indikatoren", "sozialindex")
    assert _marken(
        lager_kopie, "select count(*) from marts.indikatoren where parameter = 'alt'"
    ) == [(0,)]
    assert _marken(lager_kopie, "select min(einwohner) > 0 from marts.sozialindex") == [(True,)]
