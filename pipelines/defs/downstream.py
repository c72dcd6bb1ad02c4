"""Publish zone and report: the assets after dbt.

`publish` reads the marts, applies disclosure control and swaps in a new publish.duckdb
(one asset per published table of `pipelines.publish.tables`, each depending on the marts
it is built from). Its blocking checks stop the report when a published count is 1 or 2,
when unit-level columns reached the publish zone, or when a published table or column
lacks its German comment. `sozialbericht` and `sozialatlas` read only publish.duckdb.
"""

import dagster as dg
import duckdb

from pipelines.defs.errors import operator_errors
from pipelines.defs.resources import PDF_ENV, Sozialmonitor
from pipelines.publish.tables import TABLES

PUBLISHED = tuple(TABLES)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["publish", t.name],
            deps=[dg.AssetKey(["marts", m]) for m in t.reads],
            group_name="publish",
            kinds={"duckdb", "parquet"},
            description=f"publish.duckdb: `{t.name}` ({t.title}). {t.comment}",
        )
        for t in TABLES.values()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "keine_fallzahl_1_oder_2", asset=["publish", "indikatoren"], blocking=True
        ),
        dg.AssetCheckSpec("keine_einzeldaten", asset=["publish", "indikatoren"], blocking=True),
        *[
            dg.AssetCheckSpec("spalten_erlaeutert", asset=["publish", t], blocking=True)
            for t in PUBLISHED
        ],
        dg.AssetCheckSpec(
            "angreifer_findet_nichts", asset=["publish", "indikatoren"], blocking=True
        ),
    ],
    name="veroeffentlichung",
)
@operator_errors
def veroeffentlichung(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    import polars as pl

    from pipelines.publish.ledger import ALL_LEVELS, as_markdown
    from pipelines.publish.write import uncommented_columns, write_publish

    paths = sozialmonitor.paths()
    result = write_publish(paths, sozialmonitor.config())
    findings = result.findings
    yield dg.AssetCheckResult(
        asset_key=["publish", "indikatoren"],
        check_name="angreifer_findet_nichts",
        passed=findings.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "wiederhergestellte_zellen": findings.height,
            # where and how, never a value: the run's metadata is not the publish zone
            "funde": dg.MetadataValue.json(
                findings.select("tabelle", "merkmal", "periode", "gebiet_id", "methode")
                .head(50)
                .to_dicts()
            ),
        },
        description=(
            "Aus den veröffentlichten Tabellen, Gebietshierarchie, Umschlüsselung und "
            "Identitäten lässt sich keine gesperrte Zelle genau zurückrechnen "
            "(sonst wird publish.duckdb nicht ersetzt)."
        ),
    )
    if not findings.is_empty():
        raise dg.Failure(
            f"Geheimhaltung: {findings.height} gesperrte Zellen aus den veröffentlichten "
            "Tabellen rückrechenbar; publish.duckdb bleibt auf dem alten Stand."
        )
    for t in PUBLISHED:
        metadata = {"zeilen": dg.MetadataValue.int(result.tables[t])}
        if t == "indikatoren" and result.ledger is not None:
            # what disclosure control cost: the same ledger as audit.informationsverlust
            metadata["informationsverlust"] = dg.MetadataValue.md(as_markdown(result.ledger))
            for row in result.ledger.filter(pl.col("ebene") == ALL_LEVELS).iter_rows(named=True):
                metadata[f"anteil_gesperrt_{row['tabelle']}"] = dg.MetadataValue.float(
                    round(row["anteil_gesperrt"], 6)
                )
        yield dg.MaterializeResult(asset_key=["publish", t], metadata=metadata)
    con = duckdb.connect(str(paths.publish_db), read_only=True)
    try:
        small = con.execute(
            "select count(*) from indikatoren where zaehler in (1, 2) or nenner in (1, 2) "
            "or (einheit = 'Anzahl' and wert in (1, 2))"
        ).fetchone()[0]
        cols = {
            r[0]
            for r in con.execute("select column_name from information_schema.columns").fetchall()
        }
    finally:
        con.close()
    unit_level = sorted(cols & {"fall_pseudonym", "person_pseudonym", "alter", "geschlecht"})
    yield dg.AssetCheckResult(
        asset_key=["publish", "indikatoren"],
        check_name="keine_fallzahl_1_oder_2",
        passed=small == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "zellen": small,
            "gesperrte_zellen": result.withheld_cells,
            # disclosure systems (table x period) solved in this run vs. reused unchanged
            "systeme_berechnet": result.systems.get("berechnet", 0),
            "systeme_aus_zwischenspeicher": result.systems.get("aus_zwischenspeicher", 0),
        },
        description="Keine veröffentlichte Fallzahl ist 1 oder 2 (Geheimhaltung).",
    )
    yield dg.AssetCheckResult(
        asset_key=["publish", "indikatoren"],
        check_name="keine_einzeldaten",
        passed=not unit_level,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"spalten": dg.MetadataValue.json(unit_level)},
        description="Die Veröffentlichungszone enthält keine Einzeldaten (Pseudonyme, Personenmerkmale).",
    )
    # read back from the written file: what a BI tool shows, not what we meant to write
    missing = uncommented_columns(paths.publish_db)
    for t in PUBLISHED:
        yield dg.AssetCheckResult(
            asset_key=["publish", t],
            check_name="spalten_erlaeutert",
            passed=not missing.get(t),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"ohne_erlaeuterung": dg.MetadataValue.json(missing.get(t, []))},
            description="Tabelle und jede Spalte tragen in publish.duckdb eine deutsche Erläuterung.",
        )


@dg.asset(
    key=["report", "sozialbericht"],
    deps=[dg.AssetKey(["publish", t]) for t in PUBLISHED],
    group_name="report",
    kinds={"html", "pdf"},
    description="Sozialbericht (HTML, eigenständig, und PDF in A4), nur aus publish.duckdb",
)
@operator_errors
def sozialbericht(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    from pipelines.report import build_report
    from pipelines.report.browser import find_chromium

    paths = sozialmonitor.paths()
    metadata: dict = {}
    if not sozialmonitor.report_pdf:
        want_pdf, metadata["pdf"] = False, f"ausgeschaltet ({PDF_ENV}=0)"
    elif find_chromium() is None:
        want_pdf, metadata["pdf"] = (
            False,
            "nicht erzeugt: Chromium fehlt (apt-get install chromium)",
        )
        context.log.warning("Sozialbericht nur als HTML: Chromium für das PDF fehlt.")
    else:
        want_pdf = True
    path = build_report(paths.publish_db, paths.reports_dir, pdf=want_pdf)
    if want_pdf:
        metadata["pdf"] = dg.MetadataValue.path(str(path.with_suffix(".pdf")))
    return dg.MaterializeResult(
        metadata={
            "datei": dg.MetadataValue.path(str(path)),
            "groesse_kb": path.stat().st_size // 1024,
            **metadata,
        }
    )


@dg.asset(
    key=["report", "sozialatlas"],
    deps=[dg.AssetKey(["publish", t]) for t in PUBLISHED],
    group_name="report",
    kinds={"html"},
    description="Sozialatlas (atlas/index.html): interaktive Karte, Gebietsprofile, Zeitreihen "
    "und Vergleich als eine statische Seite, nur aus publish.duckdb der aktuellen Version",
)
@operator_errors
def sozialatlas(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    from pipelines.atlas import build_atlas
    from pipelines.publish.version import current_version

    paths = sozialmonitor.paths()
    # the published version itself, resolved once: a publish switching the pointer meanwhile
    # cannot mix two versions into one atlas
    version = current_version(paths)
    source = version / "publish.duckdb" if version else paths.publish_db
    path = build_atlas(source, paths.root)
    return dg.MaterializeResult(
        metadata={
            "datei": dg.MetadataValue.path(str(path)),
            "groesse_kb": path.stat().st_size // 1024,
            "version": version.name if version else "",
        }
    )


@dg.asset(
    key=["analyse", "marts_kopie"],
    deps=sorted({dg.AssetKey(["marts", m]) for t in TABLES.values() for m in t.reads}),
    group_name="analyse",
    kinds={"duckdb"},
    description="analyse.duckdb: Kopie der Marts für Auswertungen (nur lesen); blockiert nie "
    "einen Lauf, weil sie neben der alten Kopie geschrieben und umbenannt wird",
)
@operator_errors
def analyse_kopie(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    from pipelines.warehouse.analysis import analysis_db, write_analysis_copy

    paths = sozialmonitor.paths()
    rows, copied = write_analysis_copy(paths)
    return dg.MaterializeResult(
        metadata={
            "datei": dg.MetadataValue.path(str(analysis_db(paths))),
            "tabellen": dg.MetadataValue.json(rows),
            # the others are unchanged and stay as they were in the previous copy
            "neu_kopiert": dg.MetadataValue.json(copied),
        }
    )


def assets() -> list:
    return [veroeffentlichung, sozialbericht, sozialatlas, analyse_kopie]
