"""Dagster's run record in the warehouse folder (pipelines/warehouse/dagster_storage.py):
one engine per database file, Dagster's own files, the UI's live log still live."""

from __future__ import annotations

import threading

import dagster as dg
import pytest

from pipelines.warehouse import dagster_storage


@dg.asset
def eins() -> int:
    return 1


@dg.asset_check(asset=eins)
def eins_geprueft() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset
def zwei(eins: int) -> int:
    return eins + 1


DEFS = dg.Definitions(assets=[eins, zwei], asset_checks=[eins_geprueft])


def _home(tmp_path, monkeypatch, storage: str | None):
    """A warehouse folder's Dagster home as `run` prepares it; `storage` replaces ours."""
    from pipelines.runner import prepare_dagster_home
    from pipelines.warehouse.files import WarehousePaths

    paths = WarehousePaths(tmp_path / "warehouse")
    if storage is not None:
        paths.dagster_home.mkdir(parents=True)
        (paths.dagster_home / "dagster.yaml").write_text(storage, encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", "")  # prepare_dagster_home sets it
    return prepare_dagster_home(paths)


def _run(instance) -> str:
    result = DEFS.get_implicit_global_asset_job_def().execute_in_process(instance=instance)
    assert result.success
    return result.run_id


def test_run_writes_through_one_engine_per_database(tmp_path, monkeypatch):
    import sqlalchemy

    engines, connects = set(), []

    def seen(connection):
        engines.add(id(connection.engine))
        connects.append(1)

    home = _home(tmp_path, monkeypatch, None)
    assert "WarehouseSqliteStorage" in (home / "dagster.yaml").read_text(encoding="utf-8")
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, dagster_storage.EngineCachingEventLogStorage)
        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "engine_connect", seen)
        try:
            run_id = _run(instance)
        finally:
            sqlalchemy.event.remove(sqlalchemy.engine.Engine, "engine_connect", seen)
        events = instance.all_logs(run_id)
        assert len(events) > 20  # planned, started, materialised, checked, ...
        assert instance.get_latest_materialization_event(dg.AssetKey("zwei")) is not None
    # a connection per use, as Dagster's; but the run's shard, the index and the run
    # storage an engine each (Dagster's own storage: one engine per connection)
    assert len(connects) > 50, len(connects)
    assert len(engines) <= 4, (len(engines), len(connects))


@pytest.mark.parametrize("first", ["dagster", "ours"])
def test_the_files_are_dagsters_own_either_way(tmp_path, monkeypatch, first):
    """A run record written by Dagster's default SQLite storage reads with ours (a
    warehouse folder from before), and one written with ours reads with Dagster's."""
    default = "storage:\n  sqlite:\n    base_dir:\n      env: DAGSTER_HOME\n"
    ours = dagster_storage.STORAGE_YAML
    home = _home(tmp_path, monkeypatch, default if first == "dagster" else ours)
    with dg.DagsterInstance.get() as instance:
        run_id = _run(instance)
        written = [e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event]
    (home / "dagster.yaml").write_text(ours if first == "dagster" else default, encoding="utf-8")
    with dg.DagsterInstance.get() as instance:
        assert isinstance(
            instance.event_log_storage, dagster_storage.EngineCachingEventLogStorage
        ) == (first == "dagster")
        read = [e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event]
        assert read == written
        assert instance.get_run_by_id(run_id).is_success
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("eins"), "eins_geprueft")]
        )
        assert check, "the asset check's evaluation is in the index"
        _run(instance)  # and writes on


def test_the_uis_live_log_sees_new_events(tmp_path, monkeypatch):
    """The UI follows a running run by watching its log file: each event must reach it."""
    _home(tmp_path, monkeypatch, None)
    with dg.DagsterInstance.get() as instance:
        run_id = _run(instance)
        storage = instance.event_log_storage
        seen, arrived = [], threading.Event()

        def callback(event, _cursor):
            seen.append(event)
            arrived.set()

        cursor = storage.get_records_for_run(run_id).cursor
        storage.watch(run_id, cursor, callback)
        try:
            instance.report_engine_event("nach dem Lauf", instance.get_run_by_id(run_id))
            assert arrived.wait(10), "the watcher saw nothing"
            assert any("nach dem Lauf" in (e.message or "") for e in seen)
        finally:
            storage.end_watch(run_id, callback)
