"""The Kita workbook for the Jugendhilfeausschuss (pipelines/publish/kita.py), read back from
the small city's publish zone: Kita types only, German headers, the notes sheet, every
figure one the published tables hold, the back-test error beside every projected row."""

from __future__ import annotations

import polars as pl

from pipelines.publish.kita import COLUMNS, FILE, FOLDER, SHEET, notes_frame, sheet_frame
from tests.conftest import query


def test_kita_workbook_reads_back_as_published(small_city):
    import fastexcel

    path = small_city.warehouse / "excel" / FOLDER / FILE
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == [SHEET, "Erläuterungen"]
    sheet = reader.load_sheet(SHEET, dtypes="string").to_polars()
    assert sheet.columns == list(COLUMNS.values())
    published = pl.DataFrame(
        query(
            small_city.publish_db,
            "select gebiet_id, jahr, variante, art, bedarfsbevoelkerung, platzsaldo, symbol "
            "from bedarfsplanung where art in ('kita_u3', 'kita_ue3')",
        ),
        schema=["gebiet_id", "jahr", "variante", "art", "pop", "saldo", "symbol"],
        orient="row",
    )
    assert sheet.height == published.height > 0
    assert set(sheet["Einrichtungsart"]) == {
        "Kindertagesbetreuung unter 3 Jahren",
        "Kindertagesbetreuung ab 3 Jahren bis zum Schuleintritt",
    }
    # every figure as published: the same numbers, empty where withheld, with its symbol
    pub = sorted(
        (g, int(j), float(p) if p is not None else None, s)
        for g, j, _, _, p, _, s in published.rows()
    )
    back = sorted(
        (g, int(j), float(p) if p is not None else None, s)
        for g, j, p, s in sheet.select(
            "Gebiet", "Jahr", COLUMNS["bedarfsbevoelkerung"], "Zeichen"
        ).rows()
    )
    assert back == pub
    withheld = sheet.filter(pl.col("Zeichen").is_not_null())
    assert withheld.height and withheld[COLUMNS["platzsaldo"]].null_count() == withheld.height
    # the small city has three years: no back-test, the error column is empty and the note
    # says what that means
    projected = sheet.filter(~pl.col("Variante").str.starts_with("Ist"))
    assert (
        projected.height and projected[COLUMNS["prognosefehler"]].null_count() == projected.height
    )
    notes = reader.load_sheet("Erläuterungen", dtypes="string").to_polars()
    text = " ".join(" ".join(str(v) for v in r if v) for r in notes.rows())
    for needle in ("Basisstichtag der Prognose", "45 Plätze je 100 Kinder im Alter von 0 bis 2",
                   "mittlere Variante", "gesperrt", "nicht veröffentlicht", "MAPE",
                   "Leer: nicht geprüft"):  # fmt: skip
        assert needle in text, needle


def test_back_test_error_beside_each_projected_row():
    """prognose_guete with a five-year back-test: each projected row carries the mean MAPE
    of its level and horizon, the rows beyond five years the five-year one."""
    from datetime import date

    base = date(2024, 12, 31)
    plan = pl.DataFrame(
        [
            ("A", "bezirk", True, "kita_u3", year, date(year, 12, 31), v, None if v == "ist" else base,
             0, 2, 40.0, 20, 45.0, 100, 18.0, 50.0, 2.0, 0.0, 2.0, None)
            for year, v in ((2024, "ist"), (2027, "mitte"), (2034, "mitte"))
        ],
        schema=["gebiet_id", "ebene", "ist_planungsebene", "art", "jahr", "stichtag", "variante",
                "basis_stichtag", "alter_von", "alter_bis", "bedarfsbevoelkerung", "plaetze",
                "zielwert", "je", "bedarf_plaetze", "versorgungsquote", "platzsaldo",
                "plaetze_nachbarn", "platzsaldo_mit_nachbarn", "symbol"],
        orient="row",
    )  # fmt: skip
    guete = pl.DataFrame(
        [
            (date(2010, 12, 31), h, "bezirk", "0-5", "alle", "prognose", m, 0.0, 0.0)
            for h, m in ((3, 10.0), (5, 20.0))
        ]
        + [(date(2011, 12, 31), 5, "bezirk", "0-5", "alle", "prognose", 30.0, 0.0, 0.0)],
        schema=["basis_stichtag", "horizont_jahre", "ebene", "zielgruppe", "groessenklasse",
                "methode", "mape", "gewichteter_fehler", "bias"],
        orient="row",
    )  # fmt: skip
    gebiete = pl.DataFrame(
        {"gebiet_id": ["A"], "name": ["Am Anger"], "ebene": ["bezirk"], "ebene_rang": [0]}
    )
    tables = {"bedarfsplanung": plan, "prognose_guete": guete, "gebiete": gebiete}
    frame = sheet_frame(tables)
    errors = frame.select("jahr", "prognosefehler", "prognosefehler_horizont").rows()
    assert errors == [(2024, None, None), (2027, 10.0, 3), (2034, 25.0, 5)]
    assert frame["gebietsname"].to_list() == ["Am Anger"] * 3
    notes = notes_frame(tables)
    assert ("Stand", "Basisstichtag der Prognose", "31.12.2024") in notes.rows()
