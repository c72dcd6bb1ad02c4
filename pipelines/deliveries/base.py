"""What every delivery kind shares: discovery, the contract-driven read, the load context."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.deliveries.cells import type_columns
from pipelines.deliveries.periods import STAND, Period, period_from_name
from pipelines.parsing.table import ColumnSpec, FileRejected, ParsedTable, read_table


@dataclass(frozen=True)
class DeliveryFile:
    kind: str
    path: Path
    relpath: str
    period: Period

    def sha256(self) -> str:
        h = hashlib.sha256()
        with self.path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


@dataclass
class LoadContext:
    """Reference data and secrets a transform needs; built once per run."""

    areas: pl.DataFrame | None = None  # gebiet_id, ebene_rang, gueltig_ab, gueltig_bis (finest)
    directory: pl.DataFrame | None = None  # prepared street directory
    pseudonym_key: bytes | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Transformed:
    rows: pl.DataFrame  # raw table columns except load_id
    quarantine: pl.DataFrame  # _zeile, spalte, grund, werte
    rows_read: int
    warnings: list[str] = field(default_factory=list)


class DeliveryKind:
    """One kind of delivery: where its files lie, how their period is named, how to load."""

    name: str = ""
    folder: str = ""
    table: str = ""
    period_kind: str | None = None  # stichtag | monat | jahr | None (reference data)
    file_stem: str = ""  # reference files: exact stem, e.g. 'gebiete'
    suffixes: tuple[str, ...] = (".csv",)
    person_level: bool = False

    # --- contract -------------------------------------------------------------------------
    def contract(self):
        from pipelines.contracts import load_contract

        return load_contract(self.name)

    def column_specs(self) -> list[ColumnSpec]:
        return [
            ColumnSpec(c.name, tuple(c.aliases or ()), bool(c.required))
            for c in self.contract().columns
            if c.origin == "spalte"
        ]

    def column_types(self) -> dict[str, str]:
        out = {}
        for c in self.contract().columns:
            if c.origin != "spalte":
                continue
            if getattr(c, "ba_symbols", False):
                out[c.name] = "ba_count"
            elif c.logical_type in ("integer", "number", "date"):
                out[c.name] = c.logical_type
            else:
                out[c.name] = "string"
        return out

    def contract_version(self) -> str:
        return str(self.contract().version)

    # --- files ----------------------------------------------------------------------------
    def matches(self, path: Path) -> bool:
        if path.suffix.lower() not in self.suffixes:
            return False
        if self.period_kind is None:
            return path.stem == self.file_stem
        return path.stem.startswith(self.file_stem + "_")

    def period_of(self, path: Path) -> Period | None:
        if self.period_kind is None:
            return STAND
        return period_from_name(path.stem, self.period_kind)

    # --- reading --------------------------------------------------------------------------
    def read(self, path: Path) -> ParsedTable:
        return read_table(path, self.column_specs())

    def typed(
        self, parsed: ParsedTable, file: DeliveryFile | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Typed canonical frame in the dtypes of the contract (+ columns from name/title)."""
        typed, bad = type_columns(parsed.frame, self.column_types())
        casts, derived = [], []
        for c in self.contract().columns:
            if c.origin != "spalte":
                value = file.period.value if file is not None else None
                derived.append(pl.lit(value).cast(c.dtype).alias(c.name))
            elif isinstance(c.dtype, pl.Decimal):
                casts.append(pl.col(c.name).round(c.dtype.scale or 0).cast(c.dtype))
            elif typed.schema.get(c.name) != c.dtype:
                casts.append(pl.col(c.name).cast(c.dtype))
        return typed.with_columns(casts + derived), bad

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        raise NotImplementedError


def reject(reason: str, message: str) -> FileRejected:
    return FileRejected(reason, message)
