"""What every delivery kind shares: discovery, the contract-driven read, the load context."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contracts.loader import load_contract
from pipelines.contracts.model import DeliveryContract
from pipelines.deliveries.cells import (
    concat_quarantine,
    quarantine_rows,
    type_columns,
)
from pipelines.deliveries.periods import PERIOD_FORMS, STAND, Period, period_from_name
from pipelines.parsing.table import LINE_COL, ColumnSpec, FileRejected, ParsedTable, read_table
from pipelines.protection.pseudonym import pseudonymise

# the csv module refuses quoted fields over 128 KiB with an exception; let the reader take
# them so an over-long cell is quarantined like any other (cells.MAX_CELL_CHARS)
csv.field_size_limit(max(csv.field_size_limit(), 64 << 20))


@dataclass(frozen=True)
class DeliveryFile:
    kind: str
    path: Path
    relpath: str
    period: Period

    def sha256(self) -> str:
        """The file's SHA-256, read once per version of the file in this process.

        `run` compares every file with what is loaded before it starts a Dagster run, and the
        load hashes it again for its audit row: without the cache, berlin reads 1 GB twice.
        """
        return sha256_of(self.path)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, cached per (path, inode, size, mtime): read again only when changed."""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _SHA_CACHE.get(key)
    if cached is None:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        cached = _SHA_CACHE[key] = h.hexdigest()
    return cached


_SHA_CACHE: dict[tuple, str] = {}


@dataclass
class LoadContext:
    """Reference data and secrets a transform needs; built once per run."""

    areas: pl.DataFrame | None = None  # gebiet_id, ebene_rang, gueltig_ab, gueltig_bis (finest)
    # every level: gebiet_id, parent_id, ebene_rang, gueltig_ab, gueltig_bis (BA total rows)
    hierarchy: pl.DataFrame | None = None
    directory: pl.DataFrame | None = None  # prepared street directory
    # the loaded measures (massnahmen.csv): massnahme_id, beginn, ende
    massnahmen: pl.DataFrame | None = None
    pseudonym_key: bytes | None = None


@dataclass
class Transformed:
    rows: pl.DataFrame  # raw table columns except load_id
    quarantine: pl.DataFrame  # _zeile, spalte, grund, werte
    rows_read: int
    warnings: list[str] = field(default_factory=list)


class DeliveryKind:
    """One kind of delivery: where its files lie, how their period is named, how to load.

    Everything but the transform comes from the kind's contract (data_contracts/<name>.yaml):
    landing folder, file stem and suffixes (`dateimuster`), period rule, personal data.
    A subclass lives in pipelines/deliveries/<name>.py and says only how its rows are
    transformed (pipelines/deliveries/registry.py finds it there).
    """

    name: str = ""  # the kind: data_contracts/<name>.yaml, pipelines/deliveries/<name>.py
    # periods after today are refused; a budget is planned before its year: up to this many
    # years ahead (None: no period after today)
    years_ahead: int | None = None
    # identifier column -> (pseudonym namespace, raw column): the contract's columns with
    # `personenbezug.behandlung: pseudonym`; the key change (protection/keys.py) reads it too
    pseudonyms: dict[str, tuple[str, str]] = {}
    # the volume check (volume.py) compares rows and this column's sum with the nearest
    # loaded period (None: rows only); `coarser_rows`: files may carry rows of coarser
    # areas (BA total rows), so it compares the finest areas only
    volume_total: str | None = None
    coarser_rows: bool = False
    # count the distinct combinations of these columns instead of rows (None: rows): a kind
    # whose files may or may not break down further (bewegungen by age and sex)
    volume_grain: tuple[str, ...] | None = None

    def __init__(self) -> None:
        contract = self.contract()
        self.folder: str = contract.landing_folder
        self.table: str = contract.kind
        self.period_kind: str | None = contract.period_kind  # stichtag | monat | jahr | None
        self.file_stem: str = contract.file_stem
        self.suffixes: tuple[str, ...] = contract.suffixes
        self.person_level: bool = contract.person_level

    # --- contract -------------------------------------------------------------------------
    def contract(self) -> DeliveryContract:
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

    def name_rule(self) -> str:
        """Why a file of this kind without a valid period in its name is refused (German)."""
        return (
            f"Dateiname ohne gültigen Zeitraum (erwartet {self.file_stem}_"
            f"{PERIOD_FORMS.get(self.period_kind or '', '')})"
        )

    def period_of(self, path: Path) -> Period | None:
        if self.period_kind is None:
            return STAND
        return period_from_name(path.stem, self.period_kind)

    # --- reading --------------------------------------------------------------------------
    def read(self, path: Path) -> ParsedTable:
        try:
            parsed = read_table(path, self.column_specs())
        except FileRejected as exc:
            raise explain_rejection(exc, path) from None
        except csv.Error as exc:  # the quoted-field reader gave up
            raise FileRejected(
                "datei_unlesbar", f"CSV-Struktur nicht lesbar ({exc}); Anführungszeichen prüfen"
            ) from None
        return drop_blank_rows(parsed)

    def typed(
        self, parsed: ParsedTable, file: DeliveryFile | None = None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Typed canonical frame in the dtypes of the contract (+ columns from name/title)."""
        typed, bad = type_columns(parsed.frame, self.column_types())
        casts, derived, overflow = [], [], [bad]
        for c in self.contract().columns:
            if c.origin != "spalte":
                value = file.period.value if file is not None else None
                derived.append(pl.lit(value).cast(c.dtype).alias(c.name))
            elif isinstance(c.dtype, pl.Decimal):
                # a sum beyond the column's precision is a broken cell, not a crash
                limit = 10.0 ** ((c.dtype.precision or 38) - (c.dtype.scale or 0))
                too_big = pl.col(c.name).abs() >= limit
                overflow.append(quarantine_rows(typed, too_big, "wert_ungueltig", c.name, [c.name]))
                casts.append(
                    pl.when(too_big)
                    .then(None)
                    .otherwise(pl.col(c.name))
                    .round(c.dtype.scale or 0)
                    .cast(c.dtype)
                    .alias(c.name)
                )
            elif typed.schema.get(c.name) != c.dtype:
                casts.append(pl.col(c.name).cast(c.dtype))
        return typed.with_columns(casts + derived), concat_quarantine(overflow)

    def pseudonymise(self, frame: pl.DataFrame, key: bytes | None) -> pl.DataFrame:
        """Every identifier of `pseudonyms` replaced by its keyed pseudonym column."""
        for column, (namespace, target) in self.pseudonyms.items():
            frame = pseudonymise(frame, column, key, namespace, target)
        return frame

    def transform(self, file: DeliveryFile, parsed: ParsedTable, ctx: LoadContext) -> Transformed:
        raise NotImplementedError


def explain_rejection(exc: FileRejected, path: Path) -> FileRejected:
    """Make a reader's rejection say what a data engineer needs to fix (German, no paths)."""
    if exc.reason == "datei_unlesbar" and exc.message.startswith("XLSX-Datei nicht lesbar"):
        # the XLSX reader's own error is English and names the absolute path
        return FileRejected(
            exc.reason,
            "XLSX-Datei nicht lesbar: kein gültiges Excel-Arbeitsbuch (beschädigt, "
            "verschlüsselt oder eine umbenannte andere Datei)",
        )
    if exc.reason in ("kopfzeile_fehlt", "spalte_fehlt") and "Trennzeichen" not in exc.message:
        found = _other_delimiter(path)
        if found:
            return FileRejected(
                exc.reason, f"{exc.message} (Trennzeichen ist offenbar {found}, erwartet ';')"
            )
    return exc


def _other_delimiter(path: Path) -> str | None:
    """'Komma' / 'Tabulator' / ... when the first lines are split by that and not by ';'."""
    if path.suffix.lower() != ".csv":
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return None
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = head.decode("utf-16" if utf16 else "utf-8", errors="replace")
    lines = [x for x in text.splitlines()[:10] if x.strip()]
    if not lines or any(";" in x for x in lines[:1]):
        return None
    names = {",": "Komma", "\t": "Tabulator", "|": "senkrechter Strich"}
    for sep, name in names.items():
        if sum(x.count(sep) for x in lines) >= len(lines):
            return name
    return None


def drop_blank_rows(parsed: ParsedTable) -> ParsedTable:
    """Rows that are nothing but separators (`;;;;`, spreadsheet exports) carry no data.

    They are not counted as read rows; a warning says how many were skipped.
    """
    f = parsed.frame
    cols = [c for c in f.columns if c != LINE_COL]
    if f.height == 0 or not cols:
        return parsed
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).cast(pl.String).str.strip_chars() == "") for c in cols]
    )
    n = f.select(blank.sum()).item()
    if not n:
        return parsed
    parsed.frame = f.filter(~blank)
    parsed.rows_read -= n
    parsed.blank_rows = n  # type: ignore[attr-defined]
    return parsed


def reject(reason: str, message: str) -> FileRejected:
    return FileRejected(reason, message)
