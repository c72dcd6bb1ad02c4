"""Which pseudonym key a warehouse was built with, and changing it on purpose.

A different key gives every person a new pseudonym: series break, duplicate checks see
strangers. So the warehouse keeps a keyed fingerprint of its key (HMAC over a random
salt: it confirms the key without revealing it) and every person-level load compares the
key it was given with it. A key is changed only by `sozialmonitor schluessel-wechseln`,
which recomputes every stored pseudonym from the identifiers in the landing files the
warehouse's person rows came from (a pseudonym alone cannot be re-keyed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.protection.pseudonym import KEY_ENV, MissingKeyError, pseudonyms

NEW_KEY_ENV = "SOZIALMONITOR_PSEUDONYM_KEY_NEU"
_LABEL = b"sozialmonitor/schluessel-fingerabdruck\x1f"

KEY_DDL = """
create schema if not exists audit;
create table if not exists audit.schluessel (
    salz varchar not null,             -- random, per key
    fingerabdruck varchar not null,    -- HMAC-SHA256(key, label || salt): confirms, never reveals
    gesetzt_am timestamp not null
);
"""

_PSEUDONYM_RE = re.compile(r"\b[0-9a-f]{32}\b")


class KeyMismatch(MissingKeyError):
    """The key given is not the one the warehouse was pseudonymised with."""


def fingerprint(key: bytes, salt: str) -> str:
    return hmac.new(key, _LABEL + salt.encode(), hashlib.sha256).hexdigest()


def _whitespace_hint(key: bytes) -> str:
    if key != key.strip():
        return (
            " Hinweis: der angegebene Schlüssel beginnt oder endet mit Leerzeichen oder einem "
            "Zeilenumbruch (etwa aus einer Datei gelesen); er wird nicht gekürzt."
        )
    return ""


def ensure_key(con: duckdb.DuckDBPyConnection, key: bytes, where: str = "") -> None:
    """Compare `key` with the warehouse's fingerprint; store one on first use."""
    con.execute(KEY_DDL)
    row = con.execute(
        "select salz, fingerabdruck from audit.schluessel order by gesetzt_am desc limit 1"
    ).fetchone()
    if row is None:
        salt = secrets.token_hex(16)
        con.execute(
            "insert into audit.schluessel values (?, ?, current_localtimestamp())",
            [salt, fingerprint(key, salt)],
        )
        return
    salt, stored = row
    if not hmac.compare_digest(fingerprint(key, salt), stored):
        raise KeyMismatch(
            f"Der Schlüssel in {KEY_ENV} ist nicht der, mit dem dieses Warehouse{where} "
            "pseudonymisiert wurde (Fingerabdruck passt nicht). Mit einem anderen Schlüssel "
            "bekäme jede Person ein neues Pseudonym und keine Zeitreihe passte mehr; nichts "
            "wurde geladen. Den bisherigen Schlüssel setzen, oder ihn ausdrücklich wechseln: "
            "sozialmonitor schluessel-wechseln (siehe README)." + _whitespace_hint(key)
        )


def verify_key_file(warehouse_db: Path, key: bytes) -> None:
    """`ensure_key` on its own connection (the caller holds the writer lock)."""
    con = duckdb.connect(str(warehouse_db))
    try:
        ensure_key(con, key)
    finally:
        con.close()


@dataclass
class Rotation:
    pseudonyms: int
    tables: list[str]
    quarantine_rows: int


class RotationRefused(RuntimeError):
    pass


def rotate_key(
    landing: Path, warehouse_db: Path, quarantine_db: Path, old: bytes, new: bytes
) -> Rotation:
    """Recompute every stored pseudonym under `new`; all or nothing in warehouse.duckdb."""
    from pipelines.deliveries.base import DeliveryFile
    from pipelines.deliveries.registry import ALL_KINDS
    from pipelines.protection.pseudonym import clear_cache

    if hmac.compare_digest(old, new):
        raise RotationRefused("Der neue Schlüssel ist derselbe wie der bisherige.")
    con = duckdb.connect(str(warehouse_db))
    try:
        ensure_key(con, old, " bisher")
        # the kinds that store pseudonyms (their transform declares `pseudonyms`)
        kinds = [k.name for k in ALL_KINDS.values() if k.pseudonyms]
        in_raw = " union ".join(f"select load_id from raw.{k}" for k in kinds)
        loads = con.execute(
            f"""select distinct a.quelle, a.datei, a.sha256 from audit.loads a
               where a.status in ('geladen', 'ersetzt') and list_contains(?, a.quelle)
               and a.load_id in ({in_raw})
               order by 1, 2""",
            [kinds],
        ).fetchall()
        parts, missing = [], []
        for kind_name, relpath, sha in loads:
            path = landing / relpath
            kind = ALL_KINDS[kind_name]
            f = DeliveryFile(kind_name, path, relpath, None)  # type: ignore[arg-type]
            if not path.is_file() or path.is_symlink() or f.sha256() != sha:
                missing.append(relpath)
                continue
            frame = kind.read(path).frame
            for column, (namespace, _) in kind.pseudonyms.items():
                # the same text pseudonymise() hashed: the typed, stripped, non-empty cell
                cells = frame.get_column(column).cast(pl.String).str.strip_chars()
                values = [v for v in cells.drop_nulls().unique().to_list() if v]
                parts.append(
                    pl.DataFrame(
                        {
                            "alt": pseudonyms(old, namespace, values),
                            "neu": pseudonyms(new, namespace, values),
                        },
                        schema={"alt": pl.String, "neu": pl.String},
                    )
                )
        if missing:
            raise RotationRefused(
                "Schlüsselwechsel abgebrochen, nichts geändert: die Lieferungen, aus denen die "
                "gespeicherten Pseudonyme stammen, fehlen im Eingangsordner oder wurden "
                "verändert: " + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            )
        mapping = (
            pl.concat(parts).unique()
            if parts
            else pl.DataFrame(schema={"alt": pl.String, "neu": pl.String})
        )
        tables = con.execute(
            """select c.table_schema, c.table_name, c.column_name
               from information_schema.columns c join information_schema.tables t
                 on t.table_schema = c.table_schema and t.table_name = c.table_name
               where t.table_type = 'BASE TABLE' and c.column_name like '%\\_pseudonym' escape '\\'
               order by 1, 2, 3"""
        ).fetchall()
        con.register("schluessel_abbildung", mapping.to_arrow())
        con.execute("begin")
        try:
            touched = []
            for schema, table, column in tables:
                name, col = f'"{schema}"."{table}"', f'"{column}"'
                unmapped = con.execute(
                    f"""select count(*) from {name} where {col} is not null and {col} not in
                        (select alt from schluessel_abbildung)"""
                ).fetchone()[0]
                if unmapped:
                    raise RotationRefused(
                        f"Schlüsselwechsel abgebrochen, nichts geändert: {unmapped} Pseudonyme "
                        f"in {schema}.{table}.{column} stammen aus keiner Lieferung im "
                        "Eingangsordner (anderer Eingangsordner angegeben?)"
                    )
                con.execute(
                    f"""update {name} set {col} = m.neu from schluessel_abbildung m
                        where {name}.{col} = m.alt"""
                )
                touched.append(f"{schema}.{table}.{column}")
            con.execute("delete from audit.schluessel")
            salt = secrets.token_hex(16)
            con.execute(
                "insert into audit.schluessel values (?, ?, current_localtimestamp())",
                [salt, fingerprint(new, salt)],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    clear_cache()
    lookup = dict(mapping.iter_rows())
    return Rotation(mapping.height, touched, _rotate_quarantine(quarantine_db, lookup))


def _rotate_quarantine(quarantine_db: Path, lookup: dict[str, str]) -> int:
    """Pseudonyms shown in quarantine values (duplicate persons) follow the new key."""
    if not quarantine_db.exists():
        return 0
    con = duckdb.connect(str(quarantine_db))
    try:
        from pipelines.deliveries.registry import ALL_KINDS

        kinds = [k.name for k in ALL_KINDS.values() if k.pseudonyms]
        rows = con.execute(
            """select rowid, werte from quarantaene where list_contains(?, quelle)
               and regexp_matches(werte, '[0-9a-f]{32}')""",
            [kinds],
        ).fetchall()
        con.execute("begin")
        for rowid, werte in rows:
            new = _PSEUDONYM_RE.sub(lambda m: lookup.get(m.group(0), m.group(0)), werte)
            con.execute("update quarantaene set werte = ? where rowid = ?", [new, rowid])
        con.execute("commit")
        return len(rows)
    finally:
        con.close()
