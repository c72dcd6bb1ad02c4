"""analyse.duckdb: a read-only copy of the marts for analysts, that never blocks a run.

DuckDB locks a whole file, read-only connections included: an analyst with DBeaver open
on warehouse.duckdb would stop the next run. Analysts open `analyse.duckdb` instead. It
is written beside the old copy and renamed over it after every successful build of the
marts, so an open connection keeps its consistent old copy (the old inode) and the run
never waits for it. Same folder, same owner-only rights as the warehouse: the marts are
unsuppressed.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.warehouse.files import WarehousePaths

SCHEMA = "marts"


def analysis_db(paths: WarehousePaths) -> Path:
    return paths.root / "analyse.duckdb"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_analysis_copy(paths: WarehousePaths) -> dict[str, int]:
    """Copy every table of `marts` (with its comments) into a new analyse.duckdb."""
    target = analysis_db(paths)
    tmp = target.with_name(f".analyse.{os.getpid()}.duckdb")
    tmp.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(str(paths.warehouse_db))} as wh (read_only)")
        con.execute(f"attach {_literal(str(tmp))} as kopie")
        # one transaction: a commit per table and per column comment cost most of the copy
        con.execute("begin")
        con.execute(f"create schema kopie.{SCHEMA}")
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'wh' and schema_name = ? order by 1",
            [SCHEMA],
        ).fetchall()
        for name, comment in tables:
            q = f"{SCHEMA}.{_quote(name)}"
            con.execute(f"create table kopie.{q} as select * from wh.{q}")
            if comment:
                con.execute(f"comment on table kopie.{q} is {_literal(comment)}")
            for column, col_comment in con.execute(
                "select column_name, comment from duckdb_columns() where database_name = 'wh' "
                "and schema_name = ? and table_name = ? and comment is not null",
                [SCHEMA, name],
            ).fetchall():
                con.execute(
                    f"comment on column kopie.{q}.{_quote(column)} is {_literal(col_comment)}"
                )
            rows[name] = con.execute(f"select count(*) from kopie.{q}").fetchone()[0]
        con.execute("commit")
        con.execute("checkpoint kopie")
        con.execute("detach kopie")
        con.execute("detach wh")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, target)
    return rows
