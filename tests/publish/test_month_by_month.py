"""Incremental equals full: the small city built month by month publishes exactly what the
same city built from scratch publishes (issue 13).

The last month of SGB II and SGB XII is held back, the rest is built; then the month is
delivered and run (one incremental step: a second one costs a minute of `make test` and
exercises the same path). The published tables must equal those of the session's
full build (`small_city`) row for row and type for type, and the Parquet files byte for byte.
Every shortcut of the monthly path (scoped dbt builds and tests, incremental models, reused
disclosure systems, copied tables) is guarded by this test.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.publish.version import current_version
from pipelines.warehouse.files import WarehousePaths

HELD_BACK = (
    ("sgb2", "sgb2_2024-12"),
    ("sgb12", "sgb12_2024-12-31"),
)


def published(warehouse: Path) -> dict:
    """Every published table: column names, types, comments and all rows, sorted."""
    con = duckdb.connect(str(warehouse / "publish.duckdb"), read_only=True)
    try:
        out = {}
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()]
        for t in sorted(tables):
            columns = con.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where table_name = ? order by column_index",
                [t],
            ).fetchall()
            comment = con.execute(
                "select comment from duckdb_tables() where table_name = ?", [t]
            ).fetchone()
            rows = con.execute(f'select * from "{t}" order by all').fetchall()
            out[t] = {"columns": columns, "comment": comment, "rows": rows}
        return out
    finally:
        con.close()


def parquet_hashes(warehouse: Path) -> dict[str, str]:
    folder = current_version(WarehousePaths(warehouse)) / "parquet"
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.parquet"))
    }


def _dbt_args(warehouse: Path) -> dict:
    """The arguments of the last dbt invocation (run_results.json)."""
    return json.loads((warehouse / "dbt_ziel" / "run_results.json").read_text("utf-8"))["args"]


def _held_back_files(landing: Path) -> list[Path]:
    files = []
    for kind, stem in HELD_BACK:
        found = sorted((landing / kind).glob(f"{stem}.*"))
        assert len(found) == 1, f"{kind}/{stem}: {found}"
        files.append(found[0])
    return files


def test_month_by_month_equals_full_build(small_city, tmp_path):
    from pipelines.runner import run_pipeline

    landing = tmp_path / "landing"
    shutil.copytree(small_city.landing, landing)
    held = {p.relative_to(landing): p.read_bytes() for p in _held_back_files(landing)}
    for rel in held:
        (landing / rel).unlink()
    warehouse = tmp_path / "warehouse"
    first = run_pipeline(landing, warehouse)
    assert first.exit_code == small_city.outcome.exit_code, first.failed_steps
    # a complete build rebuilds every incremental model from scratch (no stale period)
    assert _dbt_args(warehouse)["full_refresh"] is True
    before = published(warehouse)

    for rel, data in held.items():  # one month (SGB II + SGB XII)
        (landing / rel).write_bytes(data)
    outcome = run_pipeline(landing, warehouse)
    assert outcome.exit_code == small_city.outcome.exit_code, outcome.failed_steps
    assert not outcome.skipped, outcome.skipped  # new data: the downstream run happened
    # the monthly path: only what depends on SGB II and SGB XII, tests from the month on
    assert outcome.scope == {"arten": ["sgb12", "sgb2"], "tests_ab_periode": "2024-12-31"}, (
        outcome.scope
    )
    # ... and the data tests really look at the month only (macro tests_ab_periode): on a
    # mart with a contract and on a staging model alike
    scoped = {
        p.name
        for p in (warehouse / "dbt_ziel" / "compiled").rglob("*.sql")
        if "periode >= date '2024-12-31'" in p.read_text(encoding="utf-8")
    }
    assert any(n.startswith("not_null_basiszahlen_") for n in scoped), sorted(scoped)
    assert any(n.startswith("not_null_stg_sgb12_") for n in scoped), sorted(scoped)
    # the incremental indicator mart rebuilds the dates from the month on (sozialindex,
    # a Python model, reads the date while running: tests/dbt), and only in this path
    assert "indikatoren.sql" in scoped, sorted(scoped)
    assert not _dbt_args(warehouse).get("full_refresh")
    # the run's date does not outlive it: a later dbt call in this process builds whole
    assert "SOZIALMONITOR_TESTS_AB_PERIODE" not in os.environ

    incremental, full = published(warehouse), published(small_city.warehouse)
    assert incremental["indikatoren"]["rows"] != before["indikatoren"]["rows"]
    assert sorted(incremental) == sorted(full)
    for table in full:
        assert incremental[table]["columns"] == full[table]["columns"], table
        assert incremental[table]["comment"] == full[table]["comment"], table
        assert len(incremental[table]["rows"]) == len(full[table]["rows"]), table
        assert incremental[table]["rows"] == full[table]["rows"], table
    assert parquet_hashes(warehouse) == parquet_hashes(small_city.warehouse)

    # and a rerun with nothing changed publishes nothing new
    rerun = run_pipeline(landing, warehouse)
    assert rerun.skipped, "unveränderter Lauf hätte die Aufbereitung überspringen sollen"
    assert published(warehouse) == incremental
