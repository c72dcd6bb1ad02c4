"""A foreign source table -> the canonical ParsedTable of one delivery kind.

The result has the contract's column names as text plus `_zeile`, so the existing
DeliveryKind.transform, contracts, quarantine and audit run unchanged. Because one source
line becomes many canonical rows (one per age band and code), `_zeile` numbers the
CANONICAL rows 1..n; a source line that cannot be used becomes one quarantine entry of its
own (its text names the source line). `_quellzeile` keeps the line of the source file.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.deliveries.cells import QUARANTINE_FRAME_SCHEMA, empty_quarantine
from pipelines.parsing.table import LINE_COL, FileRejected, ParsedTable, normalise_label
from pipelines.profiles.schema import (
    NOT_BROKEN_DOWN,
    SGB2_COLUMNS,
    STICHTAG_FORMATS,
    DeliverySpec,
    Dimension,
    FileSpec,
)
from pipelines.profiles.source import SourceTable, normalise_number, to_int

SOURCE_LINE = "_quellzeile"
EINWOHNER_COLUMNS = [
    "stichtag",
    "gebiet_id",
    "alter",
    "geschlecht",
    "staatsangehoerigkeit",
    "anzahl",
]


@dataclass
class ProfiledTable(ParsedTable):
    """ParsedTable plus what the profile found before any contract check."""

    warnings: list[str] = field(default_factory=list)
    violations: pl.DataFrame = field(default_factory=empty_quarantine)  # whole source lines
    profile: str = ""


@dataclass
class Record:
    line: int
    gebiet_id: str
    name: str
    values: dict[str, str]  # source column -> normalised text


# --- hierarchy and keys ---------------------------------------------------------------------
def read_hierarchy(path: Path) -> dict[str, str | None]:
    """gebiete.csv -> {gebiet_id: parent_id} (current areas: gueltig_bis empty)."""
    frame = pl.read_csv(path, separator=";", infer_schema=False, encoding="utf8-lossy")
    frame = frame.filter(pl.col("gueltig_bis").is_null() | (pl.col("gueltig_bis") == ""))
    return {
        g: (p or None)
        for g, p in zip(frame["gebiet_id"].to_list(), frame["parent_id"].to_list(), strict=True)
    }


def read_name_keys(path: Path) -> dict[tuple[str, int], str]:
    """schluessel.csv (name; vorkommen; gebiet_id) -> {(normalised name, n-th occurrence): id}."""
    frame = pl.read_csv(path, separator=";", infer_schema=False, encoding="utf8-lossy")
    return {
        (normalise_label(n), int(k)): g
        for n, k, g in zip(frame["name"], frame["vorkommen"], frame["gebiet_id"], strict=True)
    }


# --- source table -> records -------------------------------------------------------------------
def _column_index(table: SourceTable, spec: DeliverySpec, fspec: FileSpec) -> dict[str, int]:
    index = table.index()
    wanted = [spec.area_column, *spec.source_columns()]
    missing = [c for c in wanted if normalise_label(c) not in index]
    if missing:
        raise FileRejected(
            "spalte_fehlt", "Pflichtspalte fehlt (laut Quellprofil): " + ", ".join(missing)
        )
    return {c: index[normalise_label(c)] for c in wanted}


def records(
    table: SourceTable, spec: DeliverySpec, fspec: FileSpec
) -> tuple[list[Record], list[str], list[tuple[int, str]]]:
    """Source rows -> records with area keys; also warnings and lines without an area key."""
    idx = _column_index(table, spec, fspec)
    names = read_name_keys(spec.area_names) if spec.area_names else None
    seen: dict[str, int] = {}
    out, warnings, no_area = [], [], []
    for line, cells in table.rows:
        raw = cells[idx[spec.area_column]].strip()
        if not raw:
            if fspec.skip_rows_without_area:
                no_area.append((line, "übersprungen"))
            else:
                no_area.append((line, "quarantaene"))
            continue
        key = raw
        if names is not None:
            n = normalise_label(raw)
            seen[n] = seen.get(n, 0) + 1
            key = names.get((n, seen[n]), raw)
        elif spec.area_pad and raw.isdigit():
            key = raw.zfill(spec.area_pad)
        values = {}
        for col in spec.source_columns():
            cell = cells[idx[col]].strip()
            if cell in fspec.symbols:
                values[col] = fspec.symbols[cell] or ""
            elif col == spec.stichtag_column:
                values[col] = cell
            else:
                values[col] = normalise_number(cell, fspec.numbers)
        out.append(Record(line, key, raw, values))
    skipped = sum(1 for _, how in no_area if how == "übersprungen")
    if skipped:
        warnings.append(f"{skipped} Zeile(n) ohne Gebietsschlüssel übersprungen (Summenzeile)")
    return out, warnings, [(ln, how) for ln, how in no_area if how == "quarantaene"]


def resolve_aggregates(
    recs: list[Record], spec: DeliverySpec, hierarchy: dict[str, str | None]
) -> tuple[list[Record], list[str]]:
    """Drop rows of coarser areas; with `restgebiete`, deliver what they hold beyond the sum
    of their sub-areas in the file as a rest area (persons without a finer assignment)."""
    if spec.aggregates == "keine":
        return recs, []
    parents = {p for p in hierarchy.values() if p}
    aggregates = [r for r in recs if r.gebiet_id in parents]
    finest = [r for r in recs if r.gebiet_id not in parents]
    warnings = [
        f"{len(aggregates)} Zeile(n) gröberer Ebenen nicht als Lieferung übernommen "
        "(werden aus den feinsten Gebieten aggregiert)"
    ] if aggregates else []  # fmt: skip
    if spec.aggregates == "auslassen":
        return finest, warnings
    count_cols = [c for c in spec.source_columns() if c != spec.stichtag_column]
    by_parent: dict[str, list[Record]] = {}
    for r in recs:
        by_parent.setdefault(hierarchy.get(r.gebiet_id) or "", []).append(r)
    for agg in aggregates:
        children = by_parent.get(agg.gebiet_id, [])
        rest: dict[str, str] = {}
        for c in count_cols:
            nums = [to_int(agg.values[c])] + [to_int(ch.values[c]) for ch in children]
            rest[c] = str(nums[0] - sum(nums[1:])) if None not in nums else "."
        rest_id = spec.rest_key.format(gebiet_id=agg.gebiet_id)
        if all(v == "0" for v in rest.values()) and rest_id not in hierarchy:
            continue  # nothing beyond the sub-areas and no rest area to report zero for
        shown = ", ".join(f"{c} {v}" for c, v in rest.items() if v != "0")
        negative = any(v.startswith("-") for v in rest.values())
        if rest_id not in hierarchy or negative:
            why = "Teilgebiete übersteigen den Wert" if negative else f"kein Restgebiet {rest_id}"
            warnings.append(
                f"Gebiet {agg.gebiet_id} ({agg.name}): Abweichung zur Summe der Teilgebiete "
                f"nicht darstellbar ({why}): {shown}"
            )
            continue
        if spec.stichtag_column:
            rest[spec.stichtag_column] = agg.values[spec.stichtag_column]
        finest.append(Record(agg.line, rest_id, f"{agg.name} (Rest)", rest))
        warnings.append(f"Restgebiet {rest_id} gebildet aus {agg.name}: {shown}")
    return finest, warnings


# --- einwohner ----------------------------------------------------------------------------------
def split_by_margin(cells: list[int], margin: list[tuple[str, int]]) -> list[dict[str, int]]:
    """Split cell counts by a marginal distribution so that BOTH margins stay exact.

    Categories are allocated one after another in proportion to the capacity left in each
    cell (largest remainder); the last category takes what is left. Requires equal totals.
    Only the margins are data: the resulting cross cells are a construction.
    """
    if sum(cells) != sum(n for _, n in margin):
        raise ValueError("Randsummen ungleich")
    left = list(cells)
    out: list[dict[str, int]] = [{} for _ in cells]
    for pos, (code, total) in enumerate(margin):
        if pos == len(margin) - 1:
            alloc = list(left)
        else:
            cap = sum(left)
            nums = [total * x for x in left]
            alloc = [n // cap if cap else 0 for n in nums]
            order = sorted(range(len(left)), key=lambda i: (-(nums[i] % cap if cap else 0), i))
            for i in order[: total - sum(alloc)]:
                alloc[i] += 1
        for i, a in enumerate(alloc):
            out[i][code] = a
            left[i] -= a
    return out


def _stichtag(text: str, fmt: str) -> str:
    m = re.match(STICHTAG_FORMATS[fmt], text.strip())
    if not m:
        return text
    if fmt == "JJJJMM":
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            return text
        return date(y, mo, calendar.monthrange(y, mo)[1]).isoformat()
    y, mo, d = (m[1], m[2], m[3]) if fmt == "JJJJ-MM-TT" else (m[3], m[2], m[1])
    return f"{y}-{mo}-{d}"


def _dimension_margin(
    rec: Record, dim: Dimension, total: int
) -> tuple[list[tuple[str, int]] | None, str | None]:
    """(code counts, problem) of a dimension delivered as totals over all ages."""
    counts = [(code, to_int(rec.values[col])) for code, col in dim.columns.items()]
    bad = [dim.columns[c] for c, n in counts if n is None]
    if bad:
        return None, f"wert_ungueltig:{bad[0]}"
    if dim.rest:
        counts.append((dim.rest, total - sum(n for _, n in counts)))
    if any(n < 0 for _, n in counts):
        return None, "summe_widerspruch:" + ", ".join(dim.columns.values())
    if sum(n for _, n in counts) != total:
        return None, "summe_widerspruch:" + ", ".join(dim.columns.values())
    return counts, None


def einwohner_rows(
    rec: Record, spec: DeliverySpec, stichtag: str
) -> tuple[list[tuple], str | None]:
    """One record -> canonical rows (alter, geschlecht, staat, anzahl), or a problem code."""
    ints = {c: to_int(v) for c, v in rec.values.items()}
    total = ints[spec.total]
    if total is None:
        return [], f"wert_ungueltig:{spec.total}"
    bands = []
    for b in spec.bands:
        n = ints[b.column] if b.column else 0
        if n is None:
            return [], f"wert_ungueltig:{b.column}"
        bands.append(n)
    if any(b.column is None for b in spec.bands):
        i = next(i for i, b in enumerate(spec.bands) if b.column is None)
        bands[i] = total - sum(bands)
    if any(n < 0 for n in bands) or total < 0:
        return [], f"anzahl_negativ:{spec.total}"
    if sum(bands) != total:
        return [], f"summe_widerspruch:{spec.total}"
    for chk in spec.checks:
        nums = [ints[c] for c in (chk.total, *chk.parts)]
        if None in nums:
            return [], f"wert_ungueltig:{chk.total}"
        if nums[0] != sum(nums[1:]):
            return [], f"summe_widerspruch:{chk.total}"
    # cells: (alter, geschlecht, staat) -> anzahl, starting from the age bands
    cells: list[tuple[int, str, str, int]] = [
        (b.low, NOT_BROKEN_DOWN, NOT_BROKEN_DOWN, n) for b, n in zip(spec.bands, bands, strict=True)
    ]
    for pos, dim in ((1, spec.sex), (2, spec.citizenship)):
        if dim is None or not dim.delivered:
            continue
        margin, problem = _dimension_margin(rec, dim, total)
        if problem:
            return [], problem
        if dim.distribution != "randsummen":
            continue  # checked, but not broken down: code stays `insgesamt`
        split = split_by_margin([c[3] for c in cells], margin)
        new = []
        for cell, parts in zip(cells, split, strict=True):
            for code, n in parts.items():
                c = list(cell)
                c[pos], c[3] = code, n
                new.append(tuple(c))
        cells = new
    rows = [(stichtag, rec.gebiet_id, str(a), g, s, str(n)) for a, g, s, n in cells if n]
    return rows, None


# --- assembling the ParsedTable -----------------------------------------------------------------
def _violation(zeile: int, problem: str, rec: Record | None, line: int) -> dict:
    grund, _, spalte = problem.partition(":")
    werte = {"quellzeile": line}
    if rec is not None:
        werte["gebiet_id"] = rec.gebiet_id
        for col in spalte.split(", "):
            if col in rec.values:
                werte[col] = rec.values[col]
    return {LINE_COL: zeile, "spalte": spalte or None, "grund": grund,
            "werte": json.dumps(werte, ensure_ascii=False)}  # fmt: skip


def build_table(
    table: SourceTable,
    spec: DeliverySpec,
    fspec: FileSpec,
    period_value: str,
    hierarchy: dict[str, str | None] | None,
    profile_name: str,
) -> ProfiledTable:
    recs, warnings, no_area = records(table, spec, fspec)
    if hierarchy is not None:
        recs, more = resolve_aggregates(recs, spec, hierarchy)
        warnings += more
    rows: list[tuple] = []
    src_lines: list[int] = []
    violations: list[dict] = []
    zeile = 0
    for line, _ in no_area:
        zeile += 1
        violations.append(_violation(zeile, "pflichtwert_fehlt:gebiet_id", None, line))
    for line, msg in table.malformed:
        zeile += 1
        violations.append({LINE_COL: zeile, "spalte": None, "grund": "feldanzahl_falsch",
                           "werte": json.dumps({"quellzeile": line, "meldung": msg},
                                               ensure_ascii=False)})  # fmt: skip
    for rec in recs:
        if spec.kind == "einwohner":
            stichtag = (
                _stichtag(rec.values[spec.stichtag_column], spec.stichtag_format)
                if spec.stichtag_column
                else period_value
            )
            out, problem = einwohner_rows(rec, spec, stichtag)
        else:
            out, problem = [sgb2_row(rec, spec)], None
        if problem:
            zeile += 1
            violations.append(_violation(zeile, problem, rec, rec.line))
            continue
        rows += out
        src_lines += [rec.line] * len(out)
    columns = EINWOHNER_COLUMNS if spec.kind == "einwohner" else ["gebiet_id", *SGB2_COLUMNS]
    frame = pl.DataFrame(rows, schema=[(c, pl.String) for c in columns], orient="row")
    frame = frame.with_columns(
        pl.int_range(zeile + 1, zeile + 1 + frame.height, dtype=pl.Int64).alias(LINE_COL),
        pl.Series(SOURCE_LINE, src_lines, dtype=pl.Int64),
    )
    if (
        spec.kind == "einwohner"
        and spec.citizenship
        and spec.citizenship.distribution == "randsummen"
    ):
        warnings.append(
            "Staatsangehörigkeit nur als Randsumme geliefert: Aufteilung auf Altersgruppen "
            "konstruiert (nur die Randsummen sind Daten)"
        )
    if spec.kind == "einwohner" and spec.sex and spec.sex.distribution == "randsummen":
        warnings.append(
            "Geschlecht nur als Randsumme geliefert: Aufteilung auf Altersgruppen konstruiert "
            "(nur die Randsummen sind Daten)"
        )
    used = {normalise_label(c) for c in [spec.area_column, *spec.source_columns()]}
    ignored = {normalise_label(c) for c in fspec.ignore_columns}
    extra = [h for h in table.header if h.strip() and normalise_label(h) not in used | ignored]
    if not fspec.report_extra:
        extra = []
    vio = (
        pl.DataFrame(violations, schema=QUARANTINE_FRAME_SCHEMA)
        if violations
        else empty_quarantine()
    )
    return ProfiledTable(
        frame=frame,
        header_line=fspec.header_rows[-1],
        title_lines=table.title_lines,
        footer_lines=[],
        extra_columns=extra,
        encoding=table.encoding,
        malformed_lines=[],
        rows_read=frame.height + len(violations),
        warnings=warnings,
        violations=vio,
        profile=profile_name,
    )


def sgb2_row(rec: Record, spec: DeliverySpec) -> tuple:
    out = [rec.gebiet_id]
    for col in SGB2_COLUMNS:
        src = spec.columns.get(col)
        if col == "gebietsname":
            out.append(rec.name if src is None else rec.values.get(src, rec.name))
        elif src is None:
            out.append(spec.not_delivered)
        else:
            out.append(rec.values[src])
    return tuple(out)
