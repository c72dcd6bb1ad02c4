"""Fixtures: the example deliveries in a scratch warehouse, built once with `dbt build`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from dbt_beispieldaten import build_example_warehouse

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def run_dbt(warehouse: Path, tmp: Path, *args: str) -> None:
    """Run dbt in-process against `warehouse`; target/ and logs/ go to `tmp` so parallel
    runs (other tests, the lead's pipeline) never share dbt's working folders."""
    os.environ["SOZIALMONITOR_WAREHOUSE_DB"] = str(warehouse)
    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--quiet",
        ]
    )
    assert result.success, f"dbt {' '.join(args)} fehlgeschlagen: {result.exception}"


@pytest.fixture(scope="session")
def gebautes_lager(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dbt_lager")
    warehouse = build_example_warehouse(tmp / "warehouse.duckdb")
    # models and seeds only: the dbt data and unit tests run in test_dbt_build (slow)
    run_dbt(
        warehouse,
        tmp,
        "build",
        "--exclude-resource-type",
        "test",
        "--exclude-resource-type",
        "unit_test",
    )
    return warehouse


@pytest.fixture()
def lager(gebautes_lager: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(gebautes_lager), read_only=True)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture()
def lager_kopie(gebautes_lager: Path, tmp_path: Path) -> Path:
    """A private copy of the built warehouse for tests that change it."""
    kopie = tmp_path / "warehouse.duckdb"
    shutil.copy(gebautes_lager, kopie)
    return kopie
