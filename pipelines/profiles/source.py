"""Reading a foreign file as its profile describes it: cells as text, numbers normalised.

`read_source` returns the header (merged from one or more header rows) and every data row
with its 1-based line (or spreadsheet row) number. `normalise_number` turns the notations
cities use (`1 675`, `-  23`, `2930,00`, `1.234`) into plain integer text, or leaves a cell
as it is when it is not a whole number, so that typing later quarantines it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.parsing import limits
from pipelines.parsing.table import FileRejected, normalise_label, xlsx_sheets
from pipelines.parsing.text import UnreadableFile, decode_bytes
from pipelines.profiles.schema import FileSpec, NumberFormat


@dataclass
class SourceTable:
    header: list[str]  # merged header labels as written (after aliases)
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    title_lines: list[str]
    encoding: str
    malformed: list[tuple[int, str]] = field(default_factory=list)

    def index(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, label in enumerate(self.header):
            out.setdefault(normalise_label(label), i)
        return out


def read_source(path: Path, spec: FileSpec) -> SourceTable:
    if spec.fmt == "xlsx":
        rows, encoding = _xlsx_rows(path), "xlsx"
    else:
        rows, encoding = _csv_rows(path, spec)
    last_header = spec.header_rows[-1]
    if len(rows) < last_header:
        raise FileRejected("kopfzeile_fehlt", f"Datei hat keine Kopfzeile in Zeile {last_header}")
    header = merge_header([rows[r - 1] for r in spec.header_rows], spec.header_merge)
    header = [spec.aliases.get(h.strip(), h) for h in header]
    title = [" ".join(c for c in r if c.strip()) for r in rows[: spec.header_rows[0] - 1]]
    out, malformed = [], []
    for line_no, cells in enumerate(rows[spec.data_from - 1 :], start=spec.data_from):
        if not any(c.strip() for c in cells):
            continue
        if spec.fmt == "csv" and len(cells) != len(header):
            malformed.append((line_no, f"{len(cells)} statt {len(header)} Felder"))
            continue
        out.append((line_no, cells + [""] * (len(header) - len(cells))))
    return SourceTable(header, out, [t for t in title if t], encoding, malformed)


def merge_header(rows: list[list[str]], how: str) -> list[str]:
    """Header rows -> one label per column: joined (`verbinden`) or lowest non-empty cell."""
    width = max(len(r) for r in rows)
    out = []
    for i in range(width):
        parts = [r[i].strip() for r in rows if i < len(r) and r[i] and r[i].strip()]
        if how == "unterste":
            out.append(parts[-1] if parts else "")
        else:
            out.append(" ".join(parts))
    return out


def _csv_rows(path: Path, spec: FileSpec) -> tuple[list[list[str]], str]:
    data = limits.read_bytes(path)
    if not data.strip():
        raise FileRejected("datei_unlesbar", "Datei ist leer (nicht einmal eine Kopfzeile)")
    if spec.encoding == "auto":
        try:
            decoded = decode_bytes(data)
        except UnreadableFile as exc:
            raise FileRejected("datei_unlesbar", str(exc)) from None
        text, encoding = decoded.text, decoded.encoding
    else:
        try:
            text = data.decode(spec.encoding).replace("\ufeff", "")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "datei_unlesbar", f"Datei ist nicht {spec.encoding} (Byte {exc.start})"
            ) from None
        text, encoding = text.replace("\r\n", "\n").replace("\r", "\n"), spec.encoding
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    limits.check_line_lengths(lines)
    if any('"' in x for x in lines):
        rows = [next(csv.reader(io.StringIO(x), delimiter=spec.sep), []) for x in lines]
    else:
        rows = [x.split(spec.sep) for x in lines]
    return rows, encoding


def _xlsx_rows(path: Path) -> list[list[str]]:
    for _name, rows in xlsx_sheets(path):
        return rows
    raise FileRejected("datei_unlesbar", "XLSX-Datei ohne Tabellenblatt")


_WS = re.compile(r"[\s\u00a0]+")


def normalise_number(text: str, fmt: NumberFormat) -> str:
    """A count as written by the source -> plain integer text (`-23`, `1675`).

    Whitespace after a leading minus is always dropped (`-  23`); other inner whitespace only
    when the profile declares a space as thousands separator. A decimal part of zeros
    (`2930,00`) is dropped; any other text comes back unchanged (typing quarantines it).
    """
    s = text.strip()
    if not s:
        return ""
    sign = ""
    if s.startswith("-") and len(s) > 1:
        sign, s = "-", s[1:].lstrip(" \u00a0")
    if fmt.thousands == " ":
        s = _WS.sub("", s)
    int_part, _, frac = s.partition(fmt.decimal)
    if frac and not frac.isdigit():
        return text.strip()
    if fmt.thousands == "." and "." in int_part:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", int_part):
            return text.strip()
        int_part = int_part.replace(".", "")
    if not int_part.isdigit() or (frac and set(frac) != {"0"}):
        return text.strip()
    return sign + str(int(int_part))


_INT = re.compile(r"-?\d+")


def to_int(text: str) -> int | None:
    """Normalised integer text -> int; None for anything else."""
    return int(text) if text and _INT.fullmatch(text) else None
