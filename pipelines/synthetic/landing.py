"""Writing the landing folder and keeping the manifest: files, encodings, defects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .formats import encode_text, frame_to_text


@dataclass
class Landing:
    root: Path
    progress: Callable[[str, int], None] | None = None
    files: dict[str, dict] = field(default_factory=dict)
    defects: list[dict] = field(default_factory=list)

    def _record(
        self, rel: str, kind: str, period: str | None, rows: int, encoding: str, fmt: str, **extra
    ) -> None:
        self.files[rel] = {
            "kind": kind,
            "period": period,
            "rows": rows,
            "encoding": encoding,
            "format": fmt,
            **extra,
        }
        if self.progress is not None:
            self.progress(rel, rows)

    def write_bytes(
        self,
        rel: str,
        data: bytes,
        *,
        kind: str,
        period: str | None,
        rows: int,
        encoding: str,
        fmt: str,
        **extra,
    ) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self._record(rel, kind, period, rows, encoding, fmt, **extra)

    def write_text(
        self,
        rel: str,
        text: str,
        *,
        kind: str,
        period: str | None,
        rows: int,
        encoding: str,
        fmt: str = "csv",
        **extra,
    ) -> None:
        self.write_bytes(
            rel,
            encode_text(text, encoding),
            kind=kind,
            period=period,
            rows=rows,
            encoding=encoding,
            fmt=fmt,
            **extra,
        )

    def write_frame(
        self, rel: str, df: pl.DataFrame, *, kind: str, period: str | None, encoding: str
    ) -> None:
        self.write_text(
            rel, frame_to_text(df), kind=kind, period=period, rows=df.height, encoding=encoding
        )

    def defect(
        self, rel: str, line: int | None, column: str | None, reason: str, level: str = "row"
    ) -> None:
        self.defects.append(
            {"file": rel, "line": line, "column": column, "reason": reason, "level": level}
        )


@dataclass
class RowEdits:
    """Row-level defects planned on a frame before it is written.

    Positions are 0-based data rows; `insert_copy` shifts later positions so the recorded
    line numbers always match the file as written.
    """

    edits: list[tuple[int, str, str, str]] = field(default_factory=list)  # pos, col, value, reason
    copies: list[tuple[int, int]] = field(default_factory=list)  # (source pos, target pos)

    def set(self, pos: int, column: str, value: str, reason: str) -> None:
        self.edits.append((pos, column, value, reason))

    def insert_copy(self, source: int, target: int) -> None:
        self.copies.append((source, target))

    def apply(self, df: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, str, str]]]:
        """Return the edited frame and (position, column, reason) of every defect."""
        by_col: dict[str, tuple[list[int], list[str]]] = {}
        for pos, col, value, _ in self.edits:
            by_col.setdefault(col, ([], []))
            by_col[col][0].append(pos)
            by_col[col][1].append(value)
        for col, (pos, vals) in by_col.items():
            df = df.with_columns(df[col].scatter(pos, pl.Series(vals, dtype=df[col].dtype)))
        found = [(pos, col, reason) for pos, col, _, reason in self.edits]
        for source, target in sorted(self.copies, key=lambda c: c[1], reverse=True):
            df = pl.concat([df[:target], df[source : source + 1], df[target:]])
            found = [(p + 1 if p >= target else p, c, r) for p, c, r in found]
            found.append((target, "person_nr", "person_doppelt"))
        return df, found
