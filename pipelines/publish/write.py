"""Writing the publish zone: publish.duckdb, Parquet and Excel of one version, switched together.

BI tools hold `publish.duckdb` open read-only. We never write into a published file: the
new version is built in its own folder and switched in with one rename of a pointer
(publish/version.py), so a reader keeps its consistent old version and never blocks
the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import bedarf as bedarf_mod
from pipelines import faults
from pipelines import wirkung as wirkung_mod
from pipelines.bedarf import nachbarn
from pipelines.disclosure import DisclosureConfig
from pipelines.publish import cells, figures, kita, ledger, planung, series, version
from pipelines.publish.reuse import Reuse
from pipelines.publish.tables import (
    TABLES,
    DeclarationError,
    TableDocs,
    check_columns,
    resolve_docs,
)
from pipelines.publish.xlsx import FORMULA_START, write_sheet
from pipelines.sozialindex import recipe_from_config
from pipelines.warehouse.files import WarehousePaths
from pipelines.wirkung import ziele as ziele_mod

# DuckDB storage format of publish.duckdb: readable by every DuckDB >= 1.0 (the JDBC/ODBC
# drivers of BI tools lag behind the Python package)
STORAGE_VERSION = "v1.0.0"

# the Excel-only text column beside the numeric bounds
INTERVAL_COMMENT = (
    "Nur in Excel: ein Wert, der nur eingegrenzt bekannt ist (Zeichen `/`), als Intervall "
    "wie im Bericht (z. B. 20,4–20,6)."
)
EXCEL_MAX_ROWS = 1_000_000


@dataclass
class PublishResult:
    tables: dict[str, int] = field(default_factory=dict)
    withheld_cells: int = 0
    small_counts: int = 0
    systems: dict[str, int] = field(default_factory=dict)  # disclosure: solved / from cache
    # what the reader-knowledge attacker recovered (empty: nothing); nothing is swapped in
    # when it is not empty
    findings: pl.DataFrame | None = None
    ledger: pl.DataFrame | None = None  # information loss per table and level
    reused_files: int = 0  # Parquet and Excel files taken over from the published version


def _read(con, sql: str) -> pl.DataFrame:
    return con.execute(sql).pl()


def disclosure_config(config: dict) -> DisclosureConfig:
    """The disclosure rules of the city config; a source `*` has the bounds the counts use
    (indikatoren.ba_stern_untergrenze/-obergrenze), stated once for dbt and the system."""
    ind = config["indikatoren"]
    return DisclosureConfig.from_dict(
        {
            **(config.get("offenlegung") or {}),
            "quelle_stern_min": ind["ba_stern_untergrenze"],
            "quelle_stern_max": ind["ba_stern_obergrenze"],
        }
    )


def build_tables(
    warehouse_db: Path,
    config: dict,
    cache_dir: Path | None = None,
    stats: dict | None = None,
    check_out: dict | None = None,
    ledger_out: dict | None = None,
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    cfg = disclosure_config(config)
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        basis = _read(con, "select * from marts.basiszahlen")
        gebiete = _read(con, "select * from marts.gebiete")
        ind = _read(con, "select * from marts.indikatoren")
        index = _read(con, "select * from marts.sozialindex")
        controlling = _read(con, "select * from marts.controlling")
        haushalt = _read(con, "select * from marts.controlling_haushalt")
        zerlegung = _read(con, "select * from marts.controlling_zerlegung")
        kennzahlen = _read(con, "select * from marts.controlling_kennzahlen")
        kontrakte = _read(con, "select * from marts.kontrakte")
        wirkung = _read(con, "select * from marts.wirkungsanalyse")
        ziel_review = _read(con, "select * from marts.zielueberpruefung")
        ziele = _read(con, "select * from marts.zielerreichung")
        katalog = _read(con, "select * from marts.indikatorkatalog order by reihenfolge")
        # the largest mart (age x sex x year x variant, berlin: 8 million rows), summed
        # into the published age groups in DuckDB: the groups and the Bedarfsplanung's
        # totals are all publish needs of it
        prognose = planung.read_prognose_groups(con, config["bedarfseckwerte"])
        guete = _read(con, "select * from marts.prognose_guete")
        bedarf = _read(con, "select * from marts.bedarfsplanung")
        crosswalk = _read(con, "select * from intermediate.int_gebiete_umschluessel")
    finally:
        con.close()
    tree = cells.hierarchy(gebiete)
    # the demand population of the Bedarfsplanung's `ist` rows: cells of the einwohner
    # systems of the same dates, so 0-2 + 3-5 + 6-9 + 10-17 = ew_u18 is protected there
    demand = planung.demand_cells(bedarf, tree, config["indikatoren"])
    counts = cells.disclose_counts(
        basis, gebiete, cfg, cache_dir, stats=stats, crosswalk=crosswalk,
        parameters=config["indikatoren"], extra_cells=demand,
    )  # fmt: skip
    # the band cells are published in bedarfsplanung only, not as einwohner counts
    band_cells = pl.col("merkmal").is_in(demand["merkmal"].unique().implode())
    own_counts = counts.cells.filter(~band_cells)
    withheld_rates, rate_log = cells.publish_indicators(ind, counts.cells, cfg)
    pinned = figures.pin_bounded(withheld_rates)
    # a rate the bounds pin down is published: no longer a withheld cell
    rate_log = rate_log.join(
        pinned.filter(pl.col("symbol").is_null()).select(
            pl.col("indikator_id").alias("merkmal"), "periode", "gebiet_id"
        ),
        on=["merkmal", "periode", "gebiet_id"],
        how="anti",
    )
    # complete before the tables built from it: a missing period is a gap in all of them
    delivered = pinned
    published = series.complete(pinned, TABLES["indikatoren"], gebiete)
    added = published.join(
        delivered.select("indikator_id", "gebiet_id", "periode"),
        on=["indikator_id", "gebiet_id", "periode"],
        how="anti",
    ).select(
        pl.lit("indikatoren").alias("tabelle"),
        pl.col("indikator_id").alias("merkmal"),
        "periode",
        "gebiet_id",
        pl.lit("nicht_geliefert").alias("regel"),
        pl.lit(None, pl.String).alias("ausgeloest_durch"),
    )
    case_status = cells.city_case_status(counts.cells, gebiete)
    sozialindex = cells.publish_sozialindex(
        index, withheld_rates, recipe_from_config(config["sozialindex"]), cache_dir
    )
    published_kontrakte, kontrakte_log = cells.publish_kontrakte(kontrakte, cfg)
    population = ind.filter(
        (pl.col("indikator_id") == "ew") & pl.col("aktueller_gebietsstand")
    ).select("gebiet_id", "periode", pl.col("wert").alias("einwohner"))
    tables = {
        "indikatoren": published,
        "indikatoren_breit": cells.wide(published),
        # the index shows its (exact) shares only where the rate is public without bounds
        "sozialindex": sozialindex,
        "controlling": cells.publish_controlling(controlling, published),
        "controlling_haushalt": cells.publish_haushalt(haushalt),
        "controlling_zerlegung": cells.publish_zerlegung(zerlegung, case_status),
        "controlling_kennzahlen": cells.publish_kennzahlen(kennzahlen, case_status),
        "kontrakte": published_kontrakte,
        "wirkungsanalyse": wirkung_mod.published(
            wirkung,
            kontrakte,
            published,
            sozialindex,
            gebiete,
            dict(katalog.select("indikator_id", "einheit").rows()),
            crosswalk,
        ),
        "zielueberpruefung": ziele_mod.published(
            ziel_review,
            published_kontrakte,
            published,
            dict(katalog.select("indikator_id", "einheit").rows()),
        ),
        "zielerreichung": figures.decide_goals(ziele, published),
        "bevoelkerungsprognose": planung.publish_prognose(prognose, config["bedarfseckwerte"], cfg),
        "prognose_guete": planung.publish_guete(guete),
        "bedarfsplanung": planung.publish_bedarfsplanung(
            bedarf,
            prognose,
            population.select(
                "gebiet_id", pl.col("periode").cast(pl.Date).alias("stichtag"), "einwohner"
            ),
            tree,
            cfg,
            counts.cells,
            config["indikatoren"],
            nachbarn.neighbours(gebiete),
            bedarf_mod.anteile(config["bedarfseckwerte"]),
        ),
        "gebiete": gebiete.sort("ebene_rang", "gebiet_id", "gueltig_ab"),
        "indikatorkatalog": katalog,
    }
    tables = declared(tables, gebiete)
    if check_out is not None:
        check_out["funde"] = cells.reader_findings(
            tables, counts, cfg, katalog, crosswalk, recipe_from_config(config["sozialindex"]),
            parameters=config["indikatoren"], cache_dir=cache_dir,
        )  # fmt: skip
        check_out["funde"] = pl.concat(
            [
                check_out["funde"],
                planung.planning_findings(
                    tables["bedarfsplanung"], tree, cfg, tables["indikatoren"],
                    config["indikatoren"], katalog,
                ),
            ]
        )  # fmt: skip
    plan_log = planung.planning_log(
        tables["bedarfsplanung"],
        tables["bevoelkerungsprognose"],
        population.select(
            "gebiet_id", pl.col("periode").cast(pl.Date).alias("stichtag"), "einwohner"
        ),
        counts.log,
        cfg,
        config["indikatoren"],
    )
    log = pl.concat(
        [
            counts.log.filter(~band_cells).with_columns(pl.col("periode").cast(pl.Date)),
            plan_log,
            rate_log.with_columns(pl.col("periode").cast(pl.Date)),
            added.with_columns(pl.col("periode").cast(pl.Date)),
            kontrakte_log,
        ],
        how="vertical_relaxed",
    ).sort("tabelle", "merkmal", "periode", "gebiet_id")
    if ledger_out is not None:
        # the rows the disclosure step decided (not the periods added to complete a series)
        ledger_out["ledger"] = ledger.ledger(
            own_counts, pinned, log, cells.hierarchy(gebiete), population
        )
    return tables, log


def write_publish(paths: WarehousePaths, config: dict, write_excel: bool = True) -> PublishResult:
    systems: dict[str, int] = {}
    check: dict = {}
    extra: dict = {}
    tables, log = build_tables(
        paths.warehouse_db,
        config,
        paths.disclosure_cache,
        systems,
        check_out=check,
        ledger_out=extra,
    )
    docs = table_docs(paths.warehouse_db, tables)
    result = PublishResult(
        tables={k: v.height for k, v in tables.items()},
        withheld_cells=log.height,
        systems=systems,
        findings=check["funde"],
        ledger=extra["ledger"],
    )
    if not result.findings.is_empty():
        return result  # the attacker recovered cells: the old publish zone stays
    faults.point("publish:geheimhaltung_fertig")
    # publish.duckdb, parquet/ and excel/ of this version are built side by side and
    # switched together (publish/version.py); a failure leaves the published version as it was
    reuse = Reuse(paths, tables, docs)
    with version.staging(paths) as folder:
        _write_duckdb(folder / "publish.duckdb", tables, docs)
        faults.point("publish:duckdb_geschrieben")
        _write_parquet(folder / "parquet", tables, docs, reuse)
        faults.point("publish:parquet_geschrieben")
        if write_excel:
            _write_excel(folder / "excel", tables, docs, reuse)
            rel = f"excel/{kita.FOLDER}/{kita.FILE}"
            if not reuse.take(folder, rel, *kita.INPUTS):
                kita.write_workbook(folder / "excel" / kita.FOLDER, tables)
        faults.point("publish:excel_geschrieben")
        published = version.publish(paths, folder)
    reuse.save(published)
    result.reused_files = len(reuse.reused)
    _store_log(paths.warehouse_db, log, result.ledger)
    return result


def _write_duckdb(path: Path, tables: dict[str, pl.DataFrame], docs) -> None:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{path}' as neu (storage_version '{STORAGE_VERSION}')")
        # one transaction: each table and each of its ~300 comments committed on its own
        # cost a write-ahead-log commit apiece (1.1 s of 1.2 s at small scale)
        con.execute("begin")
        _create_tables(con, "neu", tables, docs)
        con.execute("commit")
        con.execute("checkpoint neu")
        con.execute("detach neu")
    finally:
        con.close()


def declared(tables: dict[str, pl.DataFrame], gebiete: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The tables in declared order, each checked against its declaration; series completed."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise DeclarationError(
            f"Veröffentlichung: Tabelle(n) {', '.join(unknown)} nicht deklariert "
            "(pipelines/publish/tables.py)"
        )
    out = {}
    for name, table in TABLES.items():
        if name not in tables:
            raise DeclarationError(f"Veröffentlichung: die deklarierte Tabelle {name} fehlt")
        frame = tables[name]
        check_columns(table, frame.columns)
        if table.series is not None:
            frame = series.complete(frame, table, gebiete)
        out[name] = frame
    return out


def mart_comments(warehouse_db: Path) -> dict[str, dict[str, str]]:
    """Column comments of the marts (dbt persist_docs): mart -> column -> comment."""
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        rows = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and comment is not null and comment <> ''"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, str]] = {}
    for table, column, comment in rows:
        out.setdefault(table, {})[column] = comment.strip()
    return out


def table_docs(warehouse_db: Path, tables: dict[str, pl.DataFrame]) -> dict[str, TableDocs]:
    comments = mart_comments(warehouse_db)
    return {
        name: resolve_docs(TABLES[name], frame.columns, comments) for name, frame in tables.items()
    }


def uncommented_columns(publish_db: Path) -> dict[str, list[str]]:
    """Per published table: its columns without a comment in publish.duckdb (`(Tabelle)`:
    the table's own comment is missing; `(fehlt)`: the declared table is not there)."""
    con = duckdb.connect(str(publish_db), read_only=True)
    try:
        own = "database_name = current_database() and schema_name = 'main' and not internal"
        rows = con.execute(
            f"select table_name, column_name, comment from duckdb_columns() where {own}"
        ).fetchall()
        comments = dict(
            con.execute(f"select table_name, comment from duckdb_tables() where {own}").fetchall()
        )
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for name in TABLES:
        if name not in comments:
            out[name] = ["(fehlt)"]
        elif not (comments[name] or "").strip():
            out[name] = ["(Tabelle)"]
    for table, column, comment in rows:
        if not (comment or "").strip():
            out.setdefault(table, []).append(column)
    return out


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_tables(con, schema: str, tables: dict[str, pl.DataFrame], docs) -> None:
    """Each table with its German table and column comments (what BI tools show)."""
    for name, frame in tables.items():
        con.register("frame", frame.to_arrow())
        con.execute(f"create table {schema}.main.{name} as select * from frame")
        con.unregister("frame")
        con.execute(f"comment on table {schema}.main.{name} is {_sql_text(docs[name].comment)}")
        for column, text in docs[name].columns.items():
            con.execute(f'comment on column {schema}.main.{name}."{column}" is {_sql_text(text)}')


def _write_parquet(
    folder: Path, tables: dict[str, pl.DataFrame], docs, reuse: Reuse | None = None
) -> None:
    """Parquet with the German comments: each field's `description`, the table's in the schema.
    `reuse`: a file the published version holds for the same table is linked, not written."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if reuse is not None and reuse.take(folder.parent, f"{folder.name}/{name}.parquet", name):
            continue
        table = _described(frame.to_arrow(), docs[name])
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd", write_statistics=True)
        faults.point("publish:eine_parquet_datei")


def _described(table, doc: TableDocs):
    import pyarrow as pa

    fields = [
        f.with_metadata({**(f.metadata or {}), b"description": doc.columns[f.name].encode()})
        for f in table.schema
    ]
    meta = {**(table.schema.metadata or {}), b"description": doc.comment.encode()}
    return table.cast(pa.schema(fields, metadata=meta))


def neutralise(value):
    """Text that a spreadsheet would run as a formula is written as plain text ('=...)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_excel(
    folder: Path, tables: dict[str, pl.DataFrame], docs=None, reuse: Reuse | None = None
) -> None:
    """One workbook per table: German headers, dates as dates, text never a formula, and a
    sheet "Erläuterungen" with the table's and every column's German comment.
    `reuse`: a workbook the published version holds for the same table is linked."""

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if reuse is not None and reuse.take(folder.parent, f"{folder.name}/{name}.xlsx", name):
            continue
        table = TABLES[name]
        if table.excel_year_end_only:
            frame = frame.filter(
                (pl.col("periode").dt.month() == 12) & (pl.col("periode").dt.day() == 31)
            )
        frame = frame.drop([c.name for c in table.columns if not c.excel], strict=False)
        frame = _with_interval_text(frame.head(EXCEL_MAX_ROWS))
        doc = docs[name] if docs else None
        if doc is not None and "intervall" in frame.columns:
            doc = TableDocs(doc.table, doc.comment, {**doc.columns, "intervall": INTERVAL_COMMENT})
        headers = [table.header(col) for col in frame.columns]
        write_sheet(
            folder / f"{name}.xlsx", frame, name[:31], headers, f"sozialmonitor: {table.title}",
            notes=explanations(table, doc, frame.columns, headers) if doc else None,
        )  # fmt: skip
        faults.point("publish:eine_excel_datei")


def explanations(table, doc: TableDocs, columns: list[str], headers: list[str]) -> pl.DataFrame:
    """The "Erläuterungen" sheet: what the table is, then each column of the data sheet."""
    rows = [
        ("Tabelle", table.title, doc.comment),
        *[("Spalte", h, f"{c}: {doc.columns[c]}") for c, h in zip(columns, headers, strict=True)],
    ]
    if table.excel_year_end_only:
        rows.insert(1, ("Hinweis", "Stichtage", "Die Arbeitsmappe enthält nur die Stichtage 31.12.; "
                        "alle Stichtage in publish.duckdb und parquet/."))  # fmt: skip
    return pl.DataFrame(rows, schema=["Art", "Name", "Erläuterung"], orient="row")


def _with_interval_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A figure known only within bounds shows its interval as the report does
    ('20,4–20,6', column `intervall`), next to the numeric bounds columns."""
    if not {"symbol", "untergrenze", "obergrenze"} <= set(frame.columns):
        return frame
    from pipelines.report.formatting import bounds_text, decimals_for_unit

    unit = pl.col("einheit") if "einheit" in frame.columns else pl.lit(None, pl.String)
    rows = (
        frame.with_row_index("_row")
        .filter((pl.col("symbol") == "/") & pl.col("untergrenze").is_not_null())
        .select("_row", "untergrenze", "obergrenze", unit.alias("_unit"))
    )
    text = pl.Series(
        "intervall",
        [
            bounds_text({"symbol": "/", "untergrenze": lo, "obergrenze": hi}, decimals_for_unit(u))
            for _, lo, hi, u in rows.rows()
        ],
        dtype=pl.String,
    )
    where = frame.columns.index("obergrenze") + 1
    return (
        frame.with_row_index("_row")
        .join(rows.select("_row", text), on="_row", how="left")
        .sort("_row")
        .drop("_row")
        .select([*frame.columns[:where], "intervall", *frame.columns[where:]])
    )


def _store_log(warehouse_db: Path, log: pl.DataFrame, loss: pl.DataFrame) -> None:
    """The suppression log stays with the planning unit: it says which cells are primary.

    The ledger is appended per build (`erstellt_um`), so a city can compare what other
    thresholds cost.
    """
    con = duckdb.connect(str(warehouse_db))
    try:
        con.execute("create schema if not exists audit")
        con.register("log_frame", log.to_arrow())
        con.execute("create or replace table audit.geheimhaltung as select * from log_frame")
        con.unregister("log_frame")
        con.register("ledger_frame", loss.to_arrow())
        con.execute(
            "create table if not exists audit.informationsverlust as "
            "select current_timestamp::timestamp as erstellt_um, * from ledger_frame limit 0"
        )
        con.execute(
            "insert into audit.informationsverlust by name "
            "select current_timestamp::timestamp as erstellt_um, * from ledger_frame"
        )
        con.unregister("ledger_frame")
    finally:
        con.close()
