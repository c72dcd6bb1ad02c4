"""One warehouse with the Musterstadt example deliveries loaded (ingest functions, no Dagster), copied per case.

Building it once per session and copying the folder per test keeps the hostile-delivery
corpus fast while every case runs the real readers, checks and DuckDB writes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EXAMPLES

RAW_TABLES_SQL = "select table_name from information_schema.tables where table_schema = 'raw'"


def ingest_all(landing: Path, root: Path, kinds=None, today=None) -> list:
    """Reference data, then every period kind (or `kinds`), as the Dagster assets do."""
    from pipelines.deliveries.ingest import ingest_kind, ingest_reference
    from pipelines.deliveries.landing import discover
    from pipelines.deliveries.registry import PERIOD_KINDS
    from pipelines.warehouse.files import WarehousePaths
    from pipelines.warehouse.store import init_warehouse

    paths = WarehousePaths(root).ensure()
    init_warehouse(paths.warehouse_db, paths.quarantine_db)
    discovery = discover(landing, today=today)
    results = ingest_reference(discovery, paths, "test")
    for kind in kinds or PERIOD_KINDS:
        results += ingest_kind(kind, discovery, paths, "test")
    return results


def raw_snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every raw table as a sorted row list (order-insensitive comparison)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = sorted(r[0] for r in con.execute(RAW_TABLES_SQL).fetchall())
        return {
            t: sorted(con.execute(f"select * from raw.{t}").fetchall(), key=repr) for t in tables
        }
    finally:
        con.close()


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@dataclass
class Case:
    landing: Path
    warehouse: Path

    @property
    def warehouse_db(self) -> Path:
        return self.warehouse / "warehouse.duckdb"

    @property
    def quarantine_db(self) -> Path:
        return self.warehouse / "quarantine.duckdb"

    def example(self, relpath: str) -> bytes:
        return (EXAMPLES / relpath).read_bytes()

    def write(self, relpath: str, data: bytes | str) -> Path:
        path = self.landing / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def ingest(self, kinds=None, today=None) -> list:
        return ingest_all(self.landing, self.warehouse, kinds, today)


@pytest.fixture(scope="session")
def base_case(tmp_path_factory) -> Case:
    root = tmp_path_factory.mktemp("robust_base")
    case = Case(root / "landing", root / "warehouse")
    shutil.copytree(EXAMPLES, case.landing)
    results = case.ingest()
    assert {r.status for r in results} == {"geladen"}, [r.describe() for r in results]
    return case


@pytest.fixture
def case(base_case, tmp_path) -> Case:
    """A private copy of the loaded Musterstadt: landing folder and warehouse."""
    c = Case(tmp_path / "landing", tmp_path / "warehouse")
    shutil.copytree(base_case.landing, c.landing, symlinks=True)
    shutil.copytree(base_case.warehouse, c.warehouse)
    return c
