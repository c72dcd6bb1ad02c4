"""Writing the publish zone: a new publish.duckdb swapped in atomically, Parquet and Excel.

BI tools hold `publish.duckdb` open read-only. We never write into that file: the new
version is built beside it and moved over it with one rename, so a reader keeps its
consistent old version (the old inode) and never blocks the pipeline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines.disclosure import DisclosureConfig
from pipelines.publish import cells
from pipelines.warehouse.files import WarehousePaths

# DuckDB storage format of publish.duckdb: readable by every DuckDB >= 1.0 (the JDBC/ODBC
# drivers of BI tools lag behind the Python package)
STORAGE_VERSION = "v1.0.0"

GERMAN_HEADERS = {
    "indikator_id": "Indikator", "gebiet_id": "Gebiet", "ebene": "Ebene", "ebene_rang": "Ebenenrang",
    "periode": "Stichtag", "zaehler": "Zähler", "nenner": "Nenner", "wert": "Wert", "symbol": "Zeichen",
    "einheit": "Einheit", "nenner_stichtag": "Stichtag Nenner", "gebietsstand": "Gebietsstand",
    "umgerechnet": "umgerechnet", "unsicher": "unsicher", "untergrenze": "Untergrenze",
    "obergrenze": "Obergrenze", "dynamik": "Veränderung (Prozentpunkte)",
    "dynamik_vergleichsperiode": "Vergleichsstichtag", "name": "Name", "parent_id": "übergeordnet",
    "gueltig_ab": "gültig ab", "gueltig_bis": "gültig bis", "bezeichnung": "Bezeichnung",
    "bereich": "Bereich", "definition": "Definition", "quelle": "Quelle", "haushaltsjahr": "Haushaltsjahr",
    "kennzahl": "Kennzahl", "schluessel": "Schlüssel", "schluessel_art": "Art", "jahr": "Jahr",
    "istwert": "Istwert", "zielwert": "Zielwert", "abstand": "Abstand", "richtung": "Richtung",
    "erreicht": "erreicht", "beschluss": "Beschluss", "einwohner": "Einwohner",
    "status_index": "Status-Index", "dynamik_index": "Dynamik-Index", "status_klasse": "Statusklasse",
    "dynamik_klasse": "Dynamikklasse", "gesamtindex": "Gesamtindex", "gruppe": "Gruppe",
    "ausschluss_grund": "Ausschlussgrund", "statussumme": "Statussumme", "dynamiksumme": "Dynamiksumme",
}  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_000_000


@dataclass
class PublishResult:
    tables: dict[str, int] = field(default_factory=dict)
    withheld_cells: int = 0
    small_counts: int = 0
    systems: dict[str, int] = field(default_factory=dict)  # disclosure: solved / from cache


def _read(con, sql: str) -> pl.DataFrame:
    return con.execute(sql).pl()


def build_tables(
    warehouse_db: Path, config: dict, cache_dir: Path | None = None, stats: dict | None = None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    cfg = DisclosureConfig.from_dict(config.get("offenlegung"))
    con = duckdb.connect(str(warehouse_db), read_only=True)
    try:
        basis = _read(con, "select * from marts.basiszahlen")
        gebiete = _read(con, "select * from marts.gebiete")
        ind = _read(con, "select * from marts.indikatoren")
        index = _read(con, "select * from marts.sozialindex")
        controlling = _read(con, "select * from marts.controlling")
        ziele = _read(con, "select * from marts.zielerreichung")
        katalog = _read(con, "select * from marts.indikatorkatalog order by reihenfolge")
    finally:
        con.close()
    counts = cells.disclose_counts(basis, gebiete, cfg, cache_dir, stats=stats)
    published, rate_log = cells.publish_indicators(ind, counts.cells, cfg)
    tables = {
        "indikatoren": published,
        "indikatoren_breit": cells.wide(published),
        "sozialindex": cells.publish_sozialindex(
            index, published, list(config["sozialindex"]["status"])
        ),
        "controlling": cells.publish_controlling(controlling, cfg),
        "zielerreichung": cells.publish_goals(ziele, published),
        "gebiete": gebiete.sort("ebene_rang", "gebiet_id", "gueltig_ab"),
        "indikatorkatalog": katalog,
    }
    log = pl.concat(
        [
            counts.log.with_columns(pl.col("periode").cast(pl.Date)),
            rate_log.with_columns(pl.col("periode").cast(pl.Date)),
        ],
        how="vertical_relaxed",
    ).sort("tabelle", "merkmal", "periode", "gebiet_id")
    return tables, log


def write_publish(paths: WarehousePaths, config: dict, write_excel: bool = True) -> PublishResult:
    systems: dict[str, int] = {}
    tables, log = build_tables(paths.warehouse_db, config, paths.disclosure_cache, systems)
    result = PublishResult(
        tables={k: v.height for k, v in tables.items()}, withheld_cells=log.height, systems=systems
    )
    tmp = paths.publish_db.with_name(f".publish.{os.getpid()}.duckdb")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{tmp}' as neu (storage_version '{STORAGE_VERSION}')")
        for name, frame in tables.items():
            con.register("frame", frame.to_arrow())
            con.execute(f"create table neu.main.{name} as select * from frame")
            con.unregister("frame")
        con.execute("checkpoint neu")
        con.execute("detach neu")
    finally:
        con.close()
    os.chmod(tmp, 0o644)
    os.replace(tmp, paths.publish_db)  # the atomic swap
    _write_parquet(paths.parquet_dir, tables)
    if write_excel:
        _write_excel(paths.excel_dir, tables)
    _store_log(paths.warehouse_db, log)
    return result


def _write_parquet(folder: Path, tables: dict[str, pl.DataFrame]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        tmp = folder / f".{name}.parquet.tmp"
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, folder / f"{name}.parquet")
    for stale in folder.glob("*.parquet"):
        if stale.stem not in tables:
            stale.unlink()


def neutralise(value):
    """Text that a spreadsheet would run as a formula is written as plain text ('=...)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_excel(folder: Path, tables: dict[str, pl.DataFrame]) -> None:
    """One workbook per table: German headers, dates as dates, text never a formula."""
    from pipelines.publish.xlsx import write_sheet

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name in ("indikatoren", "indikatoren_breit"):
            # Excel holds one million rows: the workbook has the reference dates 31.12.
            frame = frame.filter(
                (pl.col("periode").dt.month() == 12) & (pl.col("periode").dt.day() == 31)
            )
        if "geometrie_geojson" in frame.columns:
            frame = frame.drop("geometrie_geojson")
        frame = frame.head(EXCEL_MAX_ROWS)
        tmp = folder / f".{name}.xlsx.tmp"
        headers = [GERMAN_HEADERS.get(col, col) for col in frame.columns]
        write_sheet(tmp, frame, name[:31], headers, f"sozialmonitor: {name}")
        os.replace(tmp, folder / f"{name}.xlsx")


def _store_log(warehouse_db: Path, log: pl.DataFrame) -> None:
    """The suppression log stays with the planning unit: it says which cells are primary."""
    con = duckdb.connect(str(warehouse_db))
    try:
        con.execute("create schema if not exists audit")
        con.register("log_frame", log.to_arrow())
        con.execute("create or replace table audit.geheimhaltung as select * from log_frame")
        con.unregister("log_frame")
    finally:
        con.close()
