"""`dbt build` with every data test and unit test, and `dbt docs generate`, on the example
deliveries (the acceptance gate of the dbt project; slow: about a minute)."""

from __future__ import annotations

import pytest
from conftest import run_dbt
from dbt_beispieldaten import build_example_warehouse


@pytest.mark.slow
def test_dbt_build_und_docs(tmp_path):
    warehouse = build_example_warehouse(tmp_path / "warehouse.duckdb")
    run_dbt(warehouse, tmp_path, "build")
    run_dbt(warehouse, tmp_path, "docs", "generate")
    assert (tmp_path / "target" / "catalog.json").exists()
