"""Writing deliveries into the raw zone: one transaction per file, audit row included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.raw_tables import (
    PERIOD_COLUMN,
    QUARANTINE_DDL,
    RAW_TABLES,
    create_raw_schema_sql,
)

AUDIT_COLUMNS = (
    "load_id", "run_id", "quelle", "datei", "sha256", "groesse_bytes", "periode",
    "zeilen_gelesen", "zeilen_geladen", "zeilen_quarantaene", "zeilen_abgewiesen",
    "vertrag_version", "code_version", "gestartet_am", "beendet_am", "status", "meldung",
    "bezugsdatum",
)  # fmt: skip
QUARANTINE_COLUMNS = (
    "load_id", "run_id", "quelle", "datei", "sha256", "zeile", "spalte", "grund", "werte",
    "erfasst_am",
)  # fmt: skip


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def init_warehouse(warehouse_db: Path, quarantine_db: Path) -> None:
    with connect(warehouse_db) as con:
        con.execute(create_raw_schema_sql())
    with connect(quarantine_db) as con:
        con.execute(QUARANTINE_DDL)
    for db in (warehouse_db, quarantine_db):
        restrict(db)


def restrict(path: Path) -> None:
    """Owner-only access: unsuppressed unit records and quarantined values (docs/protection.md).

    DuckDB creates files with the process umask (usually world-readable).
    """
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            p.chmod(0o600)


def current_load(con: duckdb.DuckDBPyConnection, quelle: str, periode: str) -> tuple | None:
    """(sha256, status) of the newest load of a period that changed the warehouse."""
    return con.execute(
        """select sha256, status from audit.loads
           where quelle = ? and periode = ? and status in ('geladen', 'ersetzt')
           order by beendet_am desc, load_id desc limit 1""",
        [quelle, periode],
    ).fetchone()


def last_rejection(con: duckdb.DuckDBPyConnection, quelle: str, datei: str, sha256: str) -> bool:
    row = con.execute(
        """select status from audit.loads where quelle = ? and datei = ?
           order by beendet_am desc, load_id desc limit 1""",
        [quelle, datei],
    ).fetchone()
    if row is None or row[0] != "abgewiesen":
        return False
    same = con.execute(
        """select count(*) from audit.loads where quelle = ? and datei = ? and sha256 = ?
           and status = 'abgewiesen'""",
        [quelle, datei, sha256],
    ).fetchone()
    return bool(same and same[0])


class Session:
    """The two connections one asset run writes through (opened once, closed at the end)."""

    def __init__(self, warehouse_db: Path, quarantine_db: Path):
        self.warehouse = duckdb.connect(str(warehouse_db))
        self.quarantine = duckdb.connect(str(quarantine_db))
        # one checkpoint per session instead of one per file: every commit is still in the
        # write-ahead log (durable, replayed after a crash), the main file is written once
        self.warehouse.execute("set checkpoint_threshold = '4GB'")

    def close(self) -> None:
        try:
            self.warehouse.execute("checkpoint")
        finally:
            self.warehouse.close()
            self.quarantine.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_quarantine(con: duckdb.DuckDBPyConnection, load_id: str, rows: pl.DataFrame) -> None:
    """Replace this load's quarantine rows (idempotent: a rerun writes the same rows)."""
    con.execute("begin")
    con.execute("delete from quarantaene where load_id = ?", [load_id])
    if rows.height:
        con.register("q_rows", rows.select(QUARANTINE_COLUMNS).to_arrow())
        con.execute(f"insert into quarantaene select {', '.join(QUARANTINE_COLUMNS)} from q_rows")
        con.unregister("q_rows")
    con.execute("commit")


def replace_period(
    con: duckdb.DuckDBPyConnection,
    table: str,
    period_value,
    rows: pl.DataFrame,
    audit: dict,
) -> None:
    """Replace one period of a raw table and log the load, all in one transaction."""
    if table not in RAW_TABLES:
        raise ValueError(f"unknown raw table {table}")
    period_col = PERIOD_COLUMN[table]
    con.execute("begin")
    try:
        if period_col is None:
            con.execute(f"delete from raw.{table}")
        else:
            con.execute(f"delete from raw.{table} where {period_col} = ?", [period_value])
        if rows.height:
            cols = [c for c in _table_columns(con, table)]
            con.register("new_rows", rows.select(cols).to_arrow())
            con.execute(f"insert into raw.{table} ({', '.join(cols)}) select * from new_rows")
            con.unregister("new_rows")
        insert_audit(con, audit)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def insert_audit(con: duckdb.DuckDBPyConnection, audit: dict) -> None:
    values = [audit.get(c) for c in AUDIT_COLUMNS]
    con.execute(
        f"insert into audit.loads ({', '.join(AUDIT_COLUMNS)}) values "
        f"({', '.join('?' for _ in AUDIT_COLUMNS)})",
        values,
    )


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
