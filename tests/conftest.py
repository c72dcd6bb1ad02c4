"""Session-wide fixtures: one synthetic city and one warehouse built from it, shared by many tests.

Building the city and running the real pipeline (Dagster, DuckDB, dbt) once per session
keeps `make test` fast while every test asserts against real files and real tables.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the Musterstadt example deliveries with hand-computed results, and the public real data
EXAMPLES = REPO / "tests" / "fixtures" / "musterstadt" / "landing"
REALDATA = REPO / "data" / "realdata"
TEST_KEY = "test-pseudonym-key-0123456789abcdef"


@dataclass
class Built:
    landing: Path
    warehouse: Path
    outcome: object
    manifest: dict | None = None

    @property
    def warehouse_db(self) -> Path:
        return self.warehouse / "warehouse.duckdb"

    @property
    def quarantine_db(self) -> Path:
        return self.warehouse / "quarantine.duckdb"

    @property
    def publish_db(self) -> Path:
        return self.warehouse / "publish.duckdb"


@pytest.fixture(scope="session", autouse=True)
def _environment():
    os.environ.setdefault("SOZIALMONITOR_PSEUDONYM_KEY", TEST_KEY)
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    # the pipeline runs of the suite write the HTML report only; tests/report prints the PDF
    os.environ.setdefault("SOZIALMONITOR_BERICHT_PDF", "0")
    yield


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> tuple[Path, dict]:
    from pipelines.synthetic import generate

    landing = tmp_path_factory.mktemp("stadt") / "landing"
    manifest = generate(landing, scale="small", seed=7)
    return landing, manifest


@pytest.fixture(scope="session")
def small_city(small_landing, tmp_path_factory) -> Built:
    """The small synthetic city, run through the whole pipeline once."""
    from pipelines.runner import run_pipeline

    landing, manifest = small_landing
    warehouse = tmp_path_factory.mktemp("warehouse")
    outcome = run_pipeline(landing, warehouse)
    return Built(landing, warehouse, outcome, manifest)


@pytest.fixture(scope="session")
def example_city(tmp_path_factory) -> Built:
    """The hand-computed Musterstadt deliveries of the spec, through the whole pipeline."""
    from pipelines.runner import run_pipeline

    landing = tmp_path_factory.mktemp("muster") / "landing"
    shutil.copytree(EXAMPLES, landing)
    warehouse = tmp_path_factory.mktemp("muster_wh")
    outcome = run_pipeline(landing, warehouse)
    return Built(landing, warehouse, outcome)


def query(db: Path, sql: str, params=None):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """With `-n 2 --dist loadgroup`, tests of one built city share one worker (one build each)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "small_city" in names or "small_landing" in names or "abgleich_klein" in names:
            item.add_marker(pytest.mark.xdist_group("kleine_stadt"))
        elif "example_city" in names:
            item.add_marker(pytest.mark.xdist_group("musterstadt"))
