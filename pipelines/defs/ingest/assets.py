"""Ingestion assets: reference data, and one partitioned asset per delivery kind.

Each period kind is partitioned by delivery period (dynamic partitions, registered by
the landing sensor and by `sozialmonitor run`). A run over a range of periods loads
them in one process (single-run backfill policy), so ten years of monthly files are
one run, not 120.
"""

import warnings

import dagster as dg

from pipelines.defs.errors import operator_errors
from pipelines.defs.ingest import inventory as run_inventory
from pipelines.defs.ingest import progress
from pipelines.defs.resources import Sozialmonitor
from pipelines.deliveries.ingest import ingest_kind, ingest_reference
from pipelines.deliveries.landing import discover
from pipelines.deliveries.load import LoadResult
from pipelines.deliveries.registry import (
    ALL_KINDS,
    FOLDERS,
    PERIOD_KINDS,
    REFERENCE_KINDS,
    personal_columns,
)
from pipelines.deliveries.volume import rule_from
from pipelines.warehouse import store

# every column a contract marks as personal data: none of them may reach a raw table
PERSONAL_COLUMN_NAMES = personal_columns()


def _folder_label(folder: str) -> str:
    """`Eingangsordner sgb2/: <contract title>`; a shared folder lists its kinds' titles."""
    kinds = [k for k in ALL_KINDS.values() if k.folder == folder]
    titles = [k.contract().title for k in kinds]
    if len(titles) == 1:
        return titles[0]
    return ("Referenzdaten" if folder == "reference" else folder) + f" ({', '.join(titles)})"


LANDING_FOLDERS = {folder: _folder_label(folder) for folder in FOLDERS}

landing_specs = [
    dg.AssetSpec(
        key=["landing", folder],
        description=f"Eingangsordner `{folder}/`: {label}",
        group_name="landing",
        kinds={"file"},
    )
    for folder, label in LANDING_FOLDERS.items()
]

warnings.filterwarnings("ignore", category=dg.BetaWarning)

PARTITIONS = {
    name: dg.DynamicPartitionsDefinition(name=f"{name}_perioden") for name in PERIOD_KINDS
}


def _summary(results: list[LoadResult]) -> dict:
    count = lambda s: sum(1 for r in results if r.status == s)  # noqa: E731
    rejected = [r for r in results if r.status == "abgewiesen"]
    reasons: dict[str, int] = {}
    for r in results:
        for k, v in r.quarantine_reasons.items():
            reasons[k] = reasons.get(k, 0) + v
    return {
        "dateien_geladen": dg.MetadataValue.int(count("geladen") + count("ersetzt")),
        "dateien_unveraendert": dg.MetadataValue.int(count("unveraendert")),
        "dateien_abgewiesen": dg.MetadataValue.int(len(rejected)),
        "zeilen_gelesen": dg.MetadataValue.int(sum(r.rows_read for r in results)),
        "zeilen_geladen": dg.MetadataValue.int(sum(r.rows_loaded for r in results)),
        "zeilen_quarantaene": dg.MetadataValue.int(sum(r.rows_quarantined for r in results)),
        "quarantaene_gruende": dg.MetadataValue.json(reasons),
        "abgewiesen": dg.MetadataValue.md(
            "\n".join(f"- `{r.relpath}`: {r.reason}: {r.message}" for r in rejected) or "keine"
        ),
    }


def _check_results(asset_key, results: list[LoadResult], table: str, paths) -> list:
    rejected = [r for r in results if r.status == "abgewiesen"]
    unbalanced = [
        r.relpath
        for r in results
        if r.status in ("geladen", "ersetzt") and r.rows_read != r.rows_loaded + r.rows_quarantined
    ]
    out = [
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name="lieferungen_vertragsgemaess",
            passed=not rejected,
            severity=dg.AssetCheckSeverity.WARN,
            description="Dateien, die den Datenvertrag auf Dateiebene verletzen, werden nicht "
            "geladen (früher geladene Daten bleiben unverändert).",
            metadata={
                "abgewiesen": dg.MetadataValue.json(
                    [
                        {"datei": r.relpath, "grund": r.reason, "meldung": r.message}
                        for r in rejected
                    ]
                )
            },
        ),
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name="zeilenbilanz",
            passed=not unbalanced,
            severity=dg.AssetCheckSeverity.ERROR,
            description="Für jede Datei gilt: gelesene Zeilen = geladene + Quarantäne.",
            metadata={"verletzt": dg.MetadataValue.json(unbalanced)},
        ),
    ]
    with store.connect(paths.warehouse_db, read_only=True) as con:
        cols = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?",
                [table],
            ).fetchall()
        }
    leaked = sorted(cols & PERSONAL_COLUMN_NAMES)
    out.append(
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name="keine_personendaten",
            passed=not leaked,
            severity=dg.AssetCheckSeverity.ERROR,
            description="Keine Namen, Geburtsdaten, Aktenzeichen oder Anschriften im Rohbereich.",
            metadata={"spalten": dg.MetadataValue.json(leaked)},
        )
    )
    return out


CHECK_NAMES = ("lieferungen_vertragsgemaess", "zeilenbilanz", "keine_personendaten")


def _check_specs(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=key, blocking=True) for name in CHECK_NAMES]


REFERENCE_KEYS = [dg.AssetKey(["raw", name]) for name in REFERENCE_KINDS]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=k,
            # reference kinds may lie outside reference/ (massnahmen/): their own folder
            deps=[dg.AssetKey(["landing", REFERENCE_KINDS[k.path[-1]].folder])],
            group_name="raw",
            kinds={"duckdb"},
            description=f"Referenzdaten `raw.{k.path[-1]}` (ganz ersetzt bei jeder Lieferung)",
            skippable=False,
        )
        for k in REFERENCE_KEYS
    ],
    check_specs=_check_specs(dg.AssetKey(["raw", "gebiete"])),
    name="raw_referenz",
)
@operator_errors
def raw_referenz(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    paths = sozialmonitor.paths()
    discovery = discover(sozialmonitor.landing(), config=sozialmonitor.config())
    results = ingest_reference(discovery, paths, context.run.run_id, progress.report)
    run_inventory.record(context, paths, discovery, results)
    for key in REFERENCE_KEYS:
        mine = [r for r in results if r.kind == key.path[-1]]
        yield dg.MaterializeResult(asset_key=key, metadata=_summary(mine))
    yield from _check_results(REFERENCE_KEYS[0], results, "gebiete", paths)


def _period_asset(kind_name: str):
    key = dg.AssetKey(["raw", kind_name])
    kind = PERIOD_KINDS[kind_name]

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["landing", kind.folder]), *REFERENCE_KEYS],
        partitions_def=PARTITIONS[kind_name],
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="raw",
        kinds={"duckdb", "polars"},
        check_specs=_check_specs(key),
        description=(
            f"Rohdaten `raw.{kind.table}`: eine Partition je Lieferzeitraum; "
            + ("personenbezogen geliefert, pseudonymisiert geladen." if kind.person_level else "")
        ),
    )
    @operator_errors
    def _asset(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
        paths = sozialmonitor.paths()
        discovery = discover(sozialmonitor.landing(), config=sozialmonitor.config())
        keys = (
            context.partition_keys
            if context.has_partition_key_range or context.has_partition_key
            else None
        )
        volume = rule_from(
            sozialmonitor.config(), sozialmonitor.landing(), sozialmonitor.confirmations
        )
        results = ingest_kind(
            kind_name, discovery, paths, context.run.run_id, keys, progress.report, volume
        )
        run_inventory.record(context, paths, discovery, results)
        yield dg.MaterializeResult(metadata=_summary(results))
        yield from _check_results(key, results, kind.table, paths)

    return _asset


period_assets = [_period_asset(name) for name in PERIOD_KINDS]
