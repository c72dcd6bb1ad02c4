"""Jobs and schedules for the monthly (SGB II, SGB XII) and yearly (moves, SGB VIII, finance) cycles.

A schedule looks into the landing folder and asks for the periods that arrived and are
not loaded yet, then for one `aufbereitung` run (dbt, publish, report). Deliveries
arrive late and irregularly; the sensor (sensors.py) reacts to them within minutes,
the schedules are the safety net at the dates the offices usually deliver.
"""

import dagster as dg

from pipelines.defs.ingest.assets import REFERENCE_KEYS
from pipelines.defs.ingest.requests import ingest_requests
from pipelines.defs.resources import resource_from_env

MONTHLY = ("sgb2", "sgb12", "einwohner")
YEARLY = ("bewegungen", "sgb8", "finanzen", "einwohner")

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


KIND_JOBS = {
    k: ingest_job(k) for k in ("einwohner", "bewegungen", "sgb2", "sgb12", "sgb8", "finanzen")
}


def _cycle_schedule(name: str, cron: str, kinds: tuple[str, ...], description: str):
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="Europe/Berlin",
        job=aufbereitung,
        description=description,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        resource = resource_from_env()
        requests, partitions = ingest_requests(
            context.instance, resource, kinds, tick=context.scheduled_execution_time.isoformat()
        )
        yield from partitions
        yield from requests
        yield dg.RunRequest(
            run_key=f"{name}-{context.scheduled_execution_time:%Y%m%d}", job_name="aufbereitung"
        )

    return _schedule


def jobs() -> list:
    return [aufbereitung, referenz, *KIND_JOBS.values()]


def schedules() -> list:
    return [
        _cycle_schedule(
            "monatlich", "0 6 20 * *", MONTHLY,
            "Am 20. jeden Monats: neue BA- und Sozialamtslieferungen laden, dann aufbereiten.",
        ),
        _cycle_schedule(
            "jaehrlich", "0 6 1 4 *", YEARLY,
            "Am 1. April: Jahreslieferungen (Wanderungen, SGB VIII, Finanzen) laden, dann aufbereiten.",
        ),
    ]  # fmt: skip
