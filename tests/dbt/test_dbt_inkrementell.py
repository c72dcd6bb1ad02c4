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
