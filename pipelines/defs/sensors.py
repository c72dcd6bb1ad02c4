"""The landing-folder sensor, and the sensor that builds marts and publish zone after a load.

`eingangsordner` starts a load run per delivery kind for new files and files whose content
changed (and the reference run for changed reference data, or a refused file without a
period, which that run logs). When the last load run has succeeded,
`nach_dem_laden` starts one `aufbereitung` run (dbt, publish, report); after the reference
run of a schedule it first starts the loads of that schedule's cycle.
"""

import json

import dagster as dg

from pipelines.defs.ingest.requests import file_signature, ingest_requests
from pipelines.defs.resources import Sozialmonitor
from pipelines.defs.schedules import CYCLE_TAG, CYCLES, KIND_JOBS, aufbereitung, referenz
from pipelines.deliveries.landing import discover
from pipelines.deliveries.registry import PERIOD_KINDS, REFERENCE_KINDS

KINDS = tuple(PERIOD_KINDS)
LOAD_JOBS = [referenz, *KIND_JOBS.values()]
PENDING = [
    dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]  # fmt: skip


@dg.sensor(
    name="eingangsordner",
    minimum_interval_seconds=120,
    description="Neue oder geänderte Dateien im Eingangsordner laden (je Lieferart ein Lauf); "
    "geänderte Referenzdaten laden die Referenztabellen neu.",
    default_status=dg.DefaultSensorStatus.STOPPED,
    jobs=LOAD_JOBS,
)
def eingangsordner(context: dg.SensorEvaluationContext, sozialmonitor: Sozialmonitor):
    resource = sozialmonitor  # the same resource the runs get (Definitions), not the env
    if not resource.landing().is_dir():
        return dg.SkipReason(f"Eingangsordner {resource.landing()} fehlt")
    seen = json.loads(context.cursor) if context.cursor else {}
    requests: list[dg.RunRequest] = []
    # the landing folder read once, by the rules of every run (deliveries/landing.py)
    discovery = discover(resource.landing(), config=resource.config())
    reference = sorted(
        {(f.relpath, f.path) for f in discovery.files if f.kind in REFERENCE_KINDS}
        | {(r.relpath, r.path) for r in discovery.refused if r.period_key is None}
    )
    changed_reference = []
    for rel, path in reference:
        sig = file_signature(path)
        if seen.get(rel) != sig:
            seen[rel] = sig
            changed_reference.append(f"{rel}:{sig}")
    if changed_reference:
        requests.append(
            dg.RunRequest(run_key="|".join(changed_reference), job_name="referenzdaten")
        )
    requests += ingest_requests(context.instance, resource, KINDS, seen=seen, discovery=discovery)
    context.update_cursor(json.dumps(seen, sort_keys=True))
    if not requests:
        return dg.SkipReason("Keine neuen oder geänderten Dateien im Eingangsordner")
    return dg.SensorResult(run_requests=requests)


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


@dg.run_status_sensor(
    name="nach_dem_laden",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=LOAD_JOBS,
    request_jobs=[*KIND_JOBS.values(), aufbereitung],
    description="Nach dem letzten erfolgreichen Laden: Marts, Veröffentlichung und Bericht "
    "(aufbereitung); nach dem Referenzlauf eines Zeitplans erst dessen Lieferungen laden.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def nach_dem_laden(context: dg.RunStatusSensorContext, sozialmonitor: Sozialmonitor):
    run = context.dagster_run
    cycle = run.tags.get(CYCLE_TAG)
    if cycle in CYCLES:
        loads = ingest_requests(
            context.instance, sozialmonitor, CYCLES[cycle], tick=f"{cycle}-{run.run_id[:8]}"
        )
        if loads:
            return loads
    pending = _pending_loads(context.instance, run.run_id)
    if pending:
        return dg.SkipReason(f"{len(pending)} Ladeläufe stehen noch aus; danach aufbereiten")
    return dg.RunRequest(run_key=f"aufbereitung-nach-{run.run_id}", job_name="aufbereitung")


def sensors() -> list:
    return [eingangsordner, nach_dem_laden]
