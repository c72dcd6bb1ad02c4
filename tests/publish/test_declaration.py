"""The published tables' one declaration: comments everywhere, complete series, checks."""

from __future__ import annotations

import html
import re
import zipfile
from datetime import date

import polars as pl
import pytest

from pipelines.publish import series
from pipelines.publish.tables import (
    TABLES,
    DeclarationError,
    check_columns,
    resolve_docs,
)
from tests.conftest import query


def _sheet_texts(xml: bytes) -> list[str]:
    # the XML text, unescaped (a comment may hold `<=`)
    return [html.unescape(t) for t in re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", xml.decode("utf-8"))]


def _header_row(xml: bytes) -> list[str]:
    """The texts of the sheet's first row (the column headings, Excel-only columns included)."""
    row = re.search(r'<row r="1"[^>]*>(.*?)</row>', xml.decode("utf-8"), flags=re.S)
    assert row is not None
    return _sheet_texts(row.group(1).encode("utf-8"))


def test_every_published_table_and_column_has_its_german_comment(small_city):
    """publish.duckdb (COMMENT ON), Parquet (field metadata), Excel (sheet Erläuterungen)."""
    import pyarrow.parquet as pq

    from pipelines.publish.write import uncommented_columns

    db = small_city.publish_db
    assert uncommented_columns(db) == {}
    tables = dict(
        query(db, "select table_name, comment from duckdb_tables() where schema_name = 'main'")
    )
    assert set(tables) == set(TABLES)
    assert "Geheimhaltung" in tables["indikatoren"]
    symbol = query(
        db,
        "select comment from duckdb_columns() where table_name = 'indikatoren' "
        "and column_name = 'symbol'",
    )[0][0]
    assert all(f"`{s}`" in symbol for s in ("-", "*", ".", "x", "/"))
    for name in TABLES:
        columns = {
            c: comment
            for c, comment in query(
                db,
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'main' and table_name = ?",
                [name],
            )
        }
        schema = pq.read_schema(small_city.warehouse / "parquet" / f"{name}.parquet")
        assert schema.metadata[b"description"].decode() == tables[name]
        for field in schema:
            assert field.metadata[b"description"].decode() == columns[field.name], (name, field)
        with zipfile.ZipFile(small_city.warehouse / "excel" / f"{name}.xlsx") as book:
            assert '<sheet name="Erläuterungen" sheetId="2" r:id="rId2"/>' in book.read(
                "xl/workbook.xml"
            ).decode("utf-8")
            headers = _header_row(book.read("xl/worksheets/sheet1.xml"))
            notes = _sheet_texts(book.read("xl/worksheets/sheet2.xml"))
        excel_columns = [c.name for c in TABLES[name].columns if c.excel] + [
            c for c in columns if TABLES[name].column(c) is None
        ]
        for column in excel_columns:
            assert TABLES[name].header(column) in headers
            assert f"{column}: {columns[column]}" in notes, (name, column)


def test_a_column_without_comment_stops_the_publish():
    table = TABLES["controlling"]
    comments = {"controlling": {c: "Erläuterung" for c in table.column_names}}
    docs = resolve_docs(table, list(table.column_names), comments)
    assert docs.columns["symbol"].startswith("Zeichen statt einer Zahl")  # declared, not the mart's
    assert docs.columns["wert"] == "Erläuterung"
    del comments["controlling"]["hinweis"]
    with pytest.raises(DeclarationError, match=r"hinweis der Tabelle controlling"):
        resolve_docs(table, list(table.column_names), comments)
    # an open table derives z-values from the share they standardise
    index = TABLES["sozialindex"]
    docs = resolve_docs(
        index,
        ["periode", "gebiet_id", "einwohner", "sgb2_quote", "z_sgb2_quote"],
        {"sozialindex": {"periode": "a", "gebiet_id": "b", "einwohner": "c"},
         "indikatoren_breit": {"sgb2_quote": "SGB II-Quote (%)"}},
    )  # fmt: skip
    assert docs.columns["z_sgb2_quote"].endswith("von: SGB II-Quote (%)")


def test_a_table_that_differs_from_its_declaration_is_refused():
    table = TABLES["controlling"]
    names = list(table.column_names)
    check_columns(table, names)
    with pytest.raises(DeclarationError, match="fehlen die deklarierten Spalten hinweis"):
        check_columns(table, names[:-1])
    with pytest.raises(DeclarationError, match="nicht deklarierte Spalten neu"):
        check_columns(table, [*names, "neu"])
    with pytest.raises(DeclarationError, match="Reihenfolge"):
        check_columns(table, [names[1], names[0], *names[2:]])
    check_columns(TABLES["indikatoren_breit"], ["gebiet_id", "ebene", "ebene_rang", "periode", "x"])


def test_regular_periods_restore_a_refused_month_and_a_missing_year():
    months = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 4, 30)]
    assert series.regular_periods(months) == [*months[:2], date(2024, 3, 31), months[2]]
    years = [date(2020, 12, 31), date(2021, 12, 31), date(2023, 12, 31)]
    assert series.regular_periods(years)[2] == date(2022, 12, 31)
    odd = [date(2024, 1, 15), date(2024, 3, 15), date(2024, 4, 15)]
    assert series.regular_periods(odd) == odd  # no rhythm to follow


def test_complete_series_has_every_period_for_every_area_with_a_symbol():
    gebiete = pl.DataFrame(
        {"gebiet_id": ["00", "01", "02", "alt"], "ebene": ["stadt", "bezirk", "bezirk", "bezirk"],
         "ebene_rang": [0, 1, 1, 1], "ist_aktuell": [True, True, True, False]}
    )  # fmt: skip
    cols = TABLES["indikatoren"].column_names
    rows = [
        ("sgb2_quote", "00", "stadt", 0, date(2024, 1, 31), 5.0),
        ("sgb2_quote", "01", "bezirk", 1, date(2024, 1, 31), 4.0),
        ("sgb2_quote", "02", "bezirk", 1, date(2024, 1, 31), 6.0),
        # February refused; "02" has no row in March
        ("sgb2_quote", "00", "stadt", 0, date(2024, 3, 31), 5.5),
        ("sgb2_quote", "01", "bezirk", 1, date(2024, 3, 31), 4.5),
        ("sgb2_quote", "00", "stadt", 0, date(2024, 4, 30), 5.2),
    ]
    frame = pl.DataFrame(
        [
            {**dict.fromkeys(cols), "indikator_id": i, "gebiet_id": g, "ebene": e,
             "ebene_rang": r, "periode": p, "wert": w, "einheit": "%",
             "gebietsstand": date(2024, 1, 1)}
            for i, g, e, r, p, w in rows
        ],
        schema_overrides={"zaehler": pl.Float64, "nenner": pl.Float64, "symbol": pl.String},
        infer_schema_length=None,
    )  # fmt: skip
    out = series.complete(frame, TABLES["indikatoren"], gebiete)
    assert out.columns == frame.columns and out.schema == frame.schema
    per_period = out.group_by("periode").agg(pl.col("gebiet_id").sort()).sort("periode")
    assert per_period["periode"].to_list() == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)
    ]  # fmt: skip
    assert all(ids == ["00", "01", "02"] for ids in per_period["gebiet_id"].to_list())
    added = out.join(frame.select("gebiet_id", "periode"), on=["gebiet_id", "periode"], how="anti")
    assert added.height == 12 - 6
    assert added["symbol"].unique().to_list() == ["."] and added["wert"].null_count() == 6
    assert added["einheit"].unique().to_list() == ["%"]
    assert out.filter(pl.col("gebiet_id") == "alt").is_empty()  # not today's layout
    assert series.complete(out, TABLES["indikatoren"], gebiete).equals(out)


def test_published_series_are_complete(small_city):
    """Each indicator: the same areas at every period, and no month-end gap in its rhythm."""
    rows = query(
        small_city.publish_db,
        "select indikator_id, periode, count(*) from indikatoren group by all order by all",
    )
    by_indicator: dict[str, list] = {}
    for ind, periode, n in rows:
        by_indicator.setdefault(ind, []).append((periode, n))
    for ind, values in by_indicator.items():
        assert len({n for _, n in values}) == 1, (ind, values)
        periods = [p for p, _ in values]
        assert series.regular_periods(periods) == periods, ind
    # a refused monthly file: its month is there, for every area, without a value
    refused = [
        d["file"] for d in small_city.manifest["defects"]
        if d["level"] == "file" and d["file"].startswith("sgb2/")
    ]  # fmt: skip
    assert refused
    for name in refused:
        month = date.fromisoformat(name.split("_")[1][:7] + "-01")
        rows = query(
            small_city.publish_db,
            "select count(*), count(*) filter (where symbol = '.' and wert is null) "
            "from indikatoren where indikator_id = 'sgb2_quote' "
            "and periode = last_day(?::date)",
            [month],
        )[0]
        assert rows[0] == rows[1] == by_indicator["sgb2_quote"][0][1], (name, rows)
    wide = query(
        small_city.publish_db,
        "select count(*), count(distinct gebiet_id) * count(distinct periode) from indikatoren_breit",
    )[0]
    assert wide[0] == wide[1]
