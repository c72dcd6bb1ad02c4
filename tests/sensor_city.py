"""Musterstadt dropped into an empty landing folder and built by the Dagster sensors, not by
`sozialmonitor run`: the landing sensor's tick, the `laden` run it requests, the
`aufbereitung` run `nach_dem_laden` chains to it, all real runs of the project's jobs.

Built once per session (fixture `sensor_city` in tests/conftest.py) and used twice: by
tests/robustness/test_dagster_jobs.py (the sensor chain itself) and, as the second build of
the same deliveries from an empty warehouse, by tests/publish/test_publish.py (bit-identical
to `example_city`'s, read by a BI client in its own process all along).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}

# a BI client (SQLAlchemy + duckdb-engine, in its own process like Superset or Metabase)
READER = """
import json, sys, time
from pathlib import Path
from sqlalchemy import create_engine, text

db, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
reads, errors = [], []
while not stop.exists():
    if not db.exists():
        time.sleep(0.05)
        continue
    try:
        engine = create_engine(f"duckdb:///{db}", connect_args={"read_only": True})
        with engine.connect() as c:
            n_tables = c.execute(text("select count(*) from information_schema.tables")).scalar()
            n = c.execute(text("select count(*) from indikatoren")).scalar()
            n_wide = c.execute(text("select count(*) from indikatoren_breit")).scalar()
            reads.append([n_tables, n, n_wide])
        engine.dispose()
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
out.write_text(json.dumps({"reads": reads, "errors": errors}))
"""


def setup(tmp_path: Path):
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


def tick(defs, instance, cursor=None):
    """One evaluation of `eingangsordner` as the daemon makes it (resources of the Definitions)."""
    from pipelines.defs.sensors import eingangsordner

    with dg.build_sensor_context(
        instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
    ) as ctx:
        return eingangsordner.evaluate_tick(ctx)


def execute(defs, instance, request: dg.RunRequest):
    """Launch a request as the daemon would: its job, assets, run config and tags."""
    job = defs.resolve_job_def(request.job_name)
    return job.execute_in_process(
        instance=instance,
        tags=request.tags,
        run_config=request.run_config or QUIET,
        asset_selection=request.asset_selection,
        raise_on_error=False,
    )


def after_success(defs, instance, result):
    """Evaluate `nach_dem_laden` as the daemon would for this finished run (or run id)."""
    from pipelines.defs.sensors import nach_dem_laden

    run_id = result if isinstance(result, str) else result.run_id
    run = instance.get_run_by_id(run_id)
    event = next(
        e.dagster_event
        for e in instance.all_logs(run_id)
        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.RUN_SUCCESS
    )
    with dg.build_run_status_sensor_context(
        sensor_name="nach_dem_laden", dagster_event=event, dagster_instance=instance,
        dagster_run=run, repository_def=defs.get_repository_def(), resources=defs.resources,
    ) as ctx:  # fmt: skip
        return nach_dem_laden(ctx)


@dataclass
class SensorBuilt:
    landing: Path
    paths: object  # WarehousePaths
    defs: object
    instance: object
    first: object  # tick on the empty folder
    tick: object  # tick after the drop
    loaded: object  # result of the requested `laden` run
    chained: object  # what `nach_dem_laden` requested after it
    built: object  # result of that `aufbereitung` run
    noted: object  # what `nach_dem_laden` said after the build
    reads: list  # the BI client's reads during the build and the swaps
    reader_errors: list
    systems: dict  # disclosure systems of the last of three republishes

    @property
    def warehouse(self) -> Path:
        return self.paths.root


def build(examples: Path, tmp_path: Path) -> SensorBuilt:
    """The offices drop the Musterstadt files; the sensors build them while a BI client reads;
    then the publish zone is swapped three times more (unchanged marts) under the client."""
    from pipelines.config import load_config
    from pipelines.publish.write import write_publish

    landing, paths, defs, instance = setup(tmp_path)
    first = tick(defs, instance)
    ctl = tmp_path / "reader"
    ctl.mkdir()
    script = ctl / "reader.py"
    script.write_text(READER, encoding="utf-8")
    reader = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(paths.publish_db),
            str(ctl / "stop"),
            str(ctl / "out.json"),
        ]
    )
    try:
        for src in examples.iterdir():  # the offices drop their files
            shutil.copytree(src, landing / src.name) if src.is_dir() else shutil.copy(src, landing)
        dropped = tick(defs, instance, first.cursor)
        [load] = dropped.run_requests
        loaded = execute(defs, instance, load)
        chained = after_success(defs, instance, loaded) if loaded.success else None
        built = noted = None
        if isinstance(chained, dg.RunRequest):
            built = execute(defs, instance, chained)
            if built.success:
                noted = after_success(defs, instance, built)
        systems = {}
        if built is not None and built.success:
            for _ in range(3):  # swap in new versions while the client keeps reading
                systems = write_publish(paths, load_config(), write_excel=False).systems
                time.sleep(0.3)
    finally:
        (ctl / "stop").write_text("stop")
        reader.wait(60)
    result = json.loads((ctl / "out.json").read_text())
    return SensorBuilt(
        landing, paths, defs, instance, first, dropped, loaded, chained, built, noted,
        [tuple(r) for r in result["reads"]], result["errors"], systems,
    )  # fmt: skip
