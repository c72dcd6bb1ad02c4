"""analyse.duckdb: a read-only copy of the marts for analysts, that never blocks a run.

DuckDB locks a whole file, read-only connections included: an analyst with DBeaver open
on warehouse.duckdb would stop the next run. Analysts open `analyse.duckdb` instead. It
is written beside the old copy and renamed over it after every successful build of the
marts, so an open connection keeps its consistent old copy (the old inode) and the run
never waits for it. Same folder, same owner-only rights as the warehouse: the marts are
unsuppressed.
"""

from __future__ import annotations

import json
import os
import shutil
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


def _stamp_file(paths: WarehousePaths) -> Path:
    """What each table of the current analyse.duckdb was copied from (warehouse folder,
    never read by analysts)."""
    return paths.root / ".analyse_stand.json"


def _file_id(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _columns(con, name: str) -> list[tuple]:
    """(column_name, data_type, comment) of wh.marts.<name>, in order."""
    return con.execute(
        "select column_name, data_type, comment from duckdb_columns() "
        "where database_name = 'wh' and schema_name = ? and table_name = ? order by column_index",
        [SCHEMA, name],
    ).fetchall()


def _fingerprint(con, name: str, comment: str | None, columns: list[tuple]) -> str:
    """Rows, a sum of row hashes, the columns (names, types, comments) and the table
    comment of wh.marts.<name>. Equal fingerprints: the copy of the table stands."""
    rows, hashes = con.execute(
        f"select count(*), sum(hash(t)::hugeint) from wh.{SCHEMA}.{_quote(name)} as t"
    ).fetchone()
    return json.dumps([rows, str(hashes), columns, comment], default=str)


def _previous(paths: WarehousePaths, target: Path) -> dict[str, str]:
    """The fingerprints of the current copy's tables, or {} (no copy, or the stamp is not
    the copy's: then every table is copied)."""
    try:
        stamp = json.loads(_stamp_file(paths).read_text(encoding="utf-8"))
        if stamp.get("datei") != _file_id(target):
            return {}
        return dict(stamp["tabellen"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_analysis_copy(paths: WarehousePaths) -> tuple[dict[str, int], list[str]]:
    """Copy every table of `marts` (with its comments) into a new analyse.duckdb.

    The new file starts as a copy of the current one when its stamp fits it: a table whose
    fingerprint (rows, row hashes, columns, comments) is unchanged stays as it is, the
    others are copied again (one more month: the projection, the largest mart, stays). A
    copy changed since it was written (another inode, size or time) is not reused.
    Returns the rows per table and the tables copied (not kept)."""
    target = analysis_db(paths)
    tmp = target.with_name(f".analyse.{os.getpid()}.duckdb")
    tmp.unlink(missing_ok=True)
    previous = _previous(paths, target) if target.exists() else {}
    if previous:
        shutil.copyfile(target, tmp)
        os.chmod(tmp, 0o600)
    rows: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(str(paths.warehouse_db))} as wh (read_only)")
        con.execute(f"attach {_literal(str(tmp))} as kopie")
        tables = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = 'wh' and schema_name = ? order by 1",
            [SCHEMA],
        ).fetchall()
        columns = {name: _columns(con, name) for name, _ in tables}
        now = {name: _fingerprint(con, name, comment, columns[name]) for name, comment in tables}
        present = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'kopie' "
                "and schema_name = ?",
                [SCHEMA],
            ).fetchall()
        }
        keep = {n for n in present if n in now and previous.get(n) == now[n]}
        # first drop what is copied again (and what the marts no longer have), then
        # checkpoint: the new tables reuse the freed blocks instead of growing the file
        con.execute("begin")
        con.execute(f"create schema if not exists kopie.{SCHEMA}")
        for name in sorted(present - keep):
            con.execute(f"drop table kopie.{SCHEMA}.{_quote(name)}")
        con.execute("commit")
        con.execute("checkpoint kopie")
        # one transaction: a commit per table and per column comment cost most of the copy
        con.execute("begin")
        for name, comment in tables:
            q = f"{SCHEMA}.{_quote(name)}"
            if name not in keep:
                con.execute(f"create table kopie.{q} as select * from wh.{q}")
                if comment:
                    con.execute(f"comment on table kopie.{q} is {_literal(comment)}")
                for column, _, col_comment in columns[name]:
                    if col_comment is not None:
                        con.execute(
                            f"comment on column kopie.{q}.{_quote(column)} "
                            f"is {_literal(col_comment)}"
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
    stamp = _stamp_file(paths)
    part = stamp.with_name(stamp.name + ".neu")
    part.write_text(json.dumps({"datei": _file_id(target), "tabellen": now}), encoding="utf-8")
    os.replace(part, stamp)
    return rows, sorted(set(rows) - keep)
