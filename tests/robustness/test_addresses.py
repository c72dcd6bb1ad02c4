"""Address matching on what real exports contain (Unicode forms, case, dashes, Excel numbers)."""

from __future__ import annotations

import unicodedata
from datetime import date

import polars as pl

from pipelines.protection.addresses import assign_area, prepare_directory

DIRECTORY = pl.DataFrame(
    {
        "strasse": ["Müllerstraße", "Karl-Marx-Straße", "Hauptstraße", "Hauptstraße"],
        "hausnummer": ["4", "12", "12", "12"],
        "zusatz": [None, None, None, "a"],
        "gebiet_id": ["010101", "010102", "010201", "010202"],
        "gueltig_ab": [date(2000, 1, 1)] * 4,
        "gueltig_bis": [None] * 4,
    },
    schema_overrides={"gueltig_bis": pl.Date},
)


def _area(strasse: str, hausnummer: str) -> str | None:
    frame = pl.DataFrame({"strasse": [strasse], "hausnummer": [hausnummer]}).with_columns(
        pl.lit(date(2024, 12, 31)).alias("ref")
    )
    return assign_area(frame, prepare_directory(DIRECTORY), "ref").item(0, "gebiet_id")


def test_spellings_of_real_exports_match_the_directory():
    nfd = unicodedata.normalize("NFD", "Müllerstraße")
    assert nfd != "Müllerstraße"
    cases = {
        (nfd, "4"): "010101",  # macOS / some Java exports write decomposed umlauts
        ("MÜLLERSTRASSE", "4"): "010101",
        ("Müllerstr.", "4.0"): "010101",  # Excel turned the house number into a float
        ("Karl–Marx–Str.", "12"): "010102",  # en dash from a word processor
        ("Karl - Marx - Straße", "12"): "010102",
        ("Hauptstr", "12-a"): "010202",
        ("hauptstraße", "12 A"): "010202",
        ("Hauptstraße", "12/a"): "010202",
        ("Hauptstraße", "12"): "010201",
        ("Hauptstraße", "12 b"): "010201",  # suffix not listed: the plain number
        ("Hauptstraße", "13"): None,
        ("Nebenstraße", "12"): None,
    }
    got = {k: _area(*k) for k in cases}
    assert got == cases
