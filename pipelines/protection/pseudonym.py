"""Keyed pseudonyms for case and person numbers (HMAC-SHA256, protection.md).

Each distinct identifier is hashed once and joined back: a snapshot of 100,000
rows usually holds far fewer distinct persons than rows across a series, and
HMAC in Python is the expensive part.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import polars as pl

KEY_ENV = "SOZIALMONITOR_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PSEUDONYM_HEX = 32  # 128 bit: collisions are out of reach for any city


class MissingKeyError(RuntimeError):
    pass


def key_from_env() -> bytes:
    key = os.environ.get(KEY_ENV, "")
    if not key:
        raise MissingKeyError(
            f"Die Umgebungsvariable {KEY_ENV} ist nicht gesetzt. Personenbezogene Lieferungen "
            "(SGB XII, SGB VIII) werden ohne Pseudonymisierungsschlüssel nicht geladen. "
            "Setzen Sie einen geheimen Schlüssel (mindestens 16 Zeichen), der für diese Stadt "
            "gleich bleibt, z. B. aus dem Passwortsafe der Stelle."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise MissingKeyError(
            f"Der Schlüssel in {KEY_ENV} ist zu kurz (mindestens {MIN_KEY_LENGTH} Zeichen)."
        )
    return key.encode("utf-8")


def pseudonym(key: bytes, namespace: str, value: str) -> str:
    msg = f"{namespace}\x1f{value.strip()}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def pseudonymise(
    frame: pl.DataFrame, column: str, key: bytes, namespace: str, alias: str
) -> pl.DataFrame:
    """Replace `column` by its pseudonym in `alias`; hashes every distinct value once."""
    distinct = frame.get_column(column).drop_nulls().unique()
    mapping = pl.DataFrame(
        {
            column: distinct,
            alias: [pseudonym(key, namespace, v) for v in distinct.to_list()],
        },
        schema={column: pl.String, alias: pl.String},
    )
    return frame.join(mapping, on=column, how="left").drop(column)
