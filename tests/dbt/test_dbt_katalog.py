"""The catalogue drives indikatoren_breit; its contract must list exactly those columns."""

from __future__ import annotations

import csv

import yaml
from conftest import DBT_PROJECT


def _katalog() -> list[dict[str, str]]:
    with open(DBT_PROJECT / "seeds" / "indikatorkatalog_seed.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_breit_vertrag_folgt_dem_katalog():
    zeilen = sorted(
        (z for z in _katalog() if z["berechnung"] == "basiszahlen"),
        key=lambda z: int(z["reihenfolge"]),
    )
    erwartet = (
        ["gebiet_id", "ebene", "ebene_rang", "periode", "gebietsstand"]
        + [z["indikator_id"] for z in zeilen]
        + [f"{z['indikator_id']}_dynamik" for z in zeilen if z["dynamik"] == "true"]
        + ["unsicher", "umgerechnet"]
    )
    modelle = yaml.safe_load(
        (DBT_PROJECT / "models" / "marts" / "indikatoren" / "indikatoren.yml").read_text("utf-8")
    )["models"]
    breit = next(m for m in modelle if m["name"] == "indikatoren_breit")
    assert [c["name"] for c in breit["columns"]] == erwartet


def test_katalog_einheiten_und_faktoren():
    for zeile in _katalog():
        assert zeile["einheit"] in {"%", "je 1.000", "je 10.000", "EUR", "Anzahl"}
        faktor = float(zeile["faktor"])
        erwartet = {"%": 100, "je 1.000": 1000, "je 10.000": 10000, "EUR": 1, "Anzahl": 1}
        if zeile["indikator_id"] != "budget_ausschoepfung" and zeile["berechnung"] == "basiszahlen":
            assert faktor == erwartet[zeile["einheit"]], zeile["indikator_id"]
        if zeile["berechnung"] == "basiszahlen":
            assert zeile["zaehler_merkmal"], zeile["indikator_id"]
