"""`sozialmonitor run`: every asset on whatever lies in the landing folder, in-process.

At most two Dagster runs of the defined jobs, the ones the UI's sensor starts, decided by
the same functions (pipelines/defs/plan.py): one `laden` over the reference data and the
periods whose content changed, then one `aufbereitung` (dbt, publish, report), whole or
only what depends on the changed periods, or none when nothing changed. The Dagster
instance lives in the warehouse folder, so the UI shows these runs and their checks.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipelines.defs import plan as planning
from pipelines.defs.ingest.inventory import CLI_RUN_TAG
from pipelines.defs.resources import Sozialmonitor, report_pdf_from_env
from pipelines.deliveries import inventory
from pipelines.deliveries.landing import LandingError, discover
from pipelines.deliveries.registry import ALL_KINDS, PERIOD_KINDS
from pipelines.operator import OperatorError, disk_full_message, explain_error_info, probe_writable
from pipelines.warehouse.audit import write_inventory
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.lock import writer_lock
from pipelines.warehouse.store import init_warehouse

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REJECTED = 3


@dataclass
class RunOutcome:
    exit_code: int
    run_ids: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    rejected_files: list[tuple[str, str]] = field(default_factory=list)
    # near misses: files that resemble a delivery but are none (misnamed, misplaced)
    near_misses: list[tuple[str, str]] = field(default_factory=list)
    # every file of the landing folder and what this run made of it (audit.eingang)
    files: list = field(default_factory=list)
    lauf_id: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per run
    skipped: list[str] = field(default_factory=list)
    # the monthly path: the kinds whose changes the downstream run built, and the earliest
    # changed period its data tests checked from (None: a complete build)
    scope: dict | None = None


def prepare_dagster_home(paths: WarehousePaths) -> Path:
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    text = cfg.read_text(encoding="utf-8")
    missing = []
    if "run_queue:" not in text:
        # runs from the UI, the sensor and the schedules start one at a time (each takes
        # the writer lock; queued is better than waiting inside a started run)
        missing.append("run_queue:\n  max_concurrent_runs: 1\n")
    if not any(line.startswith("storage:") for line in text.splitlines()):
        # Dagster's SQLite files, one engine per file instead of one per event (a third of
        # a small city's run): pipelines/warehouse/dagster_storage.py
        from pipelines.warehouse.dagster_storage import STORAGE_YAML

        missing.append(STORAGE_YAML)
    if missing:
        with cfg.open("a", encoding="utf-8") as fh:
            fh.write("".join(missing))
    os.environ["DAGSTER_HOME"] = str(home.resolve())  # Dagster requires an absolute path
    return home


def set_environment(landing: Path, paths: WarehousePaths, config_file: Path | None) -> None:
    """The environment of the UI's code location (`sozialmonitor ui`): Dagster loads
    Definitions in its own process, which reads its settings from here once
    (`resources.resource_from_env`). `run` passes its resource directly."""
    from pipelines.defs.resources import CONFIG_ENV, LANDING_ENV, WAREHOUSE_ENV

    os.environ[LANDING_ENV] = str(landing.resolve())
    os.environ[WAREHOUSE_ENV] = str(paths.root.resolve())
    if config_file:
        os.environ[CONFIG_ENV] = str(Path(config_file).resolve())
    else:
        os.environ.pop(CONFIG_ENV, None)
    quiet_tools()


def quiet_tools() -> None:
    """No telemetry from Dagster or dbt (no network at run time)."""
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def _storage_full(exc: BaseException, paths: WarehousePaths) -> OperatorError | None:
    """SQLite reports a full disk under Dagster's run storage as a `disk I/O error` (WAL
    mode): the German line when the disk of `dagster_home` is indeed (nearly) full."""
    import shutil

    text = " ".join(str(e) for e in (exc, exc.__cause__, exc.__context__) if e)
    if "disk I/O error" not in text and "database or disk is full" not in text:
        return None
    try:
        free = shutil.disk_usage(paths.dagster_home).free
    except OSError:
        return None
    if free > 64 * 1024 * 1024:
        return None  # a real I/O error: the traceback is what is needed
    return OperatorError(disk_full_message(str(paths.dagster_home)))


def run_pipeline(
    landing: Path,
    warehouse: Path,
    config_file: Path | None = None,
    wait_seconds: float = 0.0,
    ingest_only: bool = False,
    confirm: tuple[str, ...] = (),
) -> RunOutcome:
    """`confirm`: landing files (relative paths) whose unusual volume is confirmed."""
    from pipelines.config import load_config

    config = load_config(config_file)  # fail early on a broken city config
    discovery = discover(landing, config=config)
    problem = discovery.problem()
    if problem:  # before anything is written: no empty warehouse, no report dated today
        raise LandingError(f"Eingangsordner {landing}: {problem}")
    paths = WarehousePaths(Path(warehouse)).ensure()  # also: umask 077 for this process
    quiet_tools()
    prepare_dagster_home(paths)
    key = None
    if any(ALL_KINDS[f.kind].person_level for f in discovery.files):
        from pipelines.protection.pseudonym import key_from_env

        key = key_from_env()  # person-level deliveries present: refuse to start without a key
    with writer_lock(paths.lock_file, wait_seconds):
        # an analyst's read-only connection locks the whole DuckDB file: stop now, naming
        # the program, instead of failing at the first write minutes into the run
        probe_writable(paths.warehouse_db)
        probe_writable(paths.quarantine_db)
        init_warehouse(paths.warehouse_db, paths.quarantine_db)
        if key is not None:
            from pipelines.protection.keys import verify_key_file

            verify_key_file(paths.warehouse_db, key)  # the warehouse's own key, or nothing runs
        resource = Sozialmonitor(
            landing_dir=str(landing.resolve()),
            warehouse_dir=str(paths.root.resolve()),
            config_file=str(Path(config_file).resolve()) if config_file else None,
            confirmations=list(confirm),  # confirmed files: resource config, like the folders
            report_pdf=report_pdf_from_env(),
        )
        return _run_locked(landing, paths, ingest_only, config, resource)


def _run_locked(
    landing: Path, paths: WarehousePaths, ingest_only: bool, config: dict, resource: Sozialmonitor
) -> RunOutcome:
    from pipelines.definitions import build_defs

    # the settings reach every asset as this one resource (no environment variables)
    defs = build_defs(resource)
    instance = dg.DagsterInstance.get()
    outcome = RunOutcome(EXIT_OK)
    discovery = discover(landing, config=config)

    def execute(job_name: str, asset_keys, run_config: dict, tags: dict, label: str) -> bool:
        """One run of a defined job (the jobs the UI, the sensor and the schedules start)."""
        t0 = time.perf_counter()
        try:
            result = defs.resolve_job_def(job_name).execute_in_process(
                instance=instance,
                run_config=run_config,
                tags={**tags, CLI_RUN_TAG: "run"},
                asset_selection=asset_keys,
                raise_on_error=False,
            )
        except Exception as exc:  # outside every step: Dagster's own storage failed
            full = _storage_full(exc, paths)
            if full is None:
                raise
            raise full from exc
        outcome.run_ids.append(result.run_id)
        outcome.timings[label] = time.perf_counter() - t0
        for ev in result.get_asset_check_evaluations():
            if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
                outcome.failed_checks.append(f"{ev.asset_key.to_user_string()}:{ev.check_name}")
        if not result.success:
            for ev in result.get_step_failure_events():
                err = ev.step_failure_data.error
                # disk full, no permission, a file held open: one German line for the operator
                msg = (
                    (explain_error_info(err) or err.message.strip().splitlines()[0])
                    if err
                    else "unbekannter Fehler"
                )
                outcome.failed_steps.append(f"{ev.step_key}: {msg}")
        return result.success

    from pipelines.defs.ingest import progress

    results: list = []
    collect = lambda r, _seconds: results.append(r)  # noqa: E731
    progress.subscribe(collect)
    ok = True
    try:
        # one run of `laden` over what changed: the reference data if they did, and each
        # period kind over its periods whose file is not loaded as it is (new, changed,
        # refused now or before); nothing changed: no load run at all
        load = planning.load_plan(discovery, planning.loaded_state(paths))
        if load:
            ok = execute(planning.LOAD_JOB, load.asset_keys(), load.run_config(), load.tags(),
                         planning.LOAD_JOB)  # fmt: skip
    finally:
        progress.unsubscribe(collect)
    state = planning.loaded_state(paths)
    outcome.lauf_id = uuid.uuid4().hex
    outcome.files = inventory.build(discovery, results, state)
    write_inventory(paths.warehouse_db, outcome.lauf_id, outcome.files)
    decided = planning.build_plan(paths, config, state)
    if ok and decided.skip:
        outcome.skipped.append(decided.skip)
    elif not ingest_only and ok:
        # only periods of some kinds changed since the last complete build: build what
        # depends on those kinds, test the rows from the earliest changed period on
        outcome.scope = decided.scope
        keys = decided.asset_keys(defs.get_repository_def())
        ok = execute(planning.BUILD_JOB, keys, decided.run_config(), decided.tags(),
                     planning.BUILD_JOB) and ok  # fmt: skip
        if ok and not outcome.failed_checks:
            planning.record_build(paths, config)
    outcome.rejected_files = [
        (e.relpath, f"{e.reason}: {e.message}")
        for e in outcome.files
        if e.status == inventory.REFUSED
    ]
    outcome.near_misses = [
        (e.relpath, e.describe()) for e in outcome.files if e.status == inventory.NOT_DELIVERY
        and e.resembles
    ]  # fmt: skip
    if not ok or outcome.failed_checks:
        outcome.exit_code = EXIT_FAILED
    elif outcome.rejected_files or outcome.near_misses:
        outcome.exit_code = EXIT_REJECTED
    return outcome


__all__ = ["PERIOD_KINDS", "RunOutcome", "run_pipeline"]
