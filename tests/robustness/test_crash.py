"""SIGKILL a `sozialmonitor run` mid-load and mid-dbt; the rerun completes with clean raw tables.

Kill points are observed from outside, without touching the locked DuckDB file:
mid-load = the Dagster instance has started the `laden` run and DuckDB's write-ahead log
of warehouse.duckdb exists (a file committed, the load going on); mid-dbt = dbt's first new `START` line in warehouse/logs/dbt.log.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO, TEST_KEY
from tests.robustness.conftest import ingest_all, raw_snapshot

pytestmark = pytest.mark.slow  # ~1.5-2 min: runs in CI (`make test` runs everything)


def _start(landing: Path, warehouse: Path) -> subprocess.Popen:
    env = {**os.environ, "SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY, "CI": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,  # the kill takes dbt's child processes with it (see README)
    )  # fmt: skip


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 240) -> str:
    """SIGKILL `proc` once ready(line) holds for an output line (or a poll); returns output."""
    os.set_blocking(proc.stdout.fileno(), False)
    out, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(BlockingIOError):
            out.append(os.read(proc.stdout.fileno(), 1 << 16).decode(errors="replace"))
        if ready("".join(out)):
            os.killpg(proc.pid, signal.SIGKILL)  # the whole run dies, as in a power cut
            proc.wait()
            return "".join(out)
        if proc.poll() is not None:
            pytest.fail("Lauf endete vor dem Abbruchpunkt:\n" + "".join(out)[-2000:])
        time.sleep(0.05)
    proc.kill()
    pytest.fail("Abbruchpunkt nicht erreicht")


def test_sigkill_mid_load_and_mid_dbt_then_rerun(tmp_path):
    from pipelines.runner import run_pipeline

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(EXAMPLES, landing)
    storage = warehouse / "dagster_home" / "storage"

    # 1. mid-load
    proc = _start(landing, warehouse)
    wal = warehouse / "warehouse.duckdb.wal"
    _kill_when(proc, lambda _: storage.is_dir() and any(storage.iterdir()) and wal.exists())
    # 2. rerun, killed while dbt builds
    proc = _start(landing, warehouse)
    dbt_log = warehouse / "logs" / "dbt.log"
    seen = dbt_log.stat().st_size if dbt_log.exists() else 0
    out = _kill_when(proc, lambda _: dbt_log.exists() and b" START " in dbt_log.read_bytes()[seen:])
    assert "Abbruch" not in out  # the killed run's lock did not outlive it
    # 3. rerun to the end (ingestion; dbt recovery is shown by step 2 starting again)
    outcome = run_pipeline(landing, warehouse, ingest_only=True)
    assert outcome.exit_code == 0, outcome

    clean = tmp_path / "clean"
    ingest_all(landing, clean)
    # raw_snapshot sorts rows: order-insensitive; load_id is content-derived, so it matches too
    assert raw_snapshot(warehouse / "warehouse.duckdb") == raw_snapshot(clean / "warehouse.duckdb")
    # every audit row of a changed load has its raw rows: no half-written period
    import duckdb

    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    try:
        dupes = con.execute(
            "select quelle, periode, count(*) from audit.loads where status in ('geladen','ersetzt') "
            "group by 1, 2 having count(*) > 1"
        ).fetchall()
    finally:
        con.close()
    assert dupes == []  # each file loaded exactly once across the three runs

    # the pseudonym key is in no file of the warehouse folder (Dagster event logs included)
    key = TEST_KEY.encode()
    for path in warehouse.rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes(), path


# --- one published version: SIGKILL at every step of a publish --------------------------

PUBLISH = """
import sys
from pathlib import Path
from pipelines.config import load_config
from pipelines.publish.write import write_publish
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.lock import writer_lock

paths = WarehousePaths(Path(sys.argv[1])).ensure()
config = load_config(Path(sys.argv[2]) if len(sys.argv) > 2 else None)
with writer_lock(paths.lock_file):
    write_publish(paths, config)
"""

# in the order a publish reaches them; with the two kills of the test above (mid-load,
# mid-dbt) these are the ten kill points of tests/robustness/README.md
PUBLISH_POINTS = [
    ("publish:geheimhaltung_fertig", "alt"),  # disclosure solved, nothing written
    ("publish:duckdb_geschrieben", "alt"),  # new publish.duckdb, no Parquet yet
    ("publish:eine_parquet_datei", "alt"),  # between the Parquet files
    ("publish:parquet_geschrieben", "alt"),  # between Parquet and Excel
    ("publish:eine_excel_datei", "alt"),  # between the Excel workbooks
    ("publish:excel_geschrieben", "alt"),  # all three written, not sealed
    ("publish:versiegelt", "alt"),  # sealed, pointer not switched
    ("publish:umgeschaltet", "neu"),  # right after the switch, before the old one is removed
]


def _publish(warehouse: Path, config: Path | None, point: str | None = None) -> int:
    from pipelines.faults import ENV

    env = {**os.environ, "SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY}
    env.pop(ENV, None)
    if point:
        env[ENV] = point
    args = [sys.executable, "-c", PUBLISH, str(warehouse)] + ([str(config)] if config else [])
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, timeout=600).returncode


def _published(warehouse: Path) -> tuple:
    """The published version as seen through publish.duckdb, parquet/ and excel/: one version."""
    import duckdb

    from pipelines.publish import version
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(warehouse)
    assert version.check(paths) == []
    current = version.current_version(paths)
    parquet = sorted((warehouse / "parquet").glob("*.parquet"))
    excel = sorted((warehouse / "excel").glob("*.xlsx"))
    assert parquet and excel
    con = duckdb.connect(str(warehouse / "publish.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert tables == {p.stem for p in parquet} == {x.stem for x in excel}
        for p in parquet:
            mine = con.execute(f"select * from {p.stem} order by all").fetchall()
            theirs = con.execute(f"select * from read_parquet('{p}') order by all").fetchall()
            assert mine == theirs, p.stem  # publish.duckdb and Parquet: the same version
    finally:
        con.close()
    files = [*parquet, *excel]
    assert all(f.resolve().is_relative_to(current) for f in files)
    return tuple((f.name, hashlib.sha256(f.read_bytes()).hexdigest()) for f in files)


def test_sigkill_at_every_publish_step_leaves_one_version(example_city, tmp_path):
    from pipelines.publish import version
    from pipelines.warehouse.files import WarehousePaths

    warehouse = tmp_path / "warehouse"
    shutil.copytree(example_city.warehouse, warehouse, symlinks=True)
    strict = tmp_path / "strenger.yaml"  # another threshold: another published version
    strict.write_text("offenlegung:\n  min_einwohner: 1000\n", encoding="utf-8")
    assert _publish(warehouse, strict) == 0
    versions = {"streng": _published(warehouse)}
    assert _publish(warehouse, None) == 0
    versions["standard"] = _published(warehouse)
    assert versions["streng"] != versions["standard"]

    current = "standard"
    for point, expected in PUBLISH_POINTS:
        target = "streng" if current == "standard" else "standard"
        rc = _publish(warehouse, strict if target == "streng" else None, point)
        assert rc == -signal.SIGKILL, (point, rc)  # the kill point was reached
        seen = _published(warehouse)  # one complete version after the kill ...
        assert seen == versions[current if expected == "alt" else target], point
        assert _publish(warehouse, strict if target == "streng" else None) == 0
        assert _published(warehouse) == versions[target], point  # ... and convergence
        base = version.versions_dir(WarehousePaths(warehouse))
        leftovers = [p.name for p in base.iterdir() if p.name.startswith(".")]
        assert leftovers == [], point  # the killed run's staging folder is gone
        assert len([p for p in base.iterdir() if p.name.startswith("v")]) <= 2
        current = target
