"""The landing-folder sensor, and the sensor that builds marts and publish zone after a load.

`eingangsordner` starts one `laden` run for the files whose content the warehouse does not
hold (new, changed, refused), the decision of `sozialmonitor run` (pipelines/defs/plan.py);
its cursor remembers what it requested, so a refused file is not requested again until it
changes. When the last load run has succeeded, `nach_dem_laden` starts one `aufbereitung`
run with the selection and run config `sozialmonitor run` would use (nothing, the monthly
path, or everything), and after an `aufbereitung` that succeeded it records what it was
built from (the stamp the next decision compares with).
"""

import datetime
import json

import dagster as dg
import duckdb

from pipelines.defs import plan as planning
from pipelines.defs.ingest.inventory import CLI_RUN_TAG
from pipelines.defs.resources import Sozialmonitor
from pipelines.defs.schedules import LOAD_JOBS, aufbereitung, laden
from pipelines.deliveries.landing import discover

PENDING = [
    dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]  # fmt: skip
# the runs after which `nach_dem_laden` decides (loads: build; a build: record its stamp)
MONITORED_JOBS = [*LOAD_JOBS, aufbereitung]
BUSY = "Das Warehouse wird gerade geschrieben; der nächste Takt versucht es wieder"


@dg.sensor(
    name="eingangsordner",
    minimum_interval_seconds=120,
    description="Neue oder geänderte Dateien im Eingangsordner laden (ein Lauf `laden` für "
    "alle geänderten Lieferarten und Zeiträume, nach dem Inhalt entschieden).",
    default_status=dg.DefaultSensorStatus.STOPPED,
    jobs=[laden],
)
def eingangsordner(context: dg.SensorEvaluationContext, sozialmonitor: Sozialmonitor):
    resource = sozialmonitor  # the same resource the runs get (Definitions), not the env
    if not resource.landing().is_dir():
        return dg.SkipReason(f"Eingangsordner {resource.landing()} fehlt")
    seen = json.loads(context.cursor) if context.cursor else {}
    # the landing folder read once, by the rules of every run (deliveries/landing.py)
    discovery = discover(resource.landing(), config=resource.config())
    try:
        state = planning.loaded_state(resource.paths())
    except duckdb.IOException:
        return dg.SkipReason(BUSY)
    found = planning.load_plan(discovery, state, already=seen)
    if not found:
        return dg.SkipReason("Keine neuen oder geänderten Dateien im Eingangsordner")
    seen.update(dict(found.files))
    context.update_cursor(json.dumps(seen, sort_keys=True))
    request = planning.load_request(
        found, run_key=f"laden:{found.digest()}", tags={"sozialmonitor/ausloeser": "sensor"}
    )
    return dg.SensorResult(run_requests=[request])


def _pending_loads(instance, except_run: str) -> list[str]:
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=None, statuses=PENDING), limit=100
    )
    names = {j.name for j in LOAD_JOBS}
    return [
        r.dagster_run.run_id
        for r in records
        if r.dagster_run.job_name in names and r.dagster_run.run_id != except_run
    ]


def failed_blocking_checks(instance, run_id: str) -> list[str]:
    """Checks of severity ERROR that failed in a run."""
    out = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        ev = entry.dagster_event.event_specific_data
        if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
            out.append(f"{ev.asset_key.to_user_string()}:{ev.check_name}")
    return out


def _loads_since(instance, start: float) -> bool:
    """Whether a load run ended after `start` (its data are not what the build saw)."""
    after = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    names = {j.name for j in LOAD_JOBS}
    records = instance.get_run_records(filters=dg.RunsFilter(updated_after=after), limit=100)
    return any(r.dagster_run.job_name in names and (r.end_time or 0) > start for r in records)


@dg.run_status_sensor(
    name="nach_dem_laden",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=MONITORED_JOBS,
    request_jobs=[aufbereitung],
    description="Nach dem letzten erfolgreichen Laden: Marts, Veröffentlichung und Bericht "
    "(aufbereitung), nur was von den geänderten Zeiträumen abhängt; nach der Aufbereitung "
    "ihren Stand vermerken.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def nach_dem_laden(context: dg.RunStatusSensorContext, sozialmonitor: Sozialmonitor):
    run = context.dagster_run
    paths = sozialmonitor.paths()
    if CLI_RUN_TAG in run.tags:  # `sozialmonitor run` decides and builds, and stamps, itself
        return dg.SkipReason("Lauf von sozialmonitor run: der Befehl baut selbst auf")
    if run.job_name == planning.BUILD_JOB:
        record = context.instance.get_run_record_by_id(run.run_id)
        failed = failed_blocking_checks(context.instance, run.run_id)
        if failed:
            return dg.SkipReason(f"Stand nicht vermerkt: Prüfungen fehlgeschlagen: {failed}")
        if _loads_since(context.instance, record.start_time or 0):
            return dg.SkipReason("Stand nicht vermerkt: seit dem Start wurde geladen")
        planning.record_build(paths, sozialmonitor.config())
        return dg.SkipReason("Stand der Aufbereitung vermerkt")
    pending = _pending_loads(context.instance, run.run_id)
    if pending:
        return dg.SkipReason(f"{len(pending)} Ladeläufe stehen noch aus; danach aufbereiten")
    decided = planning.build_plan(paths, sozialmonitor.config())
    if decided.skip:
        return dg.SkipReason(decided.skip)
    return planning.build_request(
        decided, context.repository_def, run_key=f"aufbereitung-nach-{run.run_id}"
    )


def sensors() -> list:
    return [eingangsordner, nach_dem_laden]
