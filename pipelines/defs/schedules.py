"""Jobs, and the schedules for the monthly and yearly cycles (kinds: their contracts' cadence).

`laden` loads what changed (reference data and every period kind, one run; which assets
and periods: pipelines/defs/plan.py); `referenzdaten` and `laden_<kind>` are the same
assets for a start by hand in the UI. `aufbereitung` builds dbt, publish zone and report;
the `nach_dem_laden` sensor starts it after the loads, with the selection the plan decides.
A schedule starts one `laden` run over its cycle's kinds and the reference data, for the
files whose content the warehouse does not hold yet. The schedule `woechentlich` starts
the job `pruefung`: every dbt data test on every row, which the monthly path scopes to
the changed periods. Deliveries arrive late and
irregularly; the `eingangsordner` sensor reacts to them within minutes, the schedules are
the safety net at the dates the offices usually deliver.
"""

import dagster as dg

from pipelines.contracts.model import SCHEDULES
from pipelines.defs import plan as planning
from pipelines.defs.ingest.assets import REFERENCE_KEYS
from pipelines.defs.resources import Sozialmonitor
from pipelines.deliveries.registry import PERIOD_KINDS, schedule_kinds

# schedule -> the kinds it loads: from each contract's cadence (or its `zeitplaene`)
CYCLES = {name: schedule_kinds(name) for name in SCHEDULES}
CYCLE_TAG = "sozialmonitor/zyklus"

aufbereitung = dg.define_asset_job(
    planning.BUILD_JOB,
    selection=planning.everything_after_raw(),
    description="dbt-Modelle, Veröffentlichung (Offenlegungsschutz) und Sozialbericht",
)
laden = dg.define_asset_job(
    planning.LOAD_JOB,
    selection=dg.AssetSelection.groups("raw"),
    description="Geänderte Lieferungen laden: Referenzdaten und jede Lieferart mit Zeitraum "
    "in einem Lauf (welche Zeiträume: Run-Konfiguration `perioden`)",
)
referenz = dg.define_asset_job(
    "referenzdaten", selection=dg.AssetSelection.assets(*REFERENCE_KEYS),
    description="Gebiete, Adressen, Produkte, Ziele, Karten neu laden",
)  # fmt: skip


def ingest_job(kind: str):
    return dg.define_asset_job(
        f"laden_{kind}",
        selection=dg.AssetSelection.assets(["raw", kind]),
        description=f"Nur {PERIOD_KINDS[kind].contract().title} laden (Start von Hand)",
    )


KIND_JOBS = {k: ingest_job(k) for k in PERIOD_KINDS}
LOAD_JOBS = [laden, referenz, *KIND_JOBS.values()]


def _cycle_schedule(name: str, cron: str, description: str):
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="Europe/Berlin",
        job=laden,
        description=description,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    def _schedule(context: dg.ScheduleEvaluationContext, sozialmonitor: Sozialmonitor):
        found = cycle_plan(sozialmonitor, name)
        if not found:
            return dg.SkipReason("Keine neuen oder geänderten Lieferungen dieses Zyklus")
        return planning.load_request(
            found,
            run_key=f"{name}-{context.scheduled_execution_time:%Y%m%d}",
            tags={CYCLE_TAG: name},
        )

    return _schedule


def cycle_plan(resource: Sozialmonitor, name: str) -> planning.LoadPlan:
    """What a schedule loads: reference data and its cycle's kinds, where changed."""
    from pipelines.deliveries.landing import discover

    discovery = discover(resource.landing(), config=resource.config())
    state = planning.loaded_state(resource.paths())
    return planning.load_plan(discovery, state).only(CYCLES[name])


# the weekly test job: every dbt data test on every row (the monthly path tests only the
# rows from the earliest changed reference date on: macros/tests_ab_periode.sql)
TEST_JOB = "pruefung"
WEEKLY = "woechentlich"
WEEKLY_CRON = "0 2 * * 0"  # Sunday 02:00, Europe/Berlin: no office delivers then


def test_job(dbt_assets_def):
    """Only the asset checks of the dbt models (their data tests, singular ones included):
    dagster-dbt runs `dbt build` on the tests alone, no model is rebuilt."""
    return dg.define_asset_job(
        TEST_JOB,
        selection=dg.AssetSelection.checks_for_assets(dbt_assets_def),
        description="Alle dbt-Datentests über alle Perioden (der Monatspfad prüft nur ab dem "
        "frühesten geänderten Stichtag); baut kein Modell neu",
    )


def jobs(dbt_assets_def=None) -> list:
    tests = [test_job(dbt_assets_def)] if dbt_assets_def is not None else []
    return [aufbereitung, *LOAD_JOBS, *tests]


# when each schedule of contracts.model.SCHEDULES runs (the offices' usual delivery dates)
WHEN = {
    "monatlich": ("0 6 20 * *", "Am 20. jeden Monats"),
    "jaehrlich": ("0 6 1 4 *", "Am 1. April"),
}


def _describe(name: str) -> str:
    kinds = ", ".join(PERIOD_KINDS[k].contract().title for k in CYCLES[name])
    return (
        f"{WHEN[name][1]}: geänderte Referenzdaten und neue Lieferungen ({kinds}) in einem Lauf "
        "laden, dann aufbereiten."
    )


@dg.schedule(
    name=WEEKLY,
    cron_schedule=WEEKLY_CRON,
    execution_timezone="Europe/Berlin",
    job_name=TEST_JOB,
    description="Sonntags 2 Uhr: alle dbt-Datentests über alle Perioden (ergänzt den "
    "Monatspfad, der nur die geänderten Perioden prüft); lädt und baut nichts",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def woechentlich(context: dg.ScheduleEvaluationContext, sozialmonitor: Sozialmonitor):
    if planning.read_stamp(sozialmonitor.paths()) is None:
        return dg.SkipReason("Noch kein vollständiger Aufbau: nichts zu prüfen")
    return dg.RunRequest(
        run_key=f"{WEEKLY}-{context.scheduled_execution_time:%Y%m%d}",
        run_config=dict(planning.QUIET_RUN_CONFIG),
        tags={CYCLE_TAG: WEEKLY, planning.SCOPE_TAG: "alle Tests, alle Perioden"},
    )


def schedules(dbt_assets_def=None) -> list:
    cycles = [_cycle_schedule(name, WHEN[name][0], _describe(name)) for name in SCHEDULES]
    return [*cycles, *([woechentlich] if dbt_assets_def is not None else [])]
