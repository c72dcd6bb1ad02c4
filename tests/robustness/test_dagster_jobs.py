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

from tests.conftest import EXAMPLES, add_ba_total_row, query
from tests.sensor_city import QUIET
from tests.sensor_city import after_success as _after_success
from tests.sensor_city import execute as _execute
from tests.sensor_city import setup as _setup
from tests.sensor_city import tick as _tick


@pytest.mark.slow
def test_file_drop_sensor_tick_run_publish(sensor_city):
    """The session's `sensor_city` (tests/sensor_city.py): the Musterstadt files dropped
    into an empty landing folder, one tick, its `laden` run, the chained `aufbereitung`."""
    from pipelines.defs.ingest.assets import PERIOD_ASSET
    from pipelines.deliveries.registry import ALL_KINDS

    s = sensor_city
    landing, paths, defs, instance = s.landing, s.paths, s.defs, s.instance
    first, tick = s.first, s.tick
    assert first.skip_message and not first.run_requests  # nothing dropped yet

    [load] = tick.run_requests  # one run for every kind, not one per kind or file
    assert load.job_name == "laden"
    assert {k.to_user_string() for k in load.asset_selection} == {f"raw/{k}" for k in ALL_KINDS}
    assert load.run_config["ops"][PERIOD_ASSET]["config"]["perioden"]["sgb2"] == ["2024-12"]
    assert s.loaded.success

    chained = s.chained
    assert isinstance(chained, dg.RunRequest) and chained.job_name == "aufbereitung"
    assert chained.asset_selection is None  # the first build: the whole job
    assert s.built.success
    assert paths.publish_db.exists()
    assert query(paths.publish_db, "select count(*) from indikatoren")[0][0] > 0
    done = query(paths.warehouse_db, "select count(*) from audit.loads where status = 'geladen'")
    assert done[0][0] >= 10
    # after the build the sensor records what it was built from, as `run` does
    noted = s.noted
    assert isinstance(noted, dg.SkipReason) and "vermerkt" in noted.skip_message
    assert (paths.root / ".aufbereitung_stand").exists()
    # a load run of nothing new (a start by hand in the UI): no build
    again_loaded = defs.resolve_job_def("referenzdaten").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )
    unchanged = _after_success(defs, instance, again_loaded)
    assert isinstance(unchanged, dg.SkipReason) and "unverändert" in unchanged.skip_message

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
    # even without the cursor (a new sensor): the warehouse holds these contents
    fresh = _tick(defs, instance)
    assert not fresh.run_requests and fresh.skip_message
    # one corrected delivery: one load run of its kind over its period
    f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n"))
    third = _tick(defs, instance, tick.cursor)
    [req] = third.run_requests
    assert req.job_name == "laden"
    assert req.asset_selection == [dg.AssetKey(["raw", "sgb2"])]
    assert req.run_config["ops"][PERIOD_ASSET]["config"] == {"perioden": {"sgb2": ["2024-12"]}}
    assert req.tags["sozialmonitor/perioden"] == "sgb2: 2024-12"


def _runs(instance) -> list[tuple]:
    """Job, assets and run config of every run of an instance, oldest first."""
    records = reversed(instance.get_run_records())
    return [
        (
            r.dagster_run.job_name,
            sorted(k.to_user_string() for k in r.dagster_run.asset_selection or ()),
            r.dagster_run.run_config,
        )
        for r in records
    ]


@pytest.mark.slow
def test_run_and_sensor_start_the_same_runs(example_city, ba_total_city, tmp_path):
    """One corrected month delivered (the December SGB II table with the BA's total row):
    `sozialmonitor run` (the session's `ba_total_city`) and the UI's sensor chain (here, on
    another copy of `example_city`) start the same jobs with the same assets and run config
    (one `laden`, one `aufbereitung` of the monthly path), and both record the same stamp;
    on a warehouse `run` built, the sensor finds nothing to load."""
    from pipelines.runner import prepare_dagster_home
    from pipelines.warehouse.files import WarehousePaths

    landing, warehouse = tmp_path / "sensor" / "landing", tmp_path / "sensor" / "warehouse"
    shutil.copytree(example_city.landing, landing)
    shutil.copytree(example_city.warehouse, warehouse, symlinks=True)
    copies = {
        "befehl": (ba_total_city.landing, ba_total_city.warehouse),
        "sensor": (landing, warehouse),
    }
    change = add_ba_total_row

    landing, warehouse = copies["befehl"]
    outcome = ba_total_city.outcome
    assert outcome.exit_code == 0, outcome.failed_steps
    assert outcome.scope == {"arten": ["sgb2"], "tests_ab_periode": "2024-12-31"}
    prepare_dagster_home(WarehousePaths(warehouse))  # that warehouse's Dagster instance
    by_command = _runs(dg.DagsterInstance.get())[-len(outcome.run_ids) :]
    assert [r[0] for r in by_command] == ["laden", "aufbereitung"]
    # a daemon watching this warehouse leaves the command's runs alone: it built itself
    from pipelines.definitions import build_defs
    from pipelines.defs.resources import Sozialmonitor

    resource = Sozialmonitor(landing_dir=str(landing), warehouse_dir=str(warehouse))
    command_defs = build_defs(resource)
    ignored = _after_success(command_defs, dg.DagsterInstance.get(), outcome.run_ids[0])
    assert isinstance(ignored, dg.SkipReason) and "sozialmonitor run" in ignored.skip_message

    landing, warehouse = copies["sensor"]
    from pipelines.defs.resources import resource_from_env
    from pipelines.runner import set_environment

    paths = WarehousePaths(warehouse)
    set_environment(landing, paths, None)
    prepare_dagster_home(paths)
    defs, instance = build_defs(resource_from_env()), dg.DagsterInstance.get()
    idle = _tick(defs, instance)
    assert not idle.run_requests, idle.run_requests  # `run` loaded it: the same decision
    change(landing)
    [load] = _tick(defs, instance, idle.cursor).run_requests
    loaded = _execute(defs, instance, load)
    assert loaded.success
    build = _after_success(defs, instance, loaded)
    assert isinstance(build, dg.RunRequest), build
    built = _execute(defs, instance, build)
    assert built.success
    _after_success(defs, instance, built)
    by_sensor = _runs(instance)[-2:]

    assert [r[0] for r in by_command] == ["laden", "aufbereitung"]
    assert by_sensor == by_command
    assert by_sensor[1][1] and "marts/indikatoren" in by_sensor[1][1]  # the monthly path
    stamps = [
        (w / ".aufbereitung_stand").read_text(encoding="utf-8")
        for w in (copies["befehl"][1], copies["sensor"][1])
    ]
    assert stamps[0] == stamps[1]


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


def test_schedules_load_what_changed_in_their_cycle(tmp_path):
    """A schedule starts one `laden` over the reference data and its cycle's kinds, decided
    like the sensor and `run` (content against the warehouse); nothing new: no run."""
    import datetime

    from pipelines.defs.schedules import CYCLE_TAG, CYCLES
    from pipelines.deliveries.registry import REFERENCE_KINDS

    landing, _paths, defs, instance = _setup(tmp_path)
    when = datetime.datetime(2025, 4, 1, 6)
    for name in ("monatlich", "jaehrlich"):
        schedule = defs.get_schedule_def(name)
        assert schedule.job_name == "laden"
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=defs.resources
        ) as ctx:
            empty = schedule.evaluate_tick(ctx)
        assert not empty.run_requests and empty.skip_message
    shutil.copytree(EXAMPLES, landing, dirs_exist_ok=True)
    for name in ("monatlich", "jaehrlich"):
        schedule = defs.get_schedule_def(name)
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=defs.resources
        ) as ctx:
            [req] = schedule.evaluate_tick(ctx).run_requests
        assert req.tags[CYCLE_TAG] == name
        assert {k.to_user_string() for k in req.asset_selection} == {
            f"raw/{k}" for k in [*REFERENCE_KINDS, *CYCLES[name]]
        }


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


def test_weekly_job_runs_every_dbt_test_on_every_row(example_city, tmp_path, monkeypatch):
    """The schedule `woechentlich` starts `pruefung`: every dbt data test (singular ones
    included) on every row, no model rebuilt. The monthly path tests only the rows from the
    changed month on, so a duplicate row in an old period passes it; the weekly job finds
    it, even when a monthly run left its start date in the process's environment."""
    import datetime
    import json

    from pipelines.definitions import build_defs
    from pipelines.defs.dbt.assets import TESTS_FROM_ENV
    from pipelines.defs.resources import resource_from_env
    from pipelines.defs.schedules import TEST_JOB, WEEKLY
    from pipelines.runner import prepare_dagster_home, set_environment
    from pipelines.warehouse.files import WarehousePaths

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    shutil.copytree(example_city.landing, landing)
    shutil.copytree(example_city.warehouse, warehouse, symlinks=True)
    paths = WarehousePaths(warehouse)
    set_environment(landing, paths, None)
    prepare_dagster_home(paths)
    defs, instance = build_defs(resource_from_env()), dg.DagsterInstance.get()
    schedule = defs.get_schedule_def(WEEKLY)
    assert schedule.job_name == TEST_JOB
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING

    def tick():
        when = datetime.datetime(2025, 3, 2, 2)
        with dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=defs.resources
        ) as ctx:
            return schedule.evaluate_tick(ctx).run_requests

    def weekly():
        [request] = tick()
        return defs.resolve_job_def(TEST_JOB).execute_in_process(
            instance=instance, run_config=request.run_config, tags=request.tags,
            raise_on_error=False,
        )  # fmt: skip

    job = defs.resolve_job_def(TEST_JOB)
    dbt_checks = {
        key
        for a in defs.get_repository_def().assets_defs_by_key.values()
        if a.is_executable and a.node_def.name == "dbt_modelle"
        for key in a.check_keys
    }
    assert job.asset_layer.selected_asset_keys == set()  # no model is rebuilt
    import duckdb

    periods = [
        r[0]
        for r in query(
            paths.warehouse_db, "select distinct periode from marts.basiszahlen order by 1"
        )
    ]
    built_before = query(paths.warehouse_db, "select count(*) from marts.basiszahlen")[0][0]

    # a duplicate row in the oldest period: only a test on every row sees it
    con = duckdb.connect(str(paths.warehouse_db))
    try:
        con.execute(
            "insert into marts.basiszahlen select * from marts.basiszahlen "
            "where periode = ? limit 1",
            [periods[0]],
        )
    finally:
        con.close()
    monkeypatch.setenv(TESTS_FROM_ENV, periods[-1].isoformat())  # left by a monthly run
    result = weekly()
    assert not result.success
    # dbt ran every test (the singular ones too), and only tests
    ran = json.loads((warehouse / "dbt_ziel" / "run_results.json").read_text("utf-8"))["results"]
    assert {r["unique_id"].split(".")[0] for r in ran} == {"test"}
    assert len(ran) == len(dbt_checks)
    assert any(r["unique_id"].endswith(".basiszahlen_summen_konsistent") for r in ran)
    broken = [r["unique_id"] for r in ran if r["status"] == "fail"]
    assert any(".unique_combination_basiszahlen_" in b for b in broken), broken
    failed_checks = {
        e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed
    }
    assert any(n.startswith("unique_combination_basiszahlen") for n in failed_checks)
    compiled = warehouse / "dbt_ziel" / "compiled"
    assert not [
        p.name for p in compiled.rglob("*.sql") if "periode >= date" in p.read_text("utf-8")
    ]  # no test filtered to the recent periods
    # no model rebuilt: the duplicate is still there
    rows = query(paths.warehouse_db, "select count(*) from marts.basiszahlen")[0][0]
    assert rows == built_before + 1
