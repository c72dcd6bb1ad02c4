"""audit.eingang: every file of the landing folder and what one run made of it."""

from __future__ import annotations

from pathlib import Path

from pipelines.warehouse import store

COLUMNS = (
    "lauf_id", "datei", "quelle", "periode", "status", "grund", "meldung", "aehnelt", "sha256",
    "groesse_bytes", "erfasst_am",
)  # fmt: skip


def current_sha256(con) -> dict[tuple[str, str], str]:
    """(kind, period) -> sha256 of the file the warehouse holds for it (audit.loads)."""
    return {
        (q, p): sha
        for q, p, sha in con.execute(
            """select quelle, periode, arg_max(sha256, beendet_am) from audit.loads
               where status in ('geladen', 'ersetzt') group by 1, 2"""
        ).fetchall()
    }


def write_inventory(warehouse_db: Path, lauf_id: str, entries: list) -> None:
    """One row per file; a run's inventory is written once, in one transaction."""
    ts = store.now()
    rows = [
        (lauf_id, e.relpath, e.kind, e.period_key, e.status, e.reason, e.message, e.resembles,
         e.sha256, e.size, ts)
        for e in entries
    ]  # fmt: skip
    with store.connect(warehouse_db) as con:
        con.execute("begin")
        con.execute("delete from audit.eingang where lauf_id = ?", [lauf_id])
        if rows:
            con.executemany(
                f"insert into audit.eingang ({', '.join(COLUMNS)}) values "
                f"({', '.join('?' for _ in COLUMNS)})",
                rows,
            )
        con.execute("commit")
