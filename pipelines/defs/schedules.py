"""Jobs and schedules for the monthly and yearly cycles (which kinds: their contracts' cadence).

A schedule starts the reference run, tagged with its cycle; when it has succeeded, the
`nach_dem_laden` sensor (sensors.py) starts one load run per kind of the cycle, then one
`aufbereitung` run (dbt, publish, report). A schedule targets one job only (Dagster), so
the chain runs through that sensor. Deliveries arrive late and irregularly; the
`eingangsordner` sensor reacts to them within minutes, the schedules are the safety net at
the dates the offices usually deliver.
"""

import dagster as dg

from pipelines.contracts.model import SCHEDULES
from pipelines.defs.ingest.assets import REFERENCE_KEYS
from pipelines.deliveries.registry import PERIOD_KINDS, schedule_kinds

# schedule -> the kinds it loads: from each contract's cadence (or its `zeitplaene`)
CYCLES = {name: schedule_kinds(name) for name in SCHEDULES}
CYCLE_TAG = "sozialmonitor/zyklus"

aufbereitung = dg.define_asset_job(
    "aufbereitung",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("landing", "raw"),
    description="dbt-Modelle, Veröffentlichung (Offenlegungsschutz) und Sozialbericht",
)
referenz = dg.define_asset_job(
    "referenzdaten", selection=dg.AssetSelection.assets(*REFERENCE_KEYS),
    description="Gebiete, Adressen, Produkte, Ziele, Karten neu laden",
)  # fmt: skip


def ingest_job(kind: str):
    return dg.define_asset_job(f"laden_{kind}", selection=dg.AssetSelection.assets(["raw", kind]))


KIND_JOBS = {k: ingest_job(k) for k in PERIOD_KINDS}


def _cycle_schedule(name: str, cron: str, description: str):
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="Europe/Berlin",
        job=referenz,
        description=description,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        return dg.RunRequest(
            run_key=f"{name}-{context.scheduled_execution_time:%Y%m%d}", tags={CYCLE_TAG: name}
        )

    return _schedule


def jobs() -> list:
    return [aufbereitung, referenz, *KIND_JOBS.values()]


# when each schedule of contracts.model.SCHEDULES runs (the offices' usual delivery dates)
WHEN = {
    "monatlich": ("0 6 20 * *", "Am 20. jeden Monats"),
    "jaehrlich": ("0 6 1 4 *", "Am 1. April"),
}


def _describe(name: str) -> str:
    kinds = ", ".join(PERIOD_KINDS[k].contract().title for k in CYCLES[name])
    return (
        f"{WHEN[name][1]}: Referenzdaten, dann neue Lieferungen ({kinds}) laden, dann aufbereiten."
    )


def schedules() -> list:
    return [_cycle_schedule(name, WHEN[name][0], _describe(name)) for name in SCHEDULES]
