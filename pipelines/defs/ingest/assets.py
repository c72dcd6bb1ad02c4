"""Ingestion assets: reference data, and one asset per delivery kind with periods.

The period kinds are one subsettable multi-asset, `raw_lieferungen`: one run loads every
kind that changed, in the contracts' `ladefolge`, and the periods to load per kind are run
config (`perioden`), not partitions. A run of ten years of monthly files of eight kinds is
one run with eight materializations, not 960 partition events (docs/decisions.md).
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

PERIOD_ASSET = "raw_lieferungen"


class Laden(dg.Config):
    """The periods to load per delivery kind (`sozialmonitor run`, the sensor, a schedule:
    those whose file is new, changed or refused). A kind not named: every file of it
    (a run started by hand in the UI); unchanged files are recognised by their sha256."""

    perioden: dict[str, list[str]] = {}


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
        # the run record of the UI: which files and periods this run decided, and how
        "perioden": dg.MetadataValue.text(
            ", ".join(sorted({r.period_key for r in results if r.period_key})) or "keine"
        ),
        "dateien": dg.MetadataValue.md(
            "\n".join(f"- `{r.relpath}`: {r.status}" for r in results) or "keine"
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


PERIOD_KEYS = {name: dg.AssetKey(["raw", name]) for name in PERIOD_KINDS}


def _period_spec(kind_name: str) -> dg.AssetSpec:
    kind = PERIOD_KINDS[kind_name]
    return dg.AssetSpec(
        key=PERIOD_KEYS[kind_name],
        deps=[dg.AssetKey(["landing", kind.folder]), *REFERENCE_KEYS],
        group_name="raw",
        kinds={"duckdb", "polars"},
        skippable=True,
        description=(
            f"Rohdaten `raw.{kind.table}`: je Lieferzeitraum eine Datei; "
            + ("personenbezogen geliefert, pseudonymisiert geladen." if kind.person_level else "")
        ),
    )


@dg.multi_asset(
    specs=[_period_spec(name) for name in PERIOD_KINDS],
    check_specs=[spec for key in PERIOD_KEYS.values() for spec in _check_specs(key)],
    can_subset=True,
    name=PERIOD_ASSET,
)
def raw_lieferungen(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor, config: Laden):
    """The selected period kinds in their load order, each over its periods of `config`.

    A kind whose load fails does not stop the kinds after it (as separate runs would not):
    the step fails at the end with the first failure."""
    paths = sozialmonitor.paths()
    discovery = discover(sozialmonitor.landing(), config=sozialmonitor.config())
    volume = rule_from(sozialmonitor.config(), sozialmonitor.landing(), sozialmonitor.confirmations)
    selected = context.selected_asset_keys
    failures: list[BaseException] = []
    for kind_name, key in PERIOD_KEYS.items():  # PERIOD_KINDS is in ladefolge
        if key not in selected:
            continue
        keys = config.perioden.get(kind_name)
        try:
            results = _load_kind(kind_name, discovery, paths, context.run.run_id, keys, volume)
        except Exception as exc:
            context.log.error(f"raw/{kind_name}: {exc}")
            failures.append(exc)
            continue
        run_inventory.record(context, paths, discovery, results)
        yield dg.MaterializeResult(asset_key=key, metadata=_summary(results))
        checks = context.selected_asset_check_keys
        for check in _check_results(key, results, PERIOD_KINDS[kind_name].table, paths):
            if dg.AssetCheckKey(key, check.check_name) in checks:
                yield check
    if failures:
        raise failures[0]


@operator_errors
def _load_kind(kind_name, discovery, paths, run_id, keys, volume):
    return ingest_kind(kind_name, discovery, paths, run_id, keys, progress.report, volume)
