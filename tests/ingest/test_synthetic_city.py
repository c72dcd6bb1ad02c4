"""The small synthetic city through the real pipeline: defects, balance, idempotence."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import query


def test_every_manifest_row_defect_is_quarantined_with_its_reason(small_city):
    found = {
        (datei, zeile, grund)
        for datei, zeile, grund in query(
            small_city.quarantine_db, "select datei, zeile, grund from quarantaene"
        )
    }
    missing = [
        d for d in small_city.manifest["defects"]
        if d["level"] == "row" and (d["file"], d["line"], d["reason"]) not in found
    ]  # fmt: skip
    assert not missing


def test_every_manifest_file_defect_is_rejected_with_its_reason(small_city):
    rejected = {
        datei: meldung
        for datei, meldung in query(
            small_city.warehouse_db,
            "select datei, meldung from audit.loads where status = 'abgewiesen'",
        )
    }
    for d in small_city.manifest["defects"]:
        if d["level"] == "file":
            assert d["file"] in rejected, d
            assert rejected[d["file"]].startswith(d["reason"]), (d, rejected[d["file"]])
    assert small_city.outcome.exit_code == 3  # finished, but with rejected files


def test_no_quarantine_without_a_known_defect(small_city):
    """Clean rows are never quarantined: the generator lists every defect it made."""
    expected = {
        (d["file"], d["line"]) for d in small_city.manifest["defects"] if d["level"] == "row"
    }
    got = {
        (datei, zeile)
        for datei, zeile in query(
            small_city.quarantine_db, "select distinct datei, zeile from quarantaene"
        )
    }
    assert got <= expected


def test_rows_read_equal_loaded_plus_quarantined_for_every_file(small_city):
    rows = query(
        small_city.warehouse_db,
        "select datei, status, zeilen_gelesen, zeilen_geladen, zeilen_quarantaene, zeilen_abgewiesen from audit.loads",
    )
    files = {path: info["rows"] for path, info in small_city.manifest["files"].items()}
    for datei, status, read, loaded, quarantined, rejected in rows:
        assert read == loaded + quarantined + rejected, datei
        if status == "geladen":
            assert read == files[datei], datei
    raw = dict(query(small_city.warehouse_db, "select load_id, count(*) from raw.sgb12 group by 1"))
    audit = dict(
        query(
            small_city.warehouse_db,
            "select load_id, zeilen_geladen from audit.loads where quelle = 'sgb12' and status = 'geladen'",
        )
    )
    assert raw == audit


def _person_files(landing):
    import polars as pl

    from pipelines.deliveries.landing import discover
    from pipelines.parsing.text import decode_bytes

    for f in discover(landing).files:
        if f.kind in ("sgb12", "sgb8"):
            text = decode_bytes(f.path.read_bytes()).text
            df = pl.read_csv(
                text.encode(), separator=";", infer_schema=False, truncate_ragged_lines=True
            ).with_row_index("zeile", offset=2)
            yield f.relpath, df


def test_no_personal_data_in_any_table(small_city):
    """Names and case numbers nowhere; a quarantined row never shows its birth date."""
    import re

    names: set[str] = set()
    ids: set[str] = set()
    births: dict[tuple[str, int], str] = {}
    for relpath, df in _person_files(small_city.landing):
        for col in ("nachname", "vorname"):
            if col in df.columns:
                names |= {v for v in df[col].drop_nulls().to_list() if len(v) >= 4}
        for col in ("aktenzeichen", "fall_nr", "person_nr"):
            if col in df.columns:
                ids |= set(df[col].drop_nulls().to_list())
        if "geburtsdatum" in df.columns:
            for zeile, geb in df.select("zeile", "geburtsdatum").iter_rows():
                births[(relpath, zeile)] = geb
    assert len(names) > 50 and len(ids) > 100
    name_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    hits = []
    for db in (small_city.warehouse_db, small_city.quarantine_db):
        cols = query(
            db,
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'",
        )
        for schema, table, column in cols:
            if (schema, table) in {
                ("raw", "adressen"),
                ("raw", "gebiete"),
                ("raw", "produkte"),
                ("raw", "finanzen"),
            }:
                continue  # reference data: street, area and product names are not persons
            for (v,) in query(
                db,
                f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null',
            ):
                if v in ids or name_re.search(v):
                    hits.append((db.name, schema, table, column))
                    break
        all_cols = {
            c
            for _, _, c in query(
                db, "select table_schema, table_name, column_name from information_schema.columns"
            )
        }
        assert not all_cols & {
            "nachname",
            "vorname",
            "geburtsdatum",
            "aktenzeichen",
            "person_nr",
            "fall_nr",
        }
    assert not hits
    quarantined = query(
        small_city.quarantine_db,
        "select datei, zeile, werte from quarantaene where quelle in ('sgb12', 'sgb8')",
    )
    assert quarantined
    for datei, zeile, werte in quarantined:
        geb = births.get((datei, zeile))
        if geb and werte:
            assert geb not in werte, (datei, zeile)


def test_no_table_keeps_a_persons_address(small_city):
    tables = query(
        small_city.warehouse_db,
        "select table_schema, table_name, column_name from information_schema.columns",
    )
    with_street = {(s, t) for s, t, c in tables if c in ("strasse", "hausnummer")}
    assert with_street <= {("raw", "adressen")}
    # quarantine keeps an address only where it could not be matched (so it can be fixed)
    rows = query(
        small_city.quarantine_db, "select grund from quarantaene where werte like '%\"strasse\"%'"
    )
    assert rows and {r[0] for r in rows} == {"adresse_unbekannt"}


def _snapshot(db) -> dict:
    out = {}
    for schema, table in query(
        db,
        "select table_schema, table_name from information_schema.tables where table_schema in ('raw', 'main') and table_type = 'BASE TABLE'",
    ):
        out[f"{schema}.{table}"] = query(db, f'select * from "{schema}"."{table}" order by all')
    return out


@pytest.fixture(scope="module")
def rerun_copy(small_city, tmp_path_factory):
    from pipelines.runner import run_pipeline

    wh = tmp_path_factory.mktemp("rerun")
    shutil.copytree(small_city.warehouse, wh, dirs_exist_ok=True)
    before = (_snapshot(wh / "warehouse.duckdb"), _snapshot(wh / "quarantine.duckdb"))
    outcome = run_pipeline(small_city.landing, wh, ingest_only=True)
    return wh, before, outcome


def test_loading_the_same_folder_twice_changes_nothing(rerun_copy):
    wh, before, outcome = rerun_copy
    assert _snapshot(wh / "warehouse.duckdb") == before[0]
    assert _snapshot(wh / "quarantine.duckdb") == before[1]
    assert outcome.exit_code in (0, 3)


def test_corrected_redelivery_replaces_exactly_that_period(small_city, tmp_path):
    from pipelines.runner import run_pipeline

    landing = tmp_path / "landing"
    shutil.copytree(small_city.landing, landing)
    wh = tmp_path / "wh"
    shutil.copytree(small_city.warehouse, wh)
    target = sorted((landing / "einwohner").glob("einwohner_*-12-31.csv"))[-1]
    period = target.stem.split("_")[1]
    raw = target.read_bytes()
    # a correction: every count in the last column + 1 (same layout, same encoding)
    lines = raw.split(b"\r\n")
    header = [h.strip().lstrip(b"\xef\xbb\xbf") for h in lines[0].split(b";")]
    i = header.index(b"anzahl")
    fixed = [lines[0]] + [
        b";".join(p if k != i else str(int(p) + 1).encode() for k, p in enumerate(line.split(b";")))
        if line else line for line in lines[1:]
    ]  # fmt: skip
    target.write_bytes(b"\r\n".join(fixed))
    before = dict(
        query(
            wh / "warehouse.duckdb",
            "select stichtag::varchar, sum(anzahl) from raw.einwohner group by 1",
        )
    )
    outcome = run_pipeline(landing, wh, ingest_only=True)
    after = dict(
        query(
            wh / "warehouse.duckdb",
            "select stichtag::varchar, sum(anzahl) from raw.einwohner group by 1",
        )
    )
    n_rows = query(
        wh / "warehouse.duckdb", "select count(*) from raw.einwohner where stichtag = ?", [period]
    )[0][0]
    assert after[period] == before[period] + n_rows
    assert {k: v for k, v in after.items() if k != period} == {
        k: v for k, v in before.items() if k != period
    }
    status = query(
        wh / "warehouse.duckdb",
        "select status from audit.loads where datei = ? order by beendet_am desc limit 1",
        [f"einwohner/{target.name}"],
    )
    assert status == [("ersetzt",)]
    assert outcome.exit_code in (0, 3)


def test_rejected_redelivery_keeps_previous_data(small_city, tmp_path):
    from pipelines.runner import run_pipeline

    landing = tmp_path / "landing"
    shutil.copytree(small_city.landing, landing)
    wh = tmp_path / "wh"
    shutil.copytree(small_city.warehouse, wh)
    target = sorted((landing / "bewegungen").glob("*.csv"))[-1]
    text = target.read_bytes().decode("utf-8-sig").replace(";anzahl", ";menge")
    target.write_text(text, encoding="utf-8")
    before = query(wh / "warehouse.duckdb", "select * from raw.bewegungen order by all")
    outcome = run_pipeline(landing, wh, ingest_only=True)
    assert query(wh / "warehouse.duckdb", "select * from raw.bewegungen order by all") == before
    assert outcome.exit_code == 3
    msg = dict(outcome.rejected_files)[f"bewegungen/{target.name}"]
    assert msg.startswith("spalte_fehlt") and "anzahl" in msg


def test_person_level_load_refuses_without_key(small_city, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipelines.cli import main

    monkeypatch.delenv("SOZIALMONITOR_PSEUDONYM_KEY", raising=False)
    result = CliRunner().invoke(
        main, ["run", "--landing", str(small_city.landing), "--warehouse", str(tmp_path / "wh")]
    )
    assert result.exit_code == 1
    assert "SOZIALMONITOR_PSEUDONYM_KEY" in result.output
    db = tmp_path / "wh" / "warehouse.duckdb"
    assert not db.exists() or query(db, "select count(*) from raw.sgb12")[0][0] == 0
