"""The publish zone on real builds: contract, disclosure, attacker, atomic swap, rebuilds."""

from __future__ import annotations

import polars as pl
import pytest

from tests.conftest import query

PUBLISHED_COLUMNS = {
    "indikatoren": ["indikator_id", "gebiet_id", "ebene", "periode", "zaehler", "nenner", "wert",
                    "symbol", "einheit", "nenner_stichtag", "gebietsstand"],
    "sozialindex": ["gebiet_id", "periode", "status_index", "dynamik_index", "status_klasse",
                    "dynamik_klasse", "ausschluss_grund"],
    "controlling": ["haushaltsjahr", "kennzahl", "wert", "einheit", "symbol"],
    "zielerreichung": ["indikator_id", "gebiet_id", "jahr", "zielwert", "istwert", "erreicht"],
    "gebiete": ["gebiet_id", "name", "ebene", "parent_id", "gueltig_ab", "gueltig_bis"],
    "indikatorkatalog": ["indikator_id", "bezeichnung", "definition", "einheit"],
    "indikatoren_breit": ["gebiet_id", "periode", "sgb2_quote"],
}  # fmt: skip


def test_publish_tables_have_the_published_columns(small_city):
    for table, cols in PUBLISHED_COLUMNS.items():
        have = [
            r[0]
            for r in query(
                small_city.publish_db,
                "select column_name from information_schema.columns where table_name = ? and table_schema = 'main'",
                [table],
            )
        ]
        assert set(cols) <= set(have), (table, set(cols) - set(have))
    schemas = {
        r[0]
        for r in query(
            small_city.publish_db, "select distinct table_schema from information_schema.tables"
        )
    }
    assert schemas == {"main"}
    assert small_city.outcome.failed_checks == []


def test_no_unit_level_rows_and_no_count_of_one_or_two(small_city):
    cols = {
        r[0]
        for r in query(small_city.publish_db, "select column_name from information_schema.columns")
    }
    assert not cols & {"fall_pseudonym", "person_pseudonym", "alter", "load_id"}
    small = query(
        small_city.publish_db,
        "select count(*) from indikatoren where zaehler in (1, 2) or nenner in (1, 2) or (einheit = 'Anzahl' and wert in (1, 2))",
    )[0][0]
    assert small == 0
    symbols = {
        r[0] for r in query(small_city.publish_db, "select distinct symbol from indikatoren")
    }
    assert "*" in symbols  # the small city does have cells that must be withheld


def test_attacker_recovers_nothing(small_city):
    import duckdb

    from pipelines.config import load_config
    from pipelines.disclosure import DisclosureConfig, attack
    from pipelines.publish import cells

    con = duckdb.connect(str(small_city.warehouse_db), read_only=True)
    basis = con.execute("select * from marts.basiszahlen").pl()
    gebiete = con.execute("select * from marts.gebiete").pl()
    con.close()
    cfg = cells.with_signed(DisclosureConfig.from_dict(load_config()["offenlegung"]))
    result = cells.disclose_counts(basis, gebiete, cfg)
    identities = cells.identities_for(result.cells)
    # every system on the layout it was solved on (recast periods on their old one)
    for (stand,), solved in result.solved.partition_by("gebietsstand", as_dict=True).items():
        found = attack(solved.drop("gebietsstand"), result.trees[stand], identities, cfg)
        assert found.height == 0, stand
    # what the indicator table publishes is no more than these cells
    pub = pl.read_parquet(small_city.warehouse / "parquet" / "indikatoren.parquet")
    published_counts = set(
        result.cells.filter(pl.col("wert").is_not_null())
        .select("merkmal", "periode", "gebiet_id", "wert")
        .iter_rows()
    )
    con = duckdb.connect(str(small_city.warehouse_db), read_only=True)
    kat = dict(
        con.execute("select indikator_id, zaehler_merkmal from marts.indikatorkatalog").fetchall()
    )
    con.close()
    sample = pub.filter(
        pl.col("zaehler").is_not_null()
        & pl.col("indikator_id").is_in(["sgb2_quote", "hze_quote", "anteil_u18"])
    )
    for ind, gid, per, z in sample.select(
        "indikator_id", "gebiet_id", "periode", "zaehler"
    ).iter_rows():
        assert (kat[ind], per, gid, round(z)) in published_counts or z == 0


def test_suppression_log_accounts_for_every_withheld_rate(small_city):
    withheld = query(
        small_city.publish_db, "select count(*) from indikatoren where symbol in ('*', '.', '/')"
    )[0][0]
    logged = query(
        small_city.warehouse_db,
        "select count(*) from audit.geheimhaltung where tabelle = 'indikatoren'",
    )[0][0]
    assert withheld == logged > 0
    # the log never holds a value
    cols = [
        r[0]
        for r in query(
            small_city.warehouse_db,
            "select column_name from information_schema.columns where table_name = 'geheimhaltung'",
        )
    ]
    assert "wert" not in cols


def test_example_values_as_published(example_city):
    def pub(ind, gid, per="2024-12-31"):
        return query(
            example_city.publish_db,
            "select wert, symbol, untergrenze, obergrenze from indikatoren where indikator_id = ? and gebiet_id = ? and periode = ?",
            [ind, gid, per],
        )

    assert pub("sgb2_quote", "010201")[0][0] == pytest.approx(1204 / 4170 * 100)
    assert pub("sgb2_quote", "010101")[0][0] == pytest.approx(104 / 645 * 100)
    assert pub("grusi_alter_quote", "010201")[0][:2] == (None, "*")  # numerator 1
    wert, symbol, low, high = pub("sgb2_quote", "0201")[0]
    assert (wert, symbol) == (None, "/") and low < high  # rlb between 59 and 60
    ziel = query(
        example_city.publish_db,
        "select istwert, erreicht from zielerreichung where indikator_id = 'sgb2_kinderarmut'",
    )
    assert ziel[0][0] == pytest.approx((22 + 4 + 371 + 12 + 0) / 1185 * 100) and ziel[0][1] is False


def test_explain_city_and_finest_figure(example_city):
    import hashlib

    from pipelines.lineage.explain import explain, render

    for gebiet in ("00", "010201"):
        from datetime import date

        e = explain(example_city.warehouse, "sgb2_quote", gebiet, date(2024, 12, 31))
        files = {f.datei: f.sha256 for f in e.dateien}
        assert set(files) == {"sgb2/sgb2_2024-12.csv", "einwohner/einwohner_2024-12-31.csv"}
        for datei, sha in files.items():
            assert sha == hashlib.sha256((example_city.landing / datei).read_bytes()).hexdigest()
        text = render(e)
        assert "rlb / ew_u65" in text and "marts.indikatoren" in text
    city = explain(example_city.warehouse, "sgb2_quote", "00", date(2024, 12, 31))
    assert {g for g, *_ in city.summiert} == {"010101", "010102", "010201", "020101", "020102"}
    assert (
        explain(example_city.warehouse, "sgb2_quote", "010201", date(2024, 12, 31)).zaehler == 1204
    )


# The second build of the same deliveries from an empty warehouse is the session's
# `sensor_city` (tests/sensor_city.py): the Musterstadt files built by the Dagster sensors
# while a BI client (SQLAlchemy + duckdb-engine, in its own process like Superset or
# Metabase) reads, then published three times more under it.


def test_bi_client_reads_during_rebuild_without_lock_errors(sensor_city):
    assert sensor_city.built.success
    assert not sensor_city.reader_errors
    assert len(sensor_city.reads) > 5
    assert len(set(sensor_city.reads)) == 1  # every read saw one complete version


def test_republish_of_unchanged_marts_reuses_every_disclosure_system(sensor_city):
    wh, systems = sensor_city.warehouse, sensor_city.systems
    assert systems["systeme"] > 0
    assert (systems["berechnet"], systems["aus_zwischenspeicher"]) == (0, systems["systeme"])
    assert (
        len(list((wh / "zwischenspeicher" / "geheimhaltung").glob("*.arrow")))
        == 2 * systems["systeme"]
    )


def test_rebuild_from_same_deliveries_is_bit_identical(sensor_city, example_city):
    """The sensors' build equals `sozialmonitor run`'s, file for file and row for row."""
    wh = sensor_city.warehouse
    first = sorted((example_city.warehouse / "parquet").glob("*.parquet"))
    assert first
    for f in first:
        assert f.read_bytes() == (wh / "parquet" / f.name).read_bytes(), f.name
    for table in PUBLISHED_COLUMNS:
        sql = f"select * from {table} order by all"
        assert query(example_city.publish_db, sql) == query(wh / "publish.duckdb", sql), table


def test_excel_exports_neutralise_formulas(tmp_path):
    import xlsxwriter  # noqa: F401

    from pipelines.publish.write import _write_excel

    frame = pl.DataFrame(
        {"gebiet_id": ["01"], "name": ['=HYPERLINK("http://x","klick")'], "wert": [1.5]}
    )
    _write_excel(tmp_path, {"gebiete": frame})
    import zipfile

    with zipfile.ZipFile(tmp_path / "gebiete.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            z.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in z.namelist()
            else ""
        )
    assert "<f>" not in sheet  # no formula cell
    assert "'=HYPERLINK" in strings or "'=HYPERLINK" in sheet
