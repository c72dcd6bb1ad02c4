"""German numbers, dates, BA symbols and encodings: the parsers alone."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.parsing import german
from pipelines.parsing.table import ColumnSpec, FileRejected, read_table
from pipelines.parsing.text import UnreadableFile, decode_bytes


def _one(expr_fn, value):
    return pl.select(expr_fn(pl.lit(value, pl.String))).item()


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.204", 1204), ("12", 12), (" 7 ", 7), ("1.234.567", 1234567), ("-3", -3), ("0", 0)],
)
def test_german_integers(text, value):
    assert _one(german.parse_int, text) == value
    assert not _one(german.int_invalid, text)


@pytest.mark.parametrize("text", ["1,5", "12a", "1.23", "1..2", "--1", "=1+1"])
def test_bad_integers_are_flagged_not_silently_null(text):
    assert _one(german.parse_int, text) is None
    assert _one(german.int_invalid, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("4.412.880,12", 4412880.12), ("812,40", 812.40), ("-2.700.000,00", -2700000.0),
     ("1234.50", 1234.5), ("563", 563.0)],
)  # fmt: skip
def test_german_decimals(text, value):
    assert _one(german.parse_decimal, text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("31.12.2024", date(2024, 12, 31)), ("2024-12-31", date(2024, 12, 31)),
     ("29.02.1968", date(1968, 2, 29))],
)  # fmt: skip
def test_dates_in_both_notations(text, value):
    assert _one(german.parse_date, text) == value


@pytest.mark.parametrize("text", ["31.02.2024", "2024-13-01", "1.1.24", "gestern"])
def test_impossible_dates_are_invalid(text):
    assert _one(german.parse_date, text) is None
    assert _one(german.date_invalid, text)


@pytest.mark.parametrize(
    ("text", "value", "symbol"),
    [("*", None, "*"), ("-", 0, "-"), (".", None, "."), ("x", None, "x"), ("1.204", 1204, None)],
)
def test_ba_symbols_kept_as_value_plus_symbol(text, value, symbol):
    v, s = german.parse_ba_count(pl.lit(text, pl.String))
    assert pl.select(v).item() == value
    assert pl.select(s).item() == symbol


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separator_roundtrip(n):
    text = f"{n:,}".replace(",", ".")
    assert _one(german.parse_int, text) == n


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=99))
def test_decimal_comma_roundtrip(euros, cents):
    sign = "-" if euros < 0 else ""
    text = f"{sign}{abs(euros):,}".replace(",", ".") + f",{cents:02d}"
    expected = (abs(euros) + cents / 100) * (-1 if euros < 0 else 1)
    assert _one(german.parse_decimal, text) == pytest.approx(expected)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_roundtrip_both_notations(d):
    assert _one(german.parse_date, d.strftime("%d.%m.%Y")) == d
    assert _one(german.parse_date, d.isoformat()) == d


def test_encodings_detected_without_being_told():
    text = "gebiet_id;name\n01;Schöneberg\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252"),
                 text.encode("utf-16")):  # fmt: skip
        assert "Schöneberg" in decode_bytes(data).text
    with pytest.raises(UnreadableFile):
        decode_bytes(b"\x00\x01\x02binary\x00")


def test_ba_table_found_between_title_and_footer(tmp_path):
    src = (
        "Statistik der Bundesagentur für Arbeit\nBerichtsmonat: Dezember 2024\n\n"
        "Gebiet;Bedarfsgemeinschaften\n0101;1.204\n0102;*\n\n* anonymisiert\n© Statistik der BA\n"
    )
    f = tmp_path / "sgb2_2024-12.csv"
    f.write_bytes(src.encode("cp1252"))
    t = read_table(
        f, [ColumnSpec("gebiet_id", ("Gebiet",)), ColumnSpec("bg", ("Bedarfsgemeinschaften",))]
    )
    assert t.frame["gebiet_id"].to_list() == ["0101", "0102"]
    assert t.frame["_zeile"].to_list() == [5, 6]
    assert t.footer_lines[-1].startswith("©")
    assert t.title_lines[1] == "Berichtsmonat: Dezember 2024"


def test_missing_column_names_the_column(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("gebiet_id;alter\n01;3\n", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        read_table(f, [ColumnSpec("gebiet_id"), ColumnSpec("alter"), ColumnSpec("anzahl")])
    assert exc.value.reason == "spalte_fehlt"
    assert "anzahl" in exc.value.message


def test_truncated_file_is_rejected(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a;b;c\n1;2;3\n4;5", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        read_table(f, [ColumnSpec("a"), ColumnSpec("b"), ColumnSpec("c")])
    assert exc.value.reason == "datei_unvollstaendig"


def test_xlsx_table_on_a_later_sheet(tmp_path):
    import xlsxwriter

    f = tmp_path / "sgb2_2024-12.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    wb.add_worksheet("Hinweise").write(0, 0, "Erläuterungen")
    ws = wb.add_worksheet("Daten")
    ws.write_row(0, 0, ["Berichtsmonat: Dezember 2024"])
    ws.write_row(2, 0, ["Gebiet", "Bedarfsgemeinschaften"])
    ws.write_row(3, 0, ["0101", 1204])
    ws.write_row(4, 0, ["0102", "*"])
    wb.close()
    t = read_table(
        f, [ColumnSpec("gebiet_id", ("Gebiet",)), ColumnSpec("bg", ("Bedarfsgemeinschaften",))]
    )
    assert t.frame["bg"].to_list() == ["1204", "*"]
    assert t.frame["_zeile"].to_list() == [4, 5]
