"""Typed view of a delivery contract (data_contracts/<kind>.yaml, ODCS v3.2.0).

The YAML is the one source; this module only describes what the loader, the pandera
models in `schemas/` and the ingest assets read from it. Nothing here touches files.

Classification of columns (ODCS `classification`):
    public        reference data without personal reference (area keys, street directory)
    internal      aggregates and finance, unsuppressed (planning unit only)
    restricted    person-level social data that identify nobody on their own (leistungsart, ...)
    confidential  direct identifiers: names, birth dates, case numbers, street addresses
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

# Row-level reason codes (docs/architecture.md), ordered by precedence: when one cell fails
# several checks, check_rows reports the first of these (the most basic fault).
ROW_REASONS: tuple[str, ...] = (
    "pflichtwert_fehlt",
    "wert_ungueltig",
    "code_unbekannt",
    "anzahl_negativ",
    "betrag_negativ",
    "alter_unplausibel",
    "summe_widerspruch",
    "teilmenge_widerspruch",
    "ende_vor_beginn",
    "beginn_nach_jahresende",
    "person_doppelt",
    "zeile_doppelt",
    "adresse_unbekannt",
    "gebiet_unbekannt",
    "massnahme_unbekannt",
    "betrag_widerspruch",
)
FILE_REASONS: tuple[str, ...] = (
    "referenz_ungueltig",
    "spalte_fehlt",
    "periode_widerspruch",
    "datei_unvollstaendig",
    "datei_unlesbar",
    "kopfzeile_fehlt",
    "dateiname_ungueltig",
    "periode_doppelt",
    "inhalt_unplausibel",
)
REASON_PRIORITY: dict[str, int] = {code: i for i, code in enumerate(ROW_REASONS + FILE_REASONS)}

CADENCES: tuple[str, ...] = ("monatlich", "halbjährlich", "jährlich", "bei Änderung")
# the Dagster schedules (defs/schedules.py) and which cadence each one collects; a contract may
# name its schedules itself (customProperty `zeitplaene`), e.g. a yearly delivery that also
# arrives at other reference dates. Reference data ("bei Änderung") is loaded by every
# schedule's reference run anyway.
SCHEDULES: tuple[str, ...] = ("monatlich", "jaehrlich")
SCHEDULES_BY_CADENCE: dict[str, tuple[str, ...]] = {
    "monatlich": ("monatlich",),
    "halbjährlich": ("monatlich", "jaehrlich"),
    "jährlich": ("jaehrlich",),
    "bei Änderung": (),
}
# raw-table column types a contract's `rohtabelle` may use (DuckDB spellings)
RAW_TYPE = re.compile(
    r"^(varchar|integer|bigint|double|date|timestamp|boolean|decimal\(\d+,\s*\d+\))( not null)?$"
)
# how the period of the file name is spelled in `dateimuster` (the capture group)
PERIOD_PATTERNS: dict[str, str] = {
    "stichtag": r"\d{4}-\d{2}-\d{2}",
    "monat": r"\d{4}-\d{2}",
    "jahr": r"\d{4}",
}
CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "restricted", "confidential")
PeriodKind = Literal["stichtag", "monat", "jahr"]
PERIOD_KINDS: tuple[str, ...] = ("stichtag", "monat", "jahr")

# personal data kind -> the only handling docs/protection.md allows for it
PERSONAL_HANDLING: dict[str, str] = {
    "name": "entfernen",
    "geburtsdatum": "alter",
    "kennung": "pseudonym",
    "adresse": "gebiet",
}

# where a typed column comes from: a header column, the file name, or the BA title block
ORIGINS: tuple[str, ...] = ("spalte", "dateiname", "titelblock")

# logicalType -> physicalType spellings allowed for it (physicalType = polars dtype of the
# typed canonical frame)
LOGICAL_TO_PHYSICAL: dict[str, tuple[str, ...]] = {
    "string": ("String",),
    "integer": ("Int64",),
    "number": ("Float64", "Decimal"),
    "date": ("Date",),
}

_DECIMAL = re.compile(r"^Decimal\((\d+),\s*(\d+)\)$")


def polars_dtype(physical_type: str) -> pl.DataType:
    """The polars dtype a physicalType of the contract stands for."""
    simple = {
        "String": pl.String(),
        "Int64": pl.Int64(),
        "Float64": pl.Float64(),
        "Date": pl.Date(),
    }
    if physical_type in simple:
        return simple[physical_type]
    match = _DECIMAL.match(physical_type)
    if match:
        return pl.Decimal(int(match.group(1)), int(match.group(2)))
    raise ValueError(f"Unbekannter physicalType {physical_type!r}")


@dataclass(frozen=True)
class ContractColumn:
    """One column of a delivery as the contract describes it.

    `required`: the column must be in the file header (a missing one is `spalte_fehlt`).
    `nullable`: the delivered cell may be empty (ODCS `required: false`); for BA symbol
    columns the cell must hold a number or a symbol, the typed value is empty on symbols.
    """

    name: str
    logical_type: str
    physical_type: str
    required: bool
    nullable: bool
    description: str
    classification: str
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] | None = None
    code_labels: dict[str, str] = field(default_factory=dict)
    minimum: float | int | None = None
    maximum: float | int | None = None
    bound_reason: str | None = None
    pattern: str | None = None
    ba_symbols: bool = False
    personal: str | None = None
    personal_handling: str | None = None
    origin: str = "spalte"

    @property
    def dtype(self) -> pl.DataType:
        return polars_dtype(self.physical_type)

    @property
    def symbol_column(self) -> str | None:
        """Name of the typed BA symbol column (`<measure>_symbol`), if any."""
        return f"{self.name}_symbol" if self.ba_symbols else None


@dataclass(frozen=True)
class ContractRule:
    """A dataset-level rule (ODCS schema `quality`, type custom, engine sozialmonitor).

    `column` is the column a failing row is reported against (`spalte`); None for rules
    that concern the whole row (duplicates).
    """

    name: str
    rule: str
    reason: str
    column: str | None
    description: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawColumn:
    """One column of the raw table a kind's transform writes (customProperty `rohtabelle`)."""

    name: str
    sql_type: str  # DuckDB type, e.g. `varchar not null`, `decimal(12,2)`

    def ddl(self) -> str:
        return f"{self.name} {self.sql_type}"


@dataclass(frozen=True)
class DeliveryContract:
    kind: str
    contract_id: str
    version: str
    status: str
    title: str
    owner: str
    cadence: str
    purpose: str
    landing_folder: str
    file_pattern: str
    period_kind: PeriodKind | None
    period_column: str | None
    columns: tuple[ContractColumn, ...]
    rules: tuple[ContractRule, ...] = ()
    # BA symbol -> value stored for it (None = value empty); only for sgb2
    ba_symbols: dict[str, int | None] = field(default_factory=dict)
    # what the registry derives from (pipelines/deliveries/registry.py)
    file_stem: str = ""  # `sgb12` of `^sgb12_(...)\.csv$`
    suffixes: tuple[str, ...] = (".csv",)  # lower case, with the dot
    load_order: int = 100  # position among the kinds of its group (reference / period)
    raw_columns: tuple[RawColumn, ...] = ()  # raw.<kind> without load_id
    schedules: tuple[str, ...] = ()  # Dagster schedules that load this kind
    staging: bool = True  # a dbt staging model reads raw.<kind> (false: used by the load only)

    @property
    def is_reference(self) -> bool:
        """Reference data: no period, replaced as a whole on every delivery."""
        return self.period_kind is None

    @property
    def person_level(self) -> bool:
        """Delivered with personal data (pseudonymised on load, needs the key)."""
        return any(c.personal for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Header columns whose absence rejects the file (`spalte_fehlt`)."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def header_columns(self) -> tuple[str, ...]:
        """Columns that come from the file header (not from file name or title block)."""
        return tuple(c.name for c in self.columns if c.origin == "spalte")

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Columns with personal data; the loader drops them after checking."""
        return tuple(c.name for c in self.columns if c.personal)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ContractColumn:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"Spalte {name!r} steht nicht im Vertrag {self.kind!r}")

    def header_lookup(self) -> dict[str, str]:
        """Normalised header spelling (trimmed, casefolded) -> column name, aliases included."""
        lookup: dict[str, str] = {}
        for col in self.columns:
            if col.origin != "spalte":
                continue
            for spelling in (col.name, *col.aliases):
                lookup[normalise_header(spelling)] = col.name
        return lookup

    def typed_schema(self) -> dict[str, pl.DataType]:
        """Column -> polars dtype of the typed canonical frame (BA symbol columns included)."""
        schema: dict[str, pl.DataType] = {}
        for col in self.columns:
            schema[col.name] = col.dtype
            if col.symbol_column:
                schema[col.symbol_column] = pl.String()
        return schema


def normalise_header(text: str) -> str:
    """Header names match case-insensitively after trimming (docs/sources.md)."""
    return " ".join(text.split()).casefold()
