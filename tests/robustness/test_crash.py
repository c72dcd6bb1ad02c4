"""SIGKILL a `sozialmonitor run` mid-load and mid-dbt; the rerun completes with clean raw tables.

Kill points are observed from outside, without touching the locked DuckDB file:
mid-load = the Dagster instance has started its third run (reference and einwohner done,
the next kind loading); mid-dbt = dbt's first new `START` line in warehouse/logs/dbt.log.
"""

from __future__ import annotations

import contextlib
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
    _kill_when(proc, lambda _: storage.is_dir() and len(list(storage.iterdir())) >= 3)
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
