"""What a run must do: decided once here for `sozialmonitor run`, the sensors and the schedules.

Two decisions, both from content, never from file size or time:

- **the load** (`load_plan`): which (kind, period) needs a load, from each file's sha256
  against what the warehouse holds (`audit.loads`), and whether the reference data do. It
  becomes one run of the job `laden` (`load_request`): the raw assets of the changed kinds,
  their periods as run config.
- **the build** (`build_plan`): after the loads, whether `aufbereitung` runs at all, and
  whether whole or only what depends on the changed periods (the monthly path), against the
  stamp of the last complete build (`.aufbereitung_stand`). It becomes one run of the job
  `aufbereitung` (`build_request`) with the same selection and run config everywhere.
  `record_build` writes the stamp after that run succeeded, whoever started it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.ingest.assets import PERIOD_ASSET, PERIOD_KEYS, REFERENCE_KEYS
from pipelines.defs.ingest.requests import file_signature
from pipelines.deliveries.registry import PERIOD_KINDS, REFERENCE_KINDS
from pipelines.warehouse.audit import current_sha256
from pipelines.warehouse.files import WarehousePaths

LOAD_JOB = "laden"
BUILD_JOB = "aufbereitung"
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
# run tags: the UI's run list shows what a run was for without opening it
PERIODS_TAG = "sozialmonitor/perioden"
FILES_TAG = "sozialmonitor/dateien"
SCOPE_TAG = "sozialmonitor/umfang"
TAG_LIMIT = 200  # characters of a tag value; the materializations list every file


def loaded_state(paths: WarehousePaths) -> dict[tuple[str, str], str]:
    """What the warehouse holds: the current sha256 per (kind, period); nothing before the
    first run. A writer holding the file raises duckdb.IOException (the sensor skips)."""
    if not paths.warehouse_db.exists():
        return {}
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        return current_sha256(con)
    except duckdb.CatalogException:  # created, not initialised yet
        return {}
    finally:
        con.close()


# ---------------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class LoadPlan:
    """The reference run (True/False) and the period keys per period kind to load; `files`:
    (relpath, sha256) of every file the plan covers (the sensor's cursor)."""

    reference: bool = False
    periods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return self.reference or bool(self.periods)

    def asset_keys(self) -> list[dg.AssetKey]:
        keys = list(REFERENCE_KEYS) if self.reference else []
        return keys + [PERIOD_KEYS[k] for k in PERIOD_KINDS if k in self.periods]

    def run_config(self) -> dict:
        if not self.periods:
            return dict(QUIET_RUN_CONFIG)
        perioden = {k: list(v) for k, v in self.periods.items()}
        return {**QUIET_RUN_CONFIG, "ops": {PERIOD_ASSET: {"config": {"perioden": perioden}}}}

    def tags(self) -> dict[str, str]:
        parts = (["Referenzdaten"] if self.reference else []) + [
            f"{k}: {_span(v)}" for k, v in self.periods.items()
        ]
        return {PERIODS_TAG: _cut("; ".join(parts)), FILES_TAG: str(len(self.files))}

    def digest(self) -> str:
        text = "\n".join(f"{rel}:{sha}" for rel, sha in sorted(self.files))
        text += "\n" + json.dumps(
            [self.reference, sorted(self.periods.items())], sort_keys=True, default=list
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def only(self, kinds, reference: bool = True) -> LoadPlan:
        """The part of the plan for `kinds` (a schedule's cycle)."""
        periods = {k: v for k, v in self.periods.items() if k in set(kinds)}
        return LoadPlan(self.reference and reference, periods, self.files)


def _span(keys: tuple[str, ...]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]} … {keys[-1]} ({len(keys)})"


def _cut(text: str) -> str:
    return text if len(text) <= TAG_LIMIT else text[: TAG_LIMIT - 1] + "…"


def load_plan(
    discovery, state: dict[tuple[str, str], str], already: dict[str, str] | None = None
) -> LoadPlan:
    """Which (kind, period) needs a load: the file's sha256 differs from the one the
    warehouse holds for it (new or changed), or the file is refused now (its refusal is
    decided again from the folder as it is: its twin since deleted, its date since come,
    its volume since confirmed). Reference data load when a reference file changed or a
    file without a period is refused (the reference run logs those).

    `already` (relpath -> signature): files requested before with this content (the
    sensor's cursor), not requested again; `run` passes nothing and decides every file."""
    already = already or {}
    files: list[tuple[str, str]] = []
    periods: dict[str, set[str]] = {}
    reference = False
    for f in discovery.files:
        sha = file_signature(f.path)  # its sha256 (cached), or why it cannot be read
        if state.get((f.kind, f.period.key)) == sha or already.get(f.relpath) == sha:
            continue
        files.append((f.relpath, sha))
        if f.kind in REFERENCE_KINDS:
            reference = True
        else:
            periods.setdefault(f.kind, set()).add(f.period.key)
    for r in discovery.refused:
        sig = file_signature(r.path)
        if already.get(r.relpath) == sig:
            continue
        files.append((r.relpath, sig))
        if r.kind in PERIOD_KINDS and r.period_key:
            periods.setdefault(r.kind, set()).add(r.period_key)
        else:  # reference kinds, `reference/…` and files without a period
            reference = True
    ordered = {k: tuple(sorted(periods[k])) for k in PERIOD_KINDS if k in periods}
    return LoadPlan(reference, ordered, tuple(sorted(files)))


def load_request(plan: LoadPlan, run_key: str, tags: dict | None = None) -> dg.RunRequest:
    """The one run of `laden` for a plan (the sensor, a schedule)."""
    return dg.RunRequest(
        run_key=run_key,
        job_name=LOAD_JOB,
        asset_selection=plan.asset_keys(),
        run_config=plan.run_config(),
        tags={**plan.tags(), **(tags or {})},
    )


# --------------------------------------------------------------------------------- the build

STAMP_FILE = ".aufbereitung_stand"


@dataclass
class BuildPlan:
    """`skip`: why nothing is built (None: build). `kinds`/`since`: the monthly path (None:
    everything, every test on every row)."""

    skip: str | None = None
    kinds: tuple[str, ...] | None = None
    since: str | None = None
    stamp: str = ""

    @property
    def scope(self) -> dict | None:
        if self.kinds is None:
            return None
        return {"arten": list(self.kinds), "tests_ab_periode": self.since}

    def selection(self, assets_defs) -> dg.AssetSelection:
        if self.kinds is None:
            return everything_after_raw()
        return depending_on(assets_defs, set(self.kinds))

    def asset_keys(self, repository: dg.RepositoryDefinition) -> list[dg.AssetKey] | None:
        """The assets of the run; None: the whole job."""
        if self.kinds is None:
            return None
        graph = repository.asset_graph
        selected = self.selection(list(repository.assets_defs_by_key.values()))
        return sorted(selected.resolve(graph), key=lambda k: k.to_user_string())

    def run_config(self) -> dict:
        if self.kinds is None:
            return dict(QUIET_RUN_CONFIG)
        return {
            **QUIET_RUN_CONFIG,
            "ops": {"dbt_modelle": {"config": {"tests_ab_periode": self.since}}},
        }

    def tags(self) -> dict[str, str]:
        if self.kinds is None:
            return {SCOPE_TAG: "vollständig"}
        return {SCOPE_TAG: f"{', '.join(self.kinds)} ab {self.since}"}


def everything_after_raw() -> dg.AssetSelection:
    return dg.AssetSelection.all() - dg.AssetSelection.groups("landing", "raw")


def depending_on(assets_defs, kinds: set[str]) -> dg.AssetSelection:
    """The dbt models built from the raw tables of `kinds`, and the assets after dbt.

    Selected in dbt's own graph (`source:raw.<kind>+`), not Dagster's: there every count
    model also depends on every ingestion asset through the load log, which each count model
    reads for its own kind only (macro perioden_mit_stand), so one more SGB II month would
    select all models."""
    from dagster_dbt import build_dbt_asset_selection

    dbt_defs = list(
        {
            id(a): a for a in assets_defs if a.is_executable and a.node_def.name == "dbt_modelle"
        }.values()
    )
    select = " ".join(f"source:raw.{PERIOD_KINDS[k].table}+" for k in sorted(kinds))
    models = build_dbt_asset_selection(dbt_defs, dbt_select=select)
    # publish writes every table as one version (one asset, not subsettable), the report
    # and the atlas read it: they run whole
    after = everything_after_raw()
    return models | (after - dg.AssetSelection.assets(*dbt_defs))


def build_stamp(config: dict) -> str:
    from pipelines.deliveries.load import code_version

    text = json.dumps(config, sort_keys=True, default=str) + "|" + code_version()
    return hashlib.sha256(text.encode()).hexdigest()


def _stamp_file(paths: WarehousePaths) -> Path:
    return paths.root / STAMP_FILE


def _state_items(state: dict) -> dict[str, str]:
    return {f"{k[0]}|{k[1]}": v for k, v in sorted(state.items(), key=str)}


def read_stamp(paths: WarehousePaths) -> dict | None:
    """What the last complete downstream run was built from: the stamp of config and code,
    and the file (sha256) of every (kind, period) it saw. None: no such run (or a stamp of
    an older version, which leads to a complete build)."""
    try:
        stamp = json.loads(_stamp_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or not isinstance(stamp.get("stand"), dict):
        return None
    return stamp


def record_build(paths: WarehousePaths, config: dict, state: dict | None = None) -> None:
    """After a successful `aufbereitung` with no failed blocking check: what it was built from."""
    state = loaded_state(paths) if state is None else state
    text = json.dumps({"stempel": build_stamp(config), "stand": _state_items(state)}, indent=0)
    tmp = _stamp_file(paths).with_suffix(".neu")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, _stamp_file(paths))


def forget_build(paths: WarehousePaths) -> None:
    """The next decision builds everything (after a key change, say)."""
    _stamp_file(paths).unlink(missing_ok=True)


def build_plan(paths: WarehousePaths, config: dict, state: dict | None = None) -> BuildPlan:
    """Skip, the monthly path, or everything (docs/architecture.md, "One more month").

    Everything is built when there is no complete build to start from, the config or the
    code changed, reference data changed, or a period the last build saw is gone."""
    state = loaded_state(paths) if state is None else state
    stamp = build_stamp(config)
    previous = read_stamp(paths)
    if previous is None or previous.get("stempel") != stamp or not paths.publish_db.exists():
        return BuildPlan(stamp=stamp)
    before, now = previous["stand"], _state_items(state)
    if before == now:
        return BuildPlan(
            skip="aufbereitung: Daten, Konfiguration und Code unverändert", stamp=stamp
        )
    if set(before) - set(now):
        return BuildPlan(stamp=stamp)
    pairs = [tuple(key.split("|", 1)) for key, sha in now.items() if before.get(key) != sha]
    if any(kind not in PERIOD_KINDS for kind, _ in pairs):
        return BuildPlan(stamp=stamp)
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
        return BuildPlan(stamp=stamp)
    kinds = tuple(sorted({kind for kind, _ in pairs}))
    return BuildPlan(kinds=kinds, since=min(dates).isoformat(), stamp=stamp)


def build_request(
    plan: BuildPlan, repository: dg.RepositoryDefinition, run_key: str
) -> dg.RunRequest:
    """The one run of `aufbereitung` for a plan (the sensor after the loads)."""
    return dg.RunRequest(
        run_key=run_key,
        job_name=BUILD_JOB,
        asset_selection=plan.asset_keys(repository),
        run_config=plan.run_config(),
        tags=plan.tags(),
    )
