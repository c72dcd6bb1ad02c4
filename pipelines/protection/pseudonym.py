"""Keyed pseudonyms for case and person numbers (HMAC-SHA256, docs/protection.md).

Each distinct identifier is hashed once and joined back: a snapshot of 100,000
rows usually holds far fewer distinct persons than rows across a series, and
HMAC in Python is the expensive part. Two things keep it cheap:

- the HMAC state after key and namespace is computed once and copied per value
  (`hmac.new` per value redoes the key schedule every time);
- monthly snapshots repeat most persons, so the mapping of one namespace is kept
  while the same key object is in use (one ingest run of a kind: `LoadContext`
  builds the key once) and only values not seen yet are hashed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading

import polars as pl

KEY_ENV = "SOZIALMONITOR_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
# character statistics of the key (Shannon estimate): 16 random hex digits give ~50 bits
MIN_DISTINCT_CHARS = 6
MIN_KEY_BITS = 40
PSEUDONYM_HEX = 32  # 128 bit: collisions are out of reach for any city
# identifiers kept per namespace before the mapping is dropped (about 100 bytes each)
CACHE_LIMIT = 2_000_000


class MissingKeyError(RuntimeError):
    pass


def key_from_env(env: str = KEY_ENV) -> bytes:
    """The key exactly as set: never stripped, so a stray newline is a different key."""
    key = os.environ.get(env, "")
    if not key:
        raise MissingKeyError(
            f"Die Umgebungsvariable {env} ist nicht gesetzt. Personenbezogene Lieferungen "
            "(SGB XII, SGB VIII) werden ohne Pseudonymisierungsschlüssel nicht geladen. "
            "Setzen Sie einen geheimen Schlüssel (mindestens 16 Zeichen), der für diese Stadt "
            "gleich bleibt, z. B. aus dem Passwortsafe der Stelle."
        )
    problem = key_weakness(key)
    if problem:
        raise MissingKeyError(
            f"Der Schlüssel in {env} ist zu schwach: {problem}. Nötig sind mindestens "
            f"{MIN_KEY_LENGTH} Zeichen mit genug Zufall, z. B. aus "
            "'python3 -c \"import secrets; print(secrets.token_hex(32))\"'."
        )
    return key.encode("utf-8")


def key_weakness(key: str) -> str | None:
    """Why `key` is too guessable, or None. An estimate, meant to stop the obvious."""
    import math
    from collections import Counter

    n = len(key)
    if n < MIN_KEY_LENGTH:
        return f"nur {n} Zeichen"
    if not key.strip():
        return "nur Leerzeichen"
    for period in range(1, n // 2 + 1):
        if n % period == 0 and key == key[:period] * (n // period):
            return "eine Wiederholung derselben Zeichenfolge"
    counts = Counter(key)
    bits = -sum(c * math.log2(c / n) for c in counts.values())
    if len(counts) < MIN_DISTINCT_CHARS or bits < MIN_KEY_BITS:
        return f"zu wenige verschiedene Zeichen ({len(counts)})"
    return None


def pseudonym(key: bytes, namespace: str, value: str) -> str:
    msg = f"{namespace}\x1f{value.strip()}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def pseudonyms(key: bytes, namespace: str, values: list[str]) -> list[str]:
    """`pseudonym` for many values: the keyed state of `namespace` is built once."""
    base = hmac.new(key, f"{namespace}\x1f".encode(), hashlib.sha256)
    out = []
    for v in values:
        h = base.copy()
        h.update(v.strip().encode())
        out.append(h.hexdigest()[:PSEUDONYM_HEX])
    return out


class _Mappings:
    """value -> pseudonym per namespace, valid for one key object only."""

    def __init__(self) -> None:
        self.key: bytes | None = None
        self.frames: dict[str, pl.DataFrame] = {}
        self.lock = threading.Lock()  # files of a kind are prepared in parallel threads

    def lookup(self, key: bytes, namespace: str, distinct: pl.Series) -> pl.DataFrame:
        """Mapping (`v`, `p`) of exactly the `distinct` values; hashes only unseen ones."""
        with self.lock:
            return self._lookup(key, namespace, distinct)

    def _lookup(self, key: bytes, namespace: str, distinct: pl.Series) -> pl.DataFrame:
        if key is not self.key:  # another run (or key): never reuse a mapping across keys
            self.key, self.frames = key, {}
        known = self.frames.get(namespace)
        if known is None or known.height > CACHE_LIMIT:
            known = pl.DataFrame(schema={"v": pl.String, "p": pl.String})
        wanted = distinct.to_frame("v")
        found = wanted.join(known, on="v", how="inner")
        if found.height == wanted.height:
            return found
        new = wanted.join(known, on="v", how="anti").get_column("v")
        added = pl.DataFrame(
            {"v": new, "p": pseudonyms(key, namespace, new.to_list())},
            schema={"v": pl.String, "p": pl.String},
        )
        self.frames[namespace] = pl.concat([known, added])
        return pl.concat([found, added])

    def clear(self) -> None:
        self.key, self.frames = None, {}


_MAPPINGS = _Mappings()


def clear_cache() -> None:
    """Forget every kept identifier (tests, or a long-lived process between runs)."""
    _MAPPINGS.clear()


def pseudonymise(
    frame: pl.DataFrame, column: str, key: bytes, namespace: str, alias: str
) -> pl.DataFrame:
    """Replace `column` by its pseudonym in `alias`; hashes every distinct value once."""
    distinct = frame.get_column(column).cast(pl.String).drop_nulls().unique()
    mapping = _MAPPINGS.lookup(key, namespace, distinct).rename({"v": column, "p": alias})
    return frame.join(mapping, on=column, how="left", maintain_order="left").drop(column)
