"""Digests for what disclosure results are remembered under between runs (owner-only
warehouse folder): everything a result depends on, including the rules' source code, so a
remembered result is never reused for other input or other rules."""

from __future__ import annotations

import hashlib
import io
from functools import cache
from pathlib import Path

import polars as pl


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\x00")
    return h.hexdigest()[:32]


@cache
def rules_digest(*extra: Path) -> str:
    """The source of every module of `pipelines.disclosure` (and `extra` files)."""
    files = [*sorted(Path(__file__).resolve().parent.glob("*.py")), *extra]
    return digest(*(f.read_bytes() for f in files))


def frame_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as Arrow IPC bytes, one chunk: the same rows and types give the same bytes
    (digest input, and how the systems travel to their worker processes)."""
    buf = io.BytesIO()
    frame.rechunk().write_ipc(buf, compression="uncompressed")
    return buf.getvalue()
