"""Dagster jobs outside `sozialmonitor run`: the landing sensor, the chain to the publish zone,
and the writer lock every job takes (UI, sensor, schedule).

The runs are real Dagster runs of the project's jobs (`execute_in_process` on the
instance in the warehouse folder), started from what the sensors return when evaluated
with Dagster's own test contexts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import dagster as dg
import pytest

from tests.conftest import EXAMPLES, query

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def _setup(tmp_path):
    from pipelines.definitions import build_defs
    from pipelines.defs.resources import resource_from_env
    from pipelines.runner import prepare_dagster_home, set_environment
    from pipelines.warehouse.files import WarehousePaths
    from pipelines.warehouse.store import init_warehouse

    landing, paths = tmp_path / "landing", WarehousePaths(tmp_path / "warehouse").ensure()
    landing.mkdir()
    set_environment(landing, paths, None)
    prepare_dagster_home(paths)
    init_warehouse(paths.warehouse_db, paths.quarantine_db)
    return landing, paths, build_defs(resource_from_env()), dg.DagsterInstance.get()


def _tick(defs, instance, cursor=None):
    """One evaluation of `eingangsordner` as the daemon makes it (resources of the Definitions)."""
    from pipelines.defs.sensors import eingangsordner

    with dg.build_sensor_context(
        instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
    ) as ctx:
        return eingangsordner.evaluate_tick(ctx)


def _execute(defs, instance, request: dg.RunRequest):
    job = defs.resolve_job_def(request.job_name)
    return job.execute_in_process(
        instance=instance, tags=request.tags, run_config=QUIET, raise_on_error=False
    )


def _after_success(defs, instance, result):
    """Evaluate `nach_dem_laden` as the daemon would for this finished run."""
    from pipelines.defs.sensors import nach_dem_laden

    run = instance.get_run_by_id(result.run_id)
    event = next(
        e.dagster_event
        for e in instance.all_logs(result.run_id)
        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.RUN_SUCCESS
    )
    with dg.build_run_status_sensor_context(
        sensor_name="nach_dem_laden", dagster_event=event, dagster_instance=instance,
        dagster_run=run, repository_def=defs.get_repository_def(), resources=defs.resources,
    ) as ctx:  # fmt: skip
        return nach_dem_laden(ctx)


@pytest.mark.slow
def test_file_drop_sensor_tick_run_publish(tmp_path):
    from pipelines.deliveries.registry import PERIOD_KINDS

    landing, paths, defs, instance = _setup(tmp_path)
    first = _tick(defs, instance)
    assert first.skip_message and not first.run_requests  # nothing dropped yet

    for src in EXAMPLES.iterdir():  # the offices drop their files
        shutil.copytree(src, landing / src.name) if src.is_dir() else shutil.copy(src, landing)
    tick = _tick(defs, instance, first.cursor)
    jobs = [r.job_name for r in tick.run_requests]
    assert jobs[0] == "referenzdaten"
    assert set(jobs[1:]) == {f"laden_{k}" for k in PERIOD_KINDS}  # every kind has an example
    assert len(jobs) == len(set(jobs))  # one run per kind, not one per file
    results = [_execute(defs, instance, r) for r in tick.run_requests]
    assert all(r.success for r in results)

    chained = _after_success(defs, instance, results[-1])
    assert isinstance(chained, dg.RunRequest) and chained.job_name == "aufbereitung"
    built = _execute(defs, instance, chained)
    assert built.success
    assert paths.publish_db.exists()
    assert query(paths.publish_db, "select count(*) from indikatoren")[0][0] > 0
    loaded = query(paths.warehouse_db, "select count(*) from audit.loads where status = 'geladen'")
    assert loaded[0][0] >= 10

    # the same folder again: nothing to do
    again = _tick(defs, instance, tick.cursor)
    assert not again.run_requests and again.skip_message
    # touched, or copied in again unchanged: the content decides, nothing to do
    f = landing / "sgb2" / "sgb2_2024-12.csv"
    later = f.stat().st_mtime_ns + 10**10
    os.utime(f, ns=(later, later))
    (landing / "reference" / "produkte.csv").write_bytes(
        (landing / "reference" / "produkte.csv").read_bytes()
    )
    touched = _tick(defs, instance, tick.cursor)
    assert not touched.run_requests and touched.skip_message
    # one corrected delivery: one run of its kind over its period
    f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n"))
    third = _tick(defs, instance, tick.cursor)
    [req] = third.run_requests
    assert req.job_name == "laden_sgb2"
    assert req.tags["dagster/asset_partition_range_start"] == "2024-12"
    assert req.tags["dagster/asset_partition_range_end"] == "2024-12"


HOLDER = """
import sys, time
from pathlib import Path
from pipelines.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("gesperrt", flush=True)
    time.sleep(120)
"""


def test_ui_job_takes_the_writer_lock(tmp_path, monkeypatch):
    """A job started from the UI while `sozialmonitor run` writes: refused with who holds it."""
    from pipelines.defs.resources import LOCK_WAIT_ENV

    monkeypatch.setenv(LOCK_WAIT_ENV, "1")
    landing, paths, defs, instance = _setup(tmp_path)
    shutil.copytree(EXAMPLES / "reference", landing / "reference")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(paths.lock_file)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "gesperrt"
        t0 = time.monotonic()
        result = defs.resolve_job_def("referenzdaten").execute_in_process(
            instance=instance, run_config=QUIET, raise_on_error=False
        )
        assert not result.success
        assert time.monotonic() - t0 < 30
        text = " ".join(str(e) for e in instance.all_logs(result.run_id))
        assert "gerade von einem anderen Lauf geschrieben" in text
        assert f"PID {holder.pid}" in text
        # nothing was written: the reference tables are still empty
        assert query(paths.warehouse_db, "select count(*) from raw.gebiete")[0][0] == 0
    finally:
        holder.kill()
        holder.wait()
    # with the lock free the same job runs and loads
    result = defs.resolve_job_def("referenzdaten").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )
    assert result.success
    assert query(paths.warehouse_db, "select count(*) from raw.gebiete")[0][0] > 0


def test_schedules_start_the_reference_run_of_their_cycle(tmp_path):
    import datetime

    from pipelines.defs.schedules import CYCLE_TAG

    _landing, _paths, defs, instance = _setup(tmp_path)
    for name in ("monatlich", "jaehrlich"):
        schedule = defs.get_schedule_def(name)
        ctx = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=datetime.datetime(2025, 4, 1, 6)
        )
        [req] = schedule.evaluate_tick(ctx).run_requests
        assert schedule.job_name == "referenzdaten"
        assert req.tags[CYCLE_TAG] == name


def test_ui_job_accounts_for_every_file_and_fails_in_one_german_line(tmp_path):
    """A job started from the UI writes its own audit.eingang (every file of the landing
    folder, keyed by the Dagster run id), and an operator error (warehouse.duckdb held open
    by another program) fails the step with the German line, not DuckDB's traceback."""
    from tests.robustness.test_operator import _held_open

    landing, paths, defs, instance = _setup(tmp_path)
    shutil.copytree(EXAMPLES / "reference", landing / "reference")
    shutil.copytree(EXAMPLES / "einwohner", landing / "einwohner")
    (landing / "notiz.txt").write_text("bitte anrufen\n", encoding="utf-8")
    result = defs.resolve_job_def("referenzdaten").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )
    assert result.success
    rows = query(
        paths.warehouse_db,
        "select datei, status from audit.eingang where lauf_id = ?",
        [result.run_id],
    )
    files = {
        str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()
    }  # fmt: skip
    assert {d for d, _ in rows} == files
    status = dict(rows)
    assert status["notiz.txt"] == "keine_lieferung"
    assert status["reference/gebiete.csv"] == "geladen"
    assert {status[f] for f in files if f.startswith("einwohner/")} == {"nicht_verarbeitet"}

    with _held_open(paths.warehouse_db):
        failed = defs.resolve_job_def("referenzdaten").execute_in_process(
            instance=instance, run_config=QUIET, raise_on_error=False
        )
    assert not failed.success
    errors = [ev.step_failure_data.error for ev in failed.get_step_failure_events()]
    assert errors, "kein fehlgeschlagener Schritt"
    for err in errors:
        text = err.message
        assert "von einem anderen Programm geöffnet" in text, text
        assert "IOException" not in text and "Traceback" not in text
        assert err.cls_name == "Failure"


def test_run_passes_its_settings_as_the_resource_not_the_environment(tmp_path, monkeypatch):
    """`run` gives every asset its folders and config as the one resource: an environment
    naming other folders (left by a UI session, say) changes nothing, and `run` leaves none."""
    from pipelines.defs.resources import CONFIG_ENV, LANDING_ENV, WAREHOUSE_ENV
    from pipelines.runner import run_pipeline

    decoy = tmp_path / "anderswo"
    monkeypatch.setenv(LANDING_ENV, str(decoy / "landing"))
    monkeypatch.setenv(WAREHOUSE_ENV, str(decoy / "warehouse"))
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(EXAMPLES, landing)
    config = tmp_path / "stadt.yaml"
    config.write_text("indikatoren:\n  alter_senioren_ab: 67\n", encoding="utf-8")
    outcome = run_pipeline(landing, warehouse, config_file=config)
    assert outcome.exit_code == 0, outcome.failed_steps
    assert not decoy.exists()
    assert os.environ[LANDING_ENV] == str(decoy / "landing")  # untouched
    assert CONFIG_ENV not in os.environ
    # the config file reached dbt through the resource: the count parameter is in force
    [(definition,)] = query(
        warehouse / "warehouse.duckdb",
        "select distinct definition from marts.basiszahlen where merkmal = 'ew_65plus'",
    )
    assert definition == "Einwohner, Alter ab 67"
