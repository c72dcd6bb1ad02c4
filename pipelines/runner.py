"""`sozialmonitor run`: every asset on whatever lies in the landing folder, in-process.

Runs are ordered so that one writer touches the warehouse at a time: reference data,
then each delivery kind over all its periods (one run per kind), then dbt, publish and
the report. The Dagster instance lives in the warehouse folder, so the UI shows
these runs and their checks.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.ingest.inventory import CLI_RUN_TAG
from pipelines.defs.resources import Sozialmonitor, report_pdf_from_env
from pipelines.deliveries import inventory
from pipelines.deliveries.landing import LandingError, discover
from pipelines.deliveries.registry import ALL_KINDS, PERIOD_KINDS
from pipelines.operator import explain_error_info, probe_writable
from pipelines.warehouse.audit import current_sha256, write_inventory
from pipelines.warehouse.files import WarehousePaths
from pipelines.warehouse.lock import writer_lock
from pipelines.warehouse.store import init_warehouse

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}

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
    if "run_queue:" not in cfg.read_text(encoding="utf-8"):
        # runs from the UI, the sensor and the schedules start one at a time (each takes
        # the writer lock; queued is better than waiting inside a started run)
        with cfg.open("a", encoding="utf-8") as fh:
            fh.write("run_queue:\n  max_concurrent_runs: 1\n")
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
    from pipelines.defs.ingest.assets import PARTITIONS, REFERENCE_KEYS

    # the settings reach every asset as this one resource (no environment variables)
    defs = build_defs(resource)
    instance = dg.DagsterInstance.get()
    all_assets = list(defs.assets or [])
    resources = defs.resources or {}
    outcome = RunOutcome(EXIT_OK)
    discovery = discover(landing, config=config)

    def execute(selection, tags=None, label="", run_config=QUIET_RUN_CONFIG) -> bool:
        t0 = time.perf_counter()
        result = dg.materialize(
            all_assets,
            selection=selection,
            instance=instance,
            resources=resources,
            tags={**(tags or {}), CLI_RUN_TAG: "run"},
            run_config=run_config,
            raise_on_error=False,
        )
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
    try:
        ok = _ingest(execute, instance, discovery, paths, PARTITIONS, REFERENCE_KEYS)
    finally:
        progress.unsubscribe(collect)
    state = _loaded_state(paths)
    outcome.lauf_id = uuid.uuid4().hex
    outcome.files = inventory.build(discovery, results, state["current"])
    write_inventory(paths.warehouse_db, outcome.lauf_id, outcome.files)
    stamp = _build_stamp(config)
    previous = _read_stamp(paths)
    if ok and _stamp_matches(paths, stamp, state, previous):
        outcome.skipped.append("aufbereitung: Daten, Konfiguration und Code unverändert")
    elif not ingest_only and ok:
        downstream = dg.AssetSelection.all() - dg.AssetSelection.groups("landing", "raw")
        scope = _monthly_scope(paths, stamp, state, previous)
        run_config = QUIET_RUN_CONFIG
        if scope is not None:
            # only periods of some kinds changed since the last complete build: build what
            # depends on those kinds, test the rows from the earliest changed period on
            kinds, since = scope
            downstream = _depending_on(all_assets, kinds)
            run_config = {
                **QUIET_RUN_CONFIG,
                "ops": {"dbt_modelle": {"config": {"tests_ab_periode": since}}},
            }
            outcome.scope = {"arten": sorted(kinds), "tests_ab_periode": since}
        ok = execute(downstream, label="aufbereitung", run_config=run_config) and ok
        if ok and not outcome.failed_checks:
            _write_stamp(paths, stamp, _loaded_state(paths))
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


def _ingest(execute, instance, discovery, paths, partitions, reference_keys) -> bool:
    """Reference data, then one Dagster run per delivery kind over its periods that need one."""
    from pipelines.defs.ingest.requests import partition_range

    ok = execute(dg.AssetSelection.assets(*reference_keys), label="referenz")
    state = _loaded_state(paths)
    for kind_name, pdef in partitions.items():
        # only periods whose file is not loaded as it is (new, changed, refused now or
        # before): one more month delivered is a run over one partition, not the series
        keys = _changed_periods(kind_name, discovery, state)
        if not keys:
            continue  # every file of this kind is loaded as it is: no Dagster run needed
        # a run takes a contiguous range of partitions; unchanged files inside it are
        # recognised by their hash and left as they are (the sensor's ranges alike)
        tags = partition_range(instance, pdef, keys)
        selection = dg.AssetSelection.assets(dg.AssetKey(["raw", kind_name]))
        ok = execute(selection, tags, label=kind_name) and ok
    return ok


def _depending_on(all_assets: list, kinds: set[str]) -> dg.AssetSelection:
    """The dbt models built from the raw tables of `kinds`, and the assets after dbt.

    Selected in dbt's own graph (`source:raw.<kind>+`), not Dagster's: there every count
    model also depends on every ingestion asset through the load log, which each count model
    reads for its own kind only (macro perioden_mit_stand), so one more SGB II month would
    select all models."""
    from dagster_dbt import build_dbt_asset_selection

    dbt_defs = [a for a in all_assets if getattr(a, "op", None) and a.op.name == "dbt_modelle"]
    select = " ".join(f"source:raw.{PERIOD_KINDS[k].table}+" for k in sorted(kinds))
    models = build_dbt_asset_selection(dbt_defs, dbt_select=select)
    # publish writes every table as one version (one asset, not subsettable), the report
    # and the atlas read it: they run whole
    after = dg.AssetSelection.all() - dg.AssetSelection.groups("landing", "raw")
    return models | (after - dg.AssetSelection.assets(*dbt_defs))


def _loaded_state(paths: WarehousePaths) -> dict:
    """What the warehouse holds: the current sha256 per (kind, period)."""
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        return {"current": current_sha256(con)}
    finally:
        con.close()


def _changed_periods(kind_name: str, discovery, state: dict) -> set[str]:
    """Period keys of `kind_name` whose load must be decided again in this run.

    Decided from the folder as it is, never from earlier refusals: a file refused before
    (its twin since deleted, its date since come, its content unchanged) is read again.
    Refusals without a period are logged by the reference run, which always runs.
    """
    keys = {
        f.period.key
        for f in discovery.by_kind(kind_name)
        if state["current"].get((kind_name, f.period.key)) != f.sha256()
    }
    return keys | {r.period_key for r in discovery.refused if r.kind == kind_name and r.period_key}


def _build_stamp(config: dict) -> str:
    import hashlib
    import json

    from pipelines.deliveries.load import code_version

    text = json.dumps(config, sort_keys=True, default=str) + "|" + code_version()
    return hashlib.sha256(text.encode()).hexdigest()


def _stamp_file(paths: WarehousePaths) -> Path:
    return paths.root / ".aufbereitung_stand"


def _state_items(state: dict) -> dict[str, str]:
    return {f"{k[0]}|{k[1]}": v for k, v in sorted(state["current"].items(), key=str)}


def _read_stamp(paths: WarehousePaths) -> dict | None:
    """What the last complete downstream run was built from: the stamp of config and code,
    and the file (sha256) of every (kind, period) it saw. None: no such run (or a stamp of
    an older version, which leads to a complete build)."""
    import json

    try:
        stamp = json.loads(_stamp_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or not isinstance(stamp.get("stand"), dict):
        return None
    return stamp


def _stamp_matches(paths: WarehousePaths, stamp: str, state: dict, previous: dict | None) -> bool:
    return (
        paths.publish_db.exists()
        and previous is not None
        and previous.get("stempel") == stamp
        and previous["stand"] == _state_items(state)
    )


def _write_stamp(paths: WarehousePaths, stamp: str, state: dict) -> None:
    import json

    text = json.dumps({"stempel": stamp, "stand": _state_items(state)}, indent=0)
    tmp = _stamp_file(paths).with_suffix(".neu")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, _stamp_file(paths))


def _monthly_scope(
    paths: WarehousePaths, stamp: str, state: dict, previous: dict | None
) -> tuple[set[str], str] | None:
    """(kinds, earliest reference date) when the run may build only what depends on
    changed periods; None when it builds everything.

    Everything is built when there is no complete build to start from, the config or the
    code changed, reference data changed, or a period the last build saw is gone.
    """
    if previous is None or previous.get("stempel") != stamp or not paths.publish_db.exists():
        return None
    before, now = previous["stand"], _state_items(state)
    if set(before) - set(now):
        return None
    changed = [key for key, sha in now.items() if before.get(key) != sha]
    if not changed:
        return None
    pairs = [tuple(key.split("|", 1)) for key in changed]
    if any(kind not in PERIOD_KINDS for kind, _ in pairs):
        return None
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        dates = [
            con.execute(
                """select arg_max(bezugsdatum, beendet_am) from audit.loads
                   where quelle = ? and periode = ? and status in ('geladen', 'ersetzt')""",
                [kind, period],
            ).fetchone()[0]
            for kind, period in pairs
        ]
    finally:
        con.close()
    if any(d is None for d in dates):
        return None
    return {kind for kind, _ in pairs}, min(dates).isoformat()


__all__ = ["PERIOD_KINDS", "RunOutcome", "run_pipeline"]
