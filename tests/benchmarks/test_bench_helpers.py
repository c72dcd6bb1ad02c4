"""The benchmark's helpers and the faster pseudonym/address paths it motivated."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from bench.landing import add_next_month, csv_inventory
from bench.procmon import TreeSampler, cpu_seconds, tree_rss_mb
from pipelines.protection import pseudonym as ps
from pipelines.protection.addresses import assign_area, prepare_directory

KEY = b"test-key-0123456789abcdef"


def test_batch_pseudonyms_equal_single_hmac():
    values = ["50.2-97-000002", " 1000001 ", "ä-ß", ""]
    assert ps.pseudonyms(KEY, "sgb12/fall", values) == [
        ps.pseudonym(KEY, "sgb12/fall", v) for v in values
    ]


def test_pseudonymise_with_kept_mapping_equals_fresh_hashing():
    ps.clear_cache()
    first = pl.DataFrame({"nr": ["a", "b", None, "a"], "x": [1, 2, 3, 4]})
    second = pl.DataFrame({"nr": ["c", "b", "a"], "x": [5, 6, 7]})
    out1 = ps.pseudonymise(first, "nr", KEY, "ns", "p")
    out2 = ps.pseudonymise(second, "nr", KEY, "ns", "p")  # b and a come from the kept mapping
    assert out1["x"].to_list() == [1, 2, 3, 4] and out1["p"][2] is None
    assert out2["p"].to_list() == [ps.pseudonym(KEY, "ns", v) for v in ["c", "b", "a"]]
    other = bytes(KEY[:-1] + b"X")  # another key never sees the kept mapping
    out3 = ps.pseudonymise(second, "nr", other, "ns", "p")
    assert out3["p"].to_list() == [ps.pseudonym(other, "ns", v) for v in ["c", "b", "a"]]
    ps.clear_cache()


def test_assign_area_keeps_row_order_and_suffix_fallback():
    adressen = pl.DataFrame({
        "strasse": ["Hauptstraße", "Hauptstraße", "Am Bach"],
        "hausnummer": ["2", "2", "7"], "zusatz": [None, "a", None],
        "gebiet_id": ["01", "02", "03"],
        "gueltig_ab": [None, None, date(2025, 1, 1)], "gueltig_bis": [None, None, None],
    })  # fmt: skip
    persons = pl.DataFrame({
        "strasse": ["Am Bach", "hauptstr.", "Hauptstrasse", None, "Hauptstraße"],
        "hausnummer": ["7", "2a", "2 b", "1", "2"],
        "_ref": [date(2024, 12, 31)] * 5,
    })  # fmt: skip
    out = assign_area(persons, prepare_directory(adressen), "_ref")
    assert out["gebiet_id"].to_list() == [None, "02", "01", None, "01"]
    assert out["strasse"].to_list() == persons["strasse"].to_list()


def test_next_month_shifts_name_title_and_stichtag(tmp_path):
    (tmp_path / "sgb2").mkdir()
    (tmp_path / "sgb12").mkdir()
    sgb2 = "Statistik\nBerichtsmonat: Dezember 2024\n\nGebiet;bg;rlb\n01;1;2\n"
    (tmp_path / "sgb2" / "sgb2_2024-12.csv").write_bytes(sgb2.encode("cp1252"))
    sgb12 = "aktenzeichen;stichtag;x\n1;31.12.2024;31.12.2024\n2;31.12.2024;y\n"
    (tmp_path / "sgb12" / "sgb12_2024-12-31.csv").write_text(sgb12, encoding="utf-8")
    enc = {"sgb2/sgb2_2024-12.csv": "cp1252"}
    new = add_next_month(tmp_path, enc)
    assert [r for r, _ in new] == ["sgb2/sgb2_2025-01.csv", "sgb12/sgb12_2025-01-31.csv"]
    assert "Berichtsmonat: Januar 2025" in (tmp_path / new[0][0]).read_bytes().decode("cp1252")
    text = (tmp_path / new[1][0]).read_text(encoding="utf-8")
    assert text.splitlines()[1] == "1;31.01.2025;31.12.2024"  # only the stichtag column moves
    inv = {f.relpath: f for f in csv_inventory(tmp_path, enc)}
    assert inv["sgb2/sgb2_2025-01.csv"].skip == 3 and inv["sgb12/sgb12_2025-01-31.csv"].skip == 0
    json.dumps([f.__dict__ for f in inv.values()])


def test_process_tree_measurements_are_positive():
    assert cpu_seconds() > 0
    assert tree_rss_mb(__import__("os").getpid()) > 10
    with TreeSampler(interval=0.01) as s:
        sum(range(200_000))
    assert s.peak > 10
