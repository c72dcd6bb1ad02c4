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
# the year before (2023, on the old area layout) and the plan year 2025, laid over EXAMPLES
EXAMPLES_VORJAHR = REPO / "tests" / "fixtures" / "musterstadt_vorjahr" / "landing"
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
    # always the test key: some tests start subprocesses with TEST_KEY on warehouses the
    # session built, so a key exported in the shell must not reach the suite
    os.environ["SOZIALMONITOR_PSEUDONYM_KEY"] = TEST_KEY
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
    """The hand-computed Musterstadt deliveries (tests/fixtures/musterstadt), through the whole pipeline."""
    from pipelines.runner import run_pipeline

    landing = tmp_path_factory.mktemp("muster") / "landing"
    shutil.copytree(EXAMPLES, landing)
    warehouse = tmp_path_factory.mktemp("muster_wh")
    outcome = run_pipeline(landing, warehouse)
    return Built(landing, warehouse, outcome)


@pytest.fixture(scope="session")
def vorjahr_city(tmp_path_factory) -> Built:
    """Musterstadt with a second budget and case year (2023) and the plan year 2025
    (tests/fixtures/musterstadt_vorjahr), through the whole pipeline."""
    from pipelines.runner import run_pipeline

    landing = tmp_path_factory.mktemp("vorjahr") / "landing"
    shutil.copytree(EXAMPLES, landing)
    shutil.copytree(EXAMPLES_VORJAHR, landing, dirs_exist_ok=True)
    warehouse = tmp_path_factory.mktemp("vorjahr_wh")
    outcome = run_pipeline(landing, warehouse)
    return Built(landing, warehouse, outcome)


# Musterstadt's December SGB II table with the BA's total row (tests/ingest/test_ba_total_row.py):
# bg; rlb; elb; nef; nef_u15; alo_sgb2; lzb; bg_alleinerziehend: the known parts plus
# Am Bach's and Dom's withheld values. Am Bach's `*` are secondary suppressions at the
# source, as the BA writes them: bg 3, rlb 4, elb 4 (above the [1, 2] of a primary `*`);
# Dom's single parents 1. Known parts: bg 510, rlb 1,387, elb 957.
BA_DEC = "sgb2/sgb2_2024-12.csv"
BA_TOTAL = "00;Musterstadt;513;1.391;961;430;409;318;653;81"


def add_ba_total_row(landing: Path, row: str = BA_TOTAL) -> None:
    path = landing / BA_DEC
    text = path.read_bytes().decode("cp1252")
    text = text.replace("020102;Am Bach;", f"{row}\r\n020102;Am Bach;", 1)
    path.write_bytes(text.encode("cp1252"))


@pytest.fixture(scope="session")
def ba_total_city(example_city, tmp_path_factory) -> Built:
    """Musterstadt's session build, its December table redelivered with the BA's total row.

    A copy of the built warehouse, not a second build from scratch: `run` loads the
    corrected file again and takes the monthly path (what depends on SGB II; equal to a
    full build by tests/publish/test_month_by_month.py). Used by the total-row tests and,
    as the `run` side, by the run-versus-sensor test of tests/robustness/test_dagster_jobs.py.
    """
    from pipelines.runner import run_pipeline

    root = tmp_path_factory.mktemp("ba_summe")
    landing, warehouse = root / "landing", root / "warehouse"
    shutil.copytree(example_city.landing, landing)
    shutil.copytree(example_city.warehouse, warehouse, symlinks=True)
    add_ba_total_row(landing)
    outcome = run_pipeline(landing, warehouse)
    return Built(landing, warehouse, outcome)


@pytest.fixture(scope="session")
def sensor_city(tmp_path_factory):
    """The Musterstadt deliveries dropped into an empty landing folder and built by the
    Dagster sensors (tests/sensor_city.py), a BI client reading all along."""
    from tests import sensor_city as sensor

    return sensor.build(EXAMPLES, tmp_path_factory.mktemp("sensor_muster"))


def query(db: Path, sql: str, params=None):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_frame(db: Path, sql: str, params=None):
    """The result of `sql` on `db` (read only) as a polars frame."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).pl()
    finally:
        con.close()


# session fixtures that build a whole city, and the xdist group of the tests that use them
CITY_GROUPS = {
    "small_city": "kleine_stadt",
    "small_landing": "kleine_stadt",
    "abgleich_klein": "kleine_stadt",
    "example_city": "musterstadt",
    "sensor_city": "musterstadt",
    "ba_total_city": "musterstadt",
    "vorjahr_city": "musterstadt_vorjahr",
    # tests/dbt: Musterstadt's marts built by dbt alone (20 s; once, not once per worker)
    "gebautes_lager": "dbt_lager",
}


def city_group(item) -> str | None:
    """The built city an item uses (directly or through other fixtures), or None.

    Only the fixtures of this module, tests/oracle and tests/dbt count: tests/synthetic has
    its own, cheap `small_city` (generation only) that must not pin its tests to one worker.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name, group in CITY_GROUPS.items():
        defs = info.name2fixturedefs.get(name)
        if defs and Path(defs[-1].func.__code__.co_filename).parent.name in (
            "tests",
            "oracle",
            "dbt",
        ):
            return group
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """With `-n 2 --dist loadgroup`, tests of one built city share one worker (one build each).

    tryfirst: xdist's worker turns the marker into the `@group` suffix of the node id in its
    own hook of this name, which is registered after this conftest and so would run first.
    pytest 9.2 ignores that suffix (pytest-xdist issue 1386), hence pytest < 9.2 in
    pyproject.toml; tests/test_xdist_groups.py fails if the grouping stops working.
    """
    for item in items:
        group = city_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
