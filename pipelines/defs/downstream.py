"""Publish zone and report: the assets after dbt.

`publish` reads the marts, applies disclosure control and swaps in a new publish.duckdb;
its checks block the report when a published count is 1 or 2 or a table breaks the
dbt contract of its mart. `sozialbericht` reads only publish.duckdb.
"""

import dagster as dg
import duckdb

from pipelines.defs.resources import Sozialmonitor

PUBLISHED = (
    "indikatoren", "indikatoren_breit", "sozialindex", "controlling", "zielerreichung", "gebiete",
    "indikatorkatalog",
)  # fmt: skip
MART_DEPS = [dg.AssetKey(["marts", t]) for t in PUBLISHED]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["publish", t],
            deps=MART_DEPS,
            group_name="publish",
            kinds={"duckdb", "parquet"},
            description=f"publish.duckdb: `{t}` mit Geheimhaltung (BI-Werkzeuge, Excel, Bericht)",
        )
        for t in PUBLISHED
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "keine_fallzahl_1_oder_2", asset=["publish", "indikatoren"], blocking=True
        ),
        dg.AssetCheckSpec("keine_einzeldaten", asset=["publish", "indikatoren"], blocking=True),
    ],
    name="veroeffentlichung",
)
def veroeffentlichung(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    from pipelines.publish.write import write_publish

    paths = sozialmonitor.paths()
    result = write_publish(paths, sozialmonitor.config())
    for t in PUBLISHED:
        yield dg.MaterializeResult(
            asset_key=["publish", t], metadata={"zeilen": dg.MetadataValue.int(result.tables[t])}
        )
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


# "0" switches the PDF off (the test suite's many pipeline runs; a server without Chromium
# needs nothing: the asset then writes the HTML and says why the PDF is missing).
PDF_ENV = "SOZIALMONITOR_BERICHT_PDF"


@dg.asset(
    key=["report", "sozialbericht"],
    deps=[dg.AssetKey(["publish", t]) for t in PUBLISHED],
    group_name="report",
    kinds={"html", "pdf"},
    description="Sozialbericht (HTML, eigenständig, und PDF in A4), nur aus publish.duckdb",
)
def sozialbericht(context: dg.AssetExecutionContext, sozialmonitor: Sozialmonitor):
    import os

    from pipelines.report import build_report
    from pipelines.report.browser import find_chromium

    paths = sozialmonitor.paths()
    metadata: dict = {}
    if os.environ.get(PDF_ENV, "1") == "0":
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


def assets() -> list:
    return [veroeffentlichung, sozialbericht]
