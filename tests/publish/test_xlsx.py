"""The vectorised XLSX writer against xlsxwriter (the former writer) and a real reader.

The oracle is xlsxwriter driven cell by cell exactly as `write._write_excel` did before the
vectorised writer (copied below, so it stays the reference once write.py uses xlsx.py).
Run `python -m tests.publish.test_xlsx [rows]` for the timing of 1M rows x 10 columns.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import fastexcel
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.publish import xlsx
from pipelines.publish.tables import HEADERS as GERMAN_HEADERS
from pipelines.publish.write import neutralise

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PARTS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/theme/theme1.xml",
    "docProps/core.xml",
    "docProps/app.xml",
]
NASTY = [
    "01",
    " führend und folgend ",
    "=SUMME(A1:A2)",
    "+49 211",
    "-5",
    "@Verweis",
    "\tTab",
    "\rWagenrücklauf",
    "a & b < c > d \"e\" 'f'",
    "Steuer\x01zeichen\x1f\x0b\x0c\x00",
    "Zeilen\r\numbruch\n",
    "_x0041_ bleibt Text",
    "nicht\ufffeZeichen\uffff",
    "Ümläüte ß € 😀",
    "https://example.org",
    "",
    "x" * 40_000,
    "😀" * 20_000,
]


def reference_workbook(path: Path, frame: pl.DataFrame, sheet: str, headers, title: str):
    """The former `_write_excel` loop for one table (xlsxwriter, constant_memory)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True,
         "default_date_format": "dd.mm.yyyy"},
    )  # fmt: skip
    wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1)})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, bold)
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, neutralise(v))
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day))
            else:
                ws.write(r, c, v)
    ws.freeze_panes(1, 0)
    wb.close()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def cells(sheet_xml: bytes) -> list[tuple]:
    """(ref, type, style, text) of every cell, in document order."""
    out = []
    for cell in ET.fromstring(sheet_xml).iter(f"{MAIN}c"):
        value = cell.find(f"{MAIN}v")
        text = cell.find(f"{MAIN}is/{MAIN}t")
        content = value.text if value is not None else (text.text or "")
        out.append((cell.get("r"), cell.get("t"), cell.get("s"), content))
    return out


def assert_same_cells(ours: bytes, theirs: bytes):
    a, b = cells(ours), cells(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x[:3] == y[:3]
        if x[1] is None:  # numbers: the text may differ in the 17th digit, never the value
            assert math.isclose(float(x[3]), float(y[3]), rel_tol=1e-15), (x, y)
        else:
            assert x[3] == y[3], (x, y)


def both(tmp_path: Path, frame: pl.DataFrame, sheet="Blatt", title="sozialmonitor: test"):
    headers = [GERMAN_HEADERS.get(c, c) for c in frame.columns]
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    xlsx.write_sheet(ours, frame, sheet, headers, title)
    reference_workbook(theirs, frame, sheet, headers, title)
    return ours, theirs


def mixed_frame() -> pl.DataFrame:
    n = len(NASTY)
    frame = pl.DataFrame(
        {
            "gebiet_id": NASTY,
            "ebene_rang": [None if i % 5 == 3 else i * 7 - 20 for i in range(n)],
            "wert": [None if i % 4 == 1 else v for i, v in enumerate([0.5, -12.25, 3.0, 1e6] * n)][
                :n
            ],
            "periode": [
                None if i % 6 == 2 else dt.date(1899, 12, 1) + dt.timedelta(days=4_111 * i)
                for i in range(n)
            ],
            "unsicher": [None if i % 3 == 2 else i % 2 == 0 for i in range(n)],
        },
        schema_overrides={"ebene_rang": pl.Int32},
    )
    empty = pl.DataFrame({c: [None] for c in frame.columns}, schema=frame.schema)
    # rows without any cell in the middle and at the end are not written
    return pl.concat([frame.head(5), empty, frame.tail(n - 5), empty, empty])


def test_workbook_is_the_xlsxwriter_workbook(tmp_path):
    frame = mixed_frame()
    ours, theirs = both(tmp_path, frame)
    with zipfile.ZipFile(ours) as package:
        assert package.namelist() == PARTS
        for info in package.infolist():
            assert info.date_time == (1980, 1, 31, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
        assert package.testzip() is None
    # every part byte for byte, the worksheet included (its floats print alike here)
    assert parts(ours) == parts(theirs)
    for data in parts(ours).values():
        ET.fromstring(data)  # well-formed XML


def test_structure_freeze_title_and_styles(tmp_path):
    frame = pl.DataFrame({"periode": [dt.date(2024, 12, 31)], "wert": [1.5]})
    path = tmp_path / "a.xlsx"
    xlsx.write_sheet(path, frame, "sozialindex", ["Stichtag", "Wert"], "sozialmonitor: <x> & y")
    got = parts(path)
    sheet = ET.fromstring(got["xl/worksheets/sheet1.xml"])
    pane = sheet.find(f"{MAIN}sheetViews/{MAIN}sheetView/{MAIN}pane")
    assert pane.attrib == {
        "ySplit": "1", "topLeftCell": "A2", "activePane": "bottomLeft", "state": "frozen",
    }  # fmt: skip
    assert sheet.find(f"{MAIN}dimension").get("ref") == "A1:B2"
    core = ET.fromstring(got["docProps/core.xml"])
    assert core.find("{http://purl.org/dc/elements/1.1/}title").text == "sozialmonitor: <x> & y"
    assert b"2000-01-01T00:00:00Z" in got["docProps/core.xml"]
    workbook = ET.fromstring(got["xl/workbook.xml"])
    assert workbook.find(f"{MAIN}sheets/{MAIN}sheet").get("name") == "sozialindex"
    styles = ET.fromstring(got["xl/styles.xml"])
    xfs = styles.findall(f"{MAIN}cellXfs/{MAIN}xf")
    assert xfs[xlsx.BOLD_XF].get("fontId") == "1"
    assert styles.findall(f"{MAIN}fonts/{MAIN}font")[1].find(f"{MAIN}b") is not None
    assert xfs[xlsx.DATE_XF].get("numFmtId") == "164"
    assert styles.find(f"{MAIN}numFmts/{MAIN}numFmt").get("formatCode") == "dd.mm.yyyy"
    header, row = (
        cells(got["xl/worksheets/sheet1.xml"])[:2],
        cells(got["xl/worksheets/sheet1.xml"])[2:],
    )
    assert [c[2] for c in header] == [str(xlsx.BOLD_XF)] * 2
    assert row == [("A2", None, str(xlsx.DATE_XF), "45657"), ("B2", None, None, "1.5")]


def test_read_back_values_headers_and_types(tmp_path):
    frame = pl.DataFrame(
        {
            "gebiet_id": [
                "=1+2",
                "Ümläüte & <Tags>",
                "Steuer\x01zeichen",
                None,
                "\r\nx",
                "_x0041_",
            ],
            "ebene_rang": [1, None, -3, 4, 2**40, 0],
            "wert": [0.1 + 0.2, float("nan"), float("inf"), -0.0, None, 1e-300],
            "periode": [
                dt.date(2023, 12, 31),
                None,
                dt.date(1900, 1, 1),
                dt.date(1900, 3, 1),
                dt.date(9999, 12, 31),
                dt.date(1970, 1, 1),
            ],
            "unsicher": [True, False, None, True, False, None],
        },
        schema_overrides={"ebene_rang": pl.Int64},
    )
    path = tmp_path / "a.xlsx"
    headers = [GERMAN_HEADERS[c] for c in frame.columns]
    xlsx.write_sheet(path, frame, "indikatoren", headers, "t")
    back = fastexcel.read_excel(path).load_sheet(0).to_polars()
    assert back.columns == ["Gebiet", "Ebenenrang", "Wert", "Stichtag", "unsicher"]
    assert back.dtypes == [pl.String, pl.Float64, pl.Float64, pl.Datetime("ms"), pl.Boolean]
    assert back["Gebiet"].to_list() == [
        "'=1+2", "Ümläüte & <Tags>", "Steuer\x01zeichen", None, "'\r\nx", "_x0041_",
    ]  # fmt: skip
    assert back["Ebenenrang"].to_list() == [1.0, None, -3.0, 4.0, float(2**40), 0.0]
    # NaN and infinity write no cell; -0.0 arrives as 0
    assert back["Wert"].to_list() == [0.1 + 0.2, None, None, 0.0, None, 1e-300]
    assert back["Stichtag"].dt.date().to_list() == frame["periode"].to_list()
    assert back["unsicher"].to_list() == frame["unsicher"].to_list()


def test_same_input_same_bytes_and_chunks_do_not_show(tmp_path, monkeypatch):
    frame = pl.concat([mixed_frame()] * 7)
    one, two, chunked = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    headers = list(frame.columns)
    xlsx.write_sheet(one, frame, "x", headers, "t")
    xlsx.write_sheet(two, frame, "x", headers, "t")
    assert one.read_bytes() == two.read_bytes()
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 4)  # row numbers continue across chunks
    xlsx.write_sheet(chunked, frame, "x", headers, "t")
    assert chunked.read_bytes() == one.read_bytes()


def test_empty_and_degenerate_frames_match_xlsxwriter(tmp_path):
    frames = [
        pl.DataFrame(),
        pl.DataFrame({"a": pl.Series([], dtype=pl.String)}),
        pl.DataFrame({"a": [None, None], "b": [None, "x"]}, schema={"a": pl.Date, "b": pl.String}),
        pl.DataFrame({"n": [None, None]}),  # dtype Null
        pl.DataFrame({f"k{i}": [i, None, -i] for i in range(30)}),  # columns beyond Z
    ]
    for i, frame in enumerate(frames):
        folder = tmp_path / str(i)
        folder.mkdir()
        ours, theirs = both(folder, frame)
        assert parts(ours) == parts(theirs), i


def test_published_tables_as_xlsxwriter_wrote_them(small_city, tmp_path):
    """The seven published tables of the small city: same cells as the former writer."""
    folder = small_city.warehouse / "parquet"
    names = ["indikatoren", "indikatoren_breit", "sozialindex", "controlling",
             "zielerreichung", "gebiete", "indikatorkatalog"]  # fmt: skip
    for name in names:
        frame = pl.read_parquet(folder / f"{name}.parquet").head(1_500)
        if "geometrie_geojson" in frame.columns:
            frame = frame.drop("geometrie_geojson")
        ours, theirs = both(tmp_path, frame, sheet=name[:31], title=f"sozialmonitor: {name}")
        got, want = parts(ours), parts(theirs)
        sheet = "xl/worksheets/sheet1.xml"
        assert {k: v for k, v in got.items() if k != sheet} == {
            k: v for k, v in want.items() if k != sheet
        }, name
        assert_same_cells(got[sheet], want[sheet])
        back = fastexcel.read_excel(ours).load_sheet(0).to_polars()
        assert back.height == frame.height


def test_rejects_what_excel_cannot_hold(tmp_path):
    frame = pl.DataFrame({"a": [1]})
    with pytest.raises(ValueError):
        xlsx.write_sheet(tmp_path / "a.xlsx", frame, "x" * 32, ["A"], "t")
    with pytest.raises(ValueError):
        xlsx.write_sheet(tmp_path / "a.xlsx", frame, "a/b", ["A"], "t")
    with pytest.raises(ValueError):
        xlsx.write_sheet(tmp_path / "a.xlsx", frame, "x", ["A", "B"], "t")
    with pytest.raises(TypeError):
        xlsx.write_sheet(tmp_path / "a.xlsx", pl.DataFrame({"l": [[1]]}), "x", ["L"], "t")


def test_escape_helpers():
    assert xlsx.column_letters(0) == "A"
    assert xlsx.column_letters(25) == "Z"
    assert xlsx.column_letters(26) == "AA"
    assert xlsx.column_letters(16_383) == "XFD"
    assert xlsx.escape_text(" a<b ") == (" a&lt;b ", True)
    assert xlsx.escape_text("\x01_x0001_") == ("_x0001__x005F_x0001_", False)
    assert xlsx.utf16_truncate("😀" * 20_000) == "😀" * 16_383


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=8))
def test_any_text_as_xlsxwriter_writes_it(tmp_path, texts):
    frame = pl.DataFrame({"bezeichnung": texts}, schema={"bezeichnung": pl.String})
    ours, theirs = both(tmp_path, frame)
    assert parts(ours) == parts(theirs)


# calamine leaves _xFFFE_/_xFFFF_ undecoded, and the _xHHHH_ scheme itself cannot tell
# "_x005F_x0041_"-like text from its escape: such text is covered by the test above.
# No lone surrogates: a polars string is UTF-8 and cannot hold one (the frame itself
# refuses, see test_lone_surrogates_never_reach_a_workbook). text()'s default alphabet is
# characters(codec="utf-8"); an own characters() alphabet is not, so it drew surrogates
# for some seeds (seed 3): the old flaky failure in the test's own DataFrame.
READABLE = st.text(st.characters(codec="utf-8", exclude_characters="\ufffe\uffff"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(READABLE.filter(lambda t: "_x" not in t), min_size=1, max_size=8))
def test_any_text_reads_back_unchanged(tmp_path, texts):
    frame = pl.DataFrame({"name": texts, "n": list(range(len(texts)))})
    path = tmp_path / "a.xlsx"
    xlsx.write_sheet(path, frame, "Gebiete", ["Name", "Nr"], "t")
    back = fastexcel.read_excel(path).load_sheet(0, dtypes={"Name": "string"}).to_polars()
    assert back["Name"].to_list() == [neutralise(t) for t in texts]


def test_lone_surrogates_never_reach_a_workbook(tmp_path):
    # published text comes from DuckDB through polars, both UTF-8: a lone surrogate cannot
    # be in a frame at all
    with pytest.raises(UnicodeEncodeError):
        pl.DataFrame({"name": ["a\ud800"]})
    # headers, sheet name and title are Python strings: refused, in German, nothing written
    frame = pl.DataFrame({"name": ["a"]})
    path = tmp_path / "a.xlsx"
    for sheet, headers, title in [
        ("Gebiete", ["Na\udcffme"], "t"),
        ("Geb\ud800", ["Name"], "t"),
        ("Gebiete", ["Name"], "\udfff"),
    ]:
        with pytest.raises(ValueError, match="einzelnes Surrogat"):
            xlsx.write_sheet(path, frame, sheet, headers, title)
        assert not path.exists()


def benchmark_frame(rows: int) -> pl.DataFrame:
    """Like the published indicators: ids, levels, dates, counts, rates, symbols, flags."""
    rng = np.random.default_rng(1)
    wert = rng.random(rows) * 100
    return pl.DataFrame(
        {
            "indikator_id": rng.choice(["sgb2_quote", "hze_quote", "altenquotient"], rows),
            "gebiet_id": pl.Series(rng.integers(0, 500, rows)).cast(pl.String).str.zfill(5),
            "ebene": rng.choice(["Stadt", "Stadtteil", "Sozialraum"], rows),
            "ebene_rang": rng.integers(1, 4, rows).astype("int32"),
            "periode": pl.Series(rng.integers(10_000, 20_000, rows)).cast(pl.Date),
            "zaehler": rng.integers(0, 5000, rows).astype(float),
            "nenner": rng.integers(1, 50000, rows).astype(float),
            "wert": np.where(wert < 5, np.nan, wert),
            "symbol": pl.Series(rng.choice(["", "x", "•", "*"], rows)),
            "unsicher": rng.random(rows) < 0.3,
        }
    ).with_columns(pl.col("wert").fill_nan(None))


def test_timing_is_printed(tmp_path):
    """Not an assertion on speed: prints the time for 100 000 rows x 10 columns."""
    frame = benchmark_frame(100_000)
    start = time.perf_counter()
    xlsx.write_sheet(tmp_path / "b.xlsx", frame, "x", frame.columns, "t")
    seconds = time.perf_counter() - start
    print(f"\nxlsx.write_sheet: {frame.height} Zeilen x {frame.width} Spalten in {seconds:.2f} s")
    assert fastexcel.read_excel(tmp_path / "b.xlsx").load_sheet(0).height == frame.height


if __name__ == "__main__":  # python -m tests.publish.test_xlsx [rows] [--xlsxwriter]
    import tempfile

    rows = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 1_000_000
    frame = benchmark_frame(rows)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "b.xlsx"
        start = time.perf_counter()
        xlsx.write_sheet(target, frame, "x", frame.columns, "t")
        size = target.stat().st_size / 1e6
        print(f"xlsx: {rows} x {frame.width} in {time.perf_counter() - start:.2f} s, {size:.0f} MB")
        if "--xlsxwriter" in sys.argv:
            start = time.perf_counter()
            reference_workbook(Path(folder) / "r.xlsx", frame, "x", frame.columns, "t")
            print(f"xlsxwriter: {time.perf_counter() - start:.2f} s")
