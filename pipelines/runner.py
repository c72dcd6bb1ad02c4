"""`sozialmonitor run`: every asset on whatever lies in the landing folder, in-process.

Runs are ordered so that one writer touches the warehouse at a time: reference data,
then each delivery kind over all its periods (one run per kind), then dbt, publish and
the report. The Dagster instance lives in the warehouse folder, so the UI shows
these runs and their checks.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.deliveries import ALL_KINDS, PERIOD_KINDS
from pipelines.deliveries.landing import discover
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
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per run
    skipped: list[str] = field(default_factory=list)


def prepare_dagster_home(paths: WarehousePaths) -> Path:
    home = paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home.resolve())  # Dagster requires an absolute path
    return home


def set_environment(landing: Path, paths: WarehousePaths, config_file: Path | None) -> None:
    from pipelines.defs.dbt.assets import DB_ENV
    from pipelines.defs.resources import CONFIG_ENV, LANDING_ENV, WAREHOUSE_ENV

    os.environ[LANDING_ENV] = str(landing.resolve())
    os.environ[WAREHOUSE_ENV] = str(paths.root.resolve())
    os.environ[DB_ENV] = str(paths.warehouse_db.resolve())
    if config_file:
        os.environ[CONFIG_ENV] = str(Path(config_file).resolve())
    else:
        os.environ.pop(CONFIG_ENV, None)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def run_pipeline(
    landing: Path,
    warehouse: Path,
    config_file: Path | None = None,
    wait_seconds: float = 0.0,
    ingest_only: bool = False,
) -> RunOutcome:
    paths = WarehousePaths(Path(warehouse)).ensure()
    set_environment(landing, paths, config_file)
    prepare_dagster_home(paths)
    from pipelines.config import load_config

    config = load_config(config_file)  # fail early on a broken city config
    if any(ALL_KINDS[f.kind].person_level for f in discover(landing, config=config).files):
        from pipelines.protection.pseudonym import key_from_env

        key_from_env()  # person-level deliveries present: refuse to start without a key
    with writer_lock(paths.lock_file, wait_seconds):
        init_warehouse(paths.warehouse_db, paths.quarantine_db)
        return _run_locked(landing, paths, ingest_only, config)


def _run_locked(
    landing: Path, paths: WarehousePaths, ingest_only: bool, config: dict
) -> RunOutcome:
    from pipelines.definitions import build_defs
    from pipelines.defs.ingest.assets import PARTITIONS, REFERENCE_KEYS
    from pipelines.defs.resources import resource_from_env

    defs = build_defs(resource_from_env())
    instance = dg.DagsterInstance.get()
    all_assets = list(defs.assets or [])
    resources = defs.resources or {}
    outcome = RunOutcome(EXIT_OK)
    discovery = discover(landing, config=config)

    def execute(selection, tags=None, label="") -> bool:
        t0 = time.perf_counter()
        result = dg.materialize(
            all_assets,
            selection=selection,
            instance=instance,
            resources=resources,
            tags=tags or {},
            run_config=QUIET_RUN_CONFIG,
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
                msg = err.message.strip() if err else "unbekannter Fehler"
                outcome.failed_steps.append(f"{ev.step_key}: {msg}")
        return result.success

    ok = execute(dg.AssetSelection.assets(*REFERENCE_KEYS), label="referenz")
    state = _loaded_state(paths)
    changed = False
    for kind_name, pdef in PARTITIONS.items():
        # only periods whose file is new, changed or newly refused: one more month
        # delivered is a run over one partition, not over the whole series
        keys = _changed_periods(kind_name, discovery, state)
        if keys is None:
            continue  # every file of this kind is loaded as it is: no Dagster run needed
        changed = True
        if not keys:
            continue  # only refusals without a period: logged by the reference run
        known = set(instance.get_dynamic_partitions(pdef.name))
        new = [k for k in sorted(keys) if k not in known]
        if new:
            instance.add_dynamic_partitions(pdef.name, new)
        stored = instance.get_dynamic_partitions(pdef.name)
        positions = [i for i, k in enumerate(stored) if k in keys]
        # a run takes a contiguous range of partitions; unchanged files inside it are
        # recognised by their hash and left as they are
        tags = {
            "dagster/asset_partition_range_start": stored[positions[0]],
            "dagster/asset_partition_range_end": stored[positions[-1]],
        }
        selection = dg.AssetSelection.assets(dg.AssetKey(["raw", kind_name]))
        ok = execute(selection, tags, label=kind_name) and ok
    stamp = _build_stamp(config)
    if not changed and ok and _stamp_matches(paths, stamp, state):
        outcome.skipped.append("aufbereitung: Daten, Konfiguration und Code unverändert")
    elif not ingest_only and ok:
        downstream = dg.AssetSelection.all() - dg.AssetSelection.groups("landing", "raw")
        ok = execute(downstream, label="aufbereitung") and ok
        if ok and not outcome.failed_checks:
            _write_stamp(paths, stamp, _loaded_state(paths))
    outcome.rejected_files = _rejections(paths, outcome.run_ids)
    if not ok or outcome.failed_checks:
        outcome.exit_code = EXIT_FAILED
    elif outcome.rejected_files:
        outcome.exit_code = EXIT_REJECTED
    return outcome


def _loaded_state(paths: WarehousePaths) -> dict:
    """What the warehouse holds: current sha per (kind, period), refused files, reference shas."""
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        current = con.execute(
            """select quelle, periode, arg_max(sha256, beendet_am) from audit.loads
               where status in ('geladen', 'ersetzt') group by 1, 2"""
        ).fetchall()
        refused = con.execute(
            "select distinct quelle, datei, sha256 from audit.loads where status = 'abgewiesen'"
        ).fetchall()
    finally:
        con.close()
    return {
        "current": {(q, p): sha for q, p, sha in current},
        "refused": {(q, d) for q, d, _ in refused},
        "refused_sha": {(q, d, sha) for q, d, sha in refused},
    }


def _changed_periods(kind_name: str, discovery, state: dict) -> set[str] | None:
    """Period keys of `kind_name` that need loading; None if nothing of the kind changed.

    An empty set means only refusals without a period are new (the reference run logs them).
    """
    keys = {
        f.period.key
        for f in discovery.by_kind(kind_name)
        if state["current"].get((kind_name, f.period.key)) != f.sha256()
        # these very bytes were rejected before: the audit says so already
        and (kind_name, f.relpath, f.sha256()) not in state["refused_sha"]
    }
    new_refusals = [
        r for r in discovery.refused
        if r.kind == kind_name and (r.kind, r.relpath) not in state["refused"]
    ]  # fmt: skip
    keys |= {r.period_key for r in new_refusals if r.period_key}
    if not keys and not new_refusals:
        return None
    return keys


def _build_stamp(config: dict) -> str:
    import hashlib
    import json

    from pipelines.deliveries.load import code_version

    text = json.dumps(config, sort_keys=True, default=str) + "|" + code_version()
    return hashlib.sha256(text.encode()).hexdigest()


def _stamp_file(paths: WarehousePaths) -> Path:
    return paths.root / ".aufbereitung_stand"


def _state_digest(state: dict) -> str:
    import hashlib

    items = sorted(f"{k[0]}|{k[1]}|{v}" for k, v in state["current"].items())
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def _stamp_matches(paths: WarehousePaths, stamp: str, state: dict) -> bool:
    f = _stamp_file(paths)
    return (
        paths.publish_db.exists()
        and f.exists()
        and f.read_text(encoding="utf-8").split() == [stamp, _state_digest(state)]
    )


def _write_stamp(paths: WarehousePaths, stamp: str, state: dict) -> None:
    _stamp_file(paths).write_text(f"{stamp} {_state_digest(state)}\n", encoding="utf-8")


def _rejections(paths: WarehousePaths, run_ids: list[str]) -> list[tuple[str, str]]:
    if not run_ids:
        return []
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        rows = con.execute(
            f"select datei, meldung from audit.loads where status = 'abgewiesen' and run_id in "
            f"({', '.join('?' for _ in run_ids)}) order by datei",
            run_ids,
        ).fetchall()
    finally:
        con.close()
    return [(r[0], r[1]) for r in rows]


__all__ = ["PERIOD_KINDS", "RunOutcome", "run_pipeline"]
