"""Finding the table inside a delivered CSV or XLSX file.

Returns every data cell as text with the 1-based line (or spreadsheet row) number
it came from; typing happens later, column by column, so that a bad cell can be
quarantined with its line and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.parsing import limits
from pipelines.parsing.errors import FileRejected
from pipelines.parsing.text import UnreadableFile, decode_bytes

LINE_COL = "_zeile"
MAX_HEADER_SEARCH = 60


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def labels(self) -> set[str]:
        return {normalise_label(x) for x in (self.name, *self.aliases)}


@dataclass
class ParsedTable:
    frame: pl.DataFrame  # canonical column names (strings) + `_zeile`
    header_line: int  # 1-based
    title_lines: list[str]
    footer_lines: list[str]
    extra_columns: list[str]
    encoding: str
    malformed_lines: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    rows_read: int = 0


def normalise_label(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\ufeff", "").strip().strip('"').lower())


def read_table(path: Path, columns: Sequence[ColumnSpec], *, sep: str = ";") -> ParsedTable:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, columns)
    data = limits.read_bytes(path)
    if not data.strip():
        raise FileRejected("datei_unlesbar", "Datei ist leer (nicht einmal eine Kopfzeile)")
    try:
        decoded = decode_bytes(data)
    except UnreadableFile as exc:
        raise FileRejected("datei_unlesbar", str(exc)) from None
    return _parse_text(decoded.text, decoded.encoding, columns, sep)


def _match_header(cells: list[str], columns: Sequence[ColumnSpec]) -> dict[int, str]:
    """Map cell position -> canonical name for every cell that names a known column."""
    lookup: dict[str, str] = {}
    for spec in columns:
        for label in spec.labels():
            lookup.setdefault(label, spec.name)
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        name = lookup.get(normalise_label(cell))
        if name is not None and name not in found.values():
            found[i] = name
    return found


def _find_header(
    rows: list[list[str]], columns: Sequence[ColumnSpec]
) -> tuple[int, dict[int, str]]:
    need = max(1, min(2, len(columns)))
    best: tuple[int, dict[int, str]] | None = None
    for idx, cells in enumerate(rows[:MAX_HEADER_SEARCH]):
        found = _match_header(cells, columns)
        if len(found) >= need and (best is None or len(found) > len(best[1])):
            best = (idx, found)
            if len(found) == len(columns):
                break
    if best is None:
        raise FileRejected(
            "kopfzeile_fehlt",
            "keine Kopfzeile gefunden: keine Zeile nennt die erwarteten Spalten ("
            + ", ".join(c.name for c in columns[:6])
            + ", ...)",
        )
    return best


def _data_above_header(rows: list[list[str]], n_fields: int) -> list[int]:
    """0-based indexes of rows above the header that look like data rows, not a title.

    A title line (BA publisher, `Berichtsmonat: ...`, padded with separators by a
    spreadsheet) fills one or two cells; a data row fills most of the header's columns.
    Taken as a title, such rows would vanish from the row balance unseen.
    """
    need = max(3, (n_fields + 1) // 2)
    return [
        i
        for i, cells in enumerate(rows)
        if len(cells) == n_fields and sum(1 for c in cells if c.strip()) >= need
    ]


def _refuse_data_above_header(found: list[int], header_idx: int) -> None:
    if not found:
        return
    lines = ", ".join(str(i + 1) for i in found[:10]) + (" ..." if len(found) > 10 else "")
    raise FileRejected(
        "daten_vor_kopfzeile",
        f"{len(found)} Zeilen über der Kopfzeile (Zeile {header_idx + 1}) sehen wie Datenzeilen "
        f"aus (Zeile {lines}): sie würden nicht mitgezählt; Kopfzeile an den Anfang stellen",
    )


def _check_columns(found: dict[int, str], header_cells: list[str], columns: Sequence[ColumnSpec]):
    missing = [c.name for c in columns if c.required and c.name not in found.values()]
    if missing:
        hint = ""
        if len(header_cells) == 1 and ("," in header_cells[0] or "\t" in header_cells[0]):
            hint = " (Trennzeichen ist offenbar nicht ';')"
        raise FileRejected(
            "spalte_fehlt",
            "Pflichtspalte fehlt: " + ", ".join(missing) + hint,
        )
    return [c for i, c in enumerate(header_cells) if i not in found and c.strip()]


def _parse_text(text: str, encoding: str, columns: Sequence[ColumnSpec], sep: str) -> ParsedTable:
    ends_with_newline = text.endswith("\n")
    lines = text.split("\n")
    if ends_with_newline:
        lines.pop()
    limits.check_line_lengths(lines)
    head_rows = [_split_simple(line, sep) for line in lines[:MAX_HEADER_SEARCH]]
    header_idx, found = _find_header(head_rows, columns)
    header_cells = head_rows[header_idx]
    extra = _check_columns(found, header_cells, columns)
    n_fields = len(header_cells)
    _refuse_data_above_header(_data_above_header(head_rows[:header_idx], n_fields), header_idx)

    body = lines[header_idx + 1 :]
    # footer: trailing block of blank lines and lines without a separator (footnotes, ©)
    end = len(body)
    while end > 0 and (not body[end - 1].strip() or sep not in body[end - 1]):
        end -= 1
    footer = [x for x in body[end:] if x.strip()]
    body = body[:end]
    first_line_no = header_idx + 2

    line_no = pl.Series(LINE_COL, range(first_line_no, first_line_no + len(body)), pl.Int64)
    raw = pl.DataFrame({"_text": pl.Series(body, dtype=pl.String), LINE_COL: line_no})
    raw = raw.filter(pl.col("_text").str.strip_chars() != "")
    rows_read = raw.height

    if any('"' in x for x in body):
        fields = _split_quoted(raw["_text"].to_list(), sep)
        raw = raw.with_columns(pl.Series("_f", fields, dtype=pl.List(pl.String)))
    else:
        raw = raw.with_columns(pl.col("_text").str.split(sep).alias("_f"))
    raw = raw.with_columns(pl.col("_f").list.len().alias("_n"))

    malformed: list[tuple[int, str]] = []
    if rows_read and not ends_with_newline and not footer:
        last_n = raw["_n"][-1]
        if last_n < n_fields:
            raise FileRejected(
                "datei_unvollstaendig",
                f"Datei endet mitten in Zeile {raw[LINE_COL][-1]} ({last_n} von {n_fields} "
                "Feldern, kein Zeilenende): Lieferung abgeschnitten",
            )
    bad = raw.filter(pl.col("_n") != n_fields)
    if bad.height:
        malformed = [
            (ln, f"{n} statt {n_fields} Felder")
            for ln, n in zip(bad[LINE_COL].to_list(), bad["_n"].to_list(), strict=True)
        ]
    good = raw.filter(pl.col("_n") == n_fields)
    frame = good.select(
        [pl.col("_f").list.get(i).alias(name) for i, name in sorted(found.items())]
        + [pl.col(LINE_COL)]
    )
    frame = _add_missing_optional(frame, columns)
    return ParsedTable(
        frame=frame,
        header_line=header_idx + 1,
        title_lines=[x for x in lines[:header_idx] if x.strip()],
        footer_lines=footer,
        extra_columns=extra,
        encoding=encoding,
        malformed_lines=malformed,
        rows_read=rows_read,
    )


def _add_missing_optional(frame: pl.DataFrame, columns: Sequence[ColumnSpec]) -> pl.DataFrame:
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        frame = frame.with_columns([pl.lit(None, pl.String).alias(m) for m in missing])
    return frame


def _split_simple(line: str, sep: str) -> list[str]:
    if '"' in line:
        return _split_quoted([line], sep)[0]
    return line.split(sep)


def _split_quoted(lines: list[str], sep: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO("\n".join(x.replace("\n", " ") for x in lines)), delimiter=sep)
    out = list(reader)
    if len(out) != len(lines):  # an unbalanced quote swallowed line ends: fall back per line
        out = [next(csv.reader([x], delimiter=sep), []) for x in lines]
    return out


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_sheets(path: Path):
    """(sheet name, rows of cell texts) of every sheet, within the limits of `limits`.

    The workbook is checked before the reader unpacks it; every row is padded to the
    sheet's width, as the reader returns it.
    """
    import fastexcel

    limits.check_workbook(path)
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
    except Exception as exc:  # the reader raises its own error types for broken zips
        raise FileRejected("datei_unlesbar", f"XLSX-Datei nicht lesbar: {exc}") from None
    for sheet_name in names:
        try:
            sheet = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
        except Exception as exc:
            raise FileRejected("datei_unlesbar", f"XLSX-Datei nicht lesbar: {exc}") from None
        rows = [[_xlsx_cell(v) for v in row] for row in sheet.to_polars().iter_rows()]
        limits.check_cells(rows)
        yield sheet_name, rows


def _read_xlsx(path: Path, columns: Sequence[ColumnSpec]) -> ParsedTable:
    last_error: FileRejected | None = None
    for _name, rows in xlsx_sheets(path):
        try:
            header_idx, found = _find_header(rows, columns)
        except FileRejected as exc:
            last_error = exc
            continue
        header_cells = rows[header_idx]
        extra = _check_columns(found, header_cells, columns)
        width = sum(1 for c in header_cells if c.strip())
        above = [r[:width] for r in rows[:header_idx]]  # a sheet pads every row to its width
        _refuse_data_above_header(_data_above_header(above, width), header_idx)
        body = rows[header_idx + 1 :]
        end = len(body)
        while end > 0 and sum(1 for v in body[end - 1] if v.strip()) <= 1:
            end -= 1
        footer = [" ".join(v for v in r if v.strip()) for r in body[end:]]
        footer = [x for x in footer if x]
        data = []
        for offset, r in enumerate(body[:end]):
            if not any(v.strip() for v in r):
                continue
            data.append(
                [r[i] if i < len(r) else "" for i, _ in sorted(found.items())]
                + [header_idx + 2 + offset]
            )
        names = [n for _, n in sorted(found.items())]
        frame = pl.DataFrame(
            data, schema=[(n, pl.String) for n in names] + [(LINE_COL, pl.Int64)], orient="row"
        )
        frame = _add_missing_optional(frame, columns)
        return ParsedTable(
            frame=frame,
            header_line=header_idx + 1,
            title_lines=[" ".join(v for v in r if v.strip()) for r in rows[:header_idx]],
            footer_lines=footer,
            extra_columns=extra,
            encoding="xlsx",
            rows_read=len(data),
        )
    raise last_error or FileRejected("datei_unlesbar", "XLSX-Datei ohne Tabellenblatt")
