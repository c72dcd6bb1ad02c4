"""`run` with a relative warehouse folder (the README's `make demo` uses demo/warehouse)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.runner import prepare_dagster_home
from pipelines.warehouse.files import WarehousePaths


def test_dagster_home_is_absolute_for_a_relative_warehouse(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # restored after the test
    paths = WarehousePaths(Path("demo") / "warehouse").ensure()
    prepare_dagster_home(paths)
    home = Path(os.environ["DAGSTER_HOME"])
    assert home.is_absolute()
    assert home == tmp_path / "demo" / "warehouse" / "dagster_home"
    instance = dg.DagsterInstance.get()  # what `run` does next: Dagster accepts the folder
    assert Path(instance.root_directory) == home
