"""Dagster Definitions of sozialmonitor: everything the UI, sensors and `run` see."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingest.assets import landing_specs, raw_lieferungen, raw_referenz
from pipelines.defs.resources import Sozialmonitor, resource_from_env
from pipelines.warehouse.files import owner_only

# the UI's code server and run workers import this module: what they write into the
# warehouse folder (Dagster storage and logs, DuckDB, dbt) is owner-only like a CLI run's
owner_only()


def build_defs(resource: Sozialmonitor | None = None) -> dg.Definitions:
    resource = resource or resource_from_env()
    assets: list = [*landing_specs, raw_referenz, raw_lieferungen]
    resources: dict = {"sozialmonitor": resource}
    sensors: list = []
    schedules: list = []
    jobs: list = []

    from pipelines.defs.dbt import assets as dbt_defs

    dbt_assets = None
    if dbt_defs.available():
        dbt_assets = dbt_defs.build_dbt_assets()
        assets.append(dbt_assets)
        resources["dbt"] = dbt_defs.dbt_resource()

    from pipelines.defs import downstream

    assets += downstream.assets()

    from pipelines.defs import schedules as sched
    from pipelines.defs import sensors as sens

    jobs += sched.jobs(dbt_assets)
    schedules += sched.schedules(dbt_assets)
    sensors += sens.sensors()
    # one process per run (not one per step): the run holds the writer lock from its
    # first step to its last, and no two steps of a run write warehouse.duckdb at once
    return dg.Definitions(
        assets=assets,
        resources=resources,
        sensors=sensors,
        schedules=schedules,
        jobs=jobs,
        executor=dg.in_process_executor,
    )


defs = build_defs()
