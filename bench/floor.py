"""The floor: DuckDB `read_csv` reading every CSV delivery once into a table, nothing else.

all_varchar (no type inference), `;`, the file's encoding (Windows-1252 read as latin-1:
DuckDB bundles no cp1252), the BA title lines skipped; footer lines and cut-off lines are
dropped by `ignore_errors`. XLSX and GeoJSON files are not part of the floor.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.landing import CsvFile

DUCKDB_ENCODING = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "latin-1"}


def read_all(landing: Path, files: list[CsvFile]) -> dict:
    con = duckdb.connect()  # in memory: the floor stores nothing on disk
    rows = 0
    try:
        for i, f in enumerate(files):
            con.execute(
                f"create or replace table t{i % 2} as select * from read_csv(?, delim=';', "
                "header=true, all_varchar=true, quote='\"', skip=?, encoding=?, "
                "ignore_errors=true, strict_mode=false, null_padding=false, auto_detect=true)",
                [str(landing / f.relpath), f.skip, DUCKDB_ENCODING.get(f.encoding, "utf-8")],
            )
            rows += con.execute(f"select count(*) from t{i % 2}").fetchone()[0]
    finally:
        con.close()
    return {"rows": rows, "files": len(files), "bytes": sum(f.size for f in files)}
