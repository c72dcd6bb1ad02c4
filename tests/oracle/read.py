"""Reading landing files as plain text tables (independent of the ingestion code).

Only `pipelines.parsing.text.decode_bytes` is reused (encoding detection); everything
else (column matching, German numbers and dates, BA title/footer blocks) is done here.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.parsing.text import decode_bytes

MONTHS_DE = (
    "januar", "februar", "märz", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "dezember",
)  # fmt: skip

# BA header text -> key (docs/sources.md, matched by name, case-insensitively)
BA_HEADERS = {
    "gebiet": "gebiet_id",
    "gebietsname": "gebietsname",
    "bedarfsgemeinschaften": "bg",
    "regelleistungsberechtigte": "rlb",
    "erwerbsfähige leistungsberechtigte": "elb",
    "nicht erwerbsfähige leistungsberechtigte": "nef",
    "dar. nef unter 15 jahren": "nef_u15",
    "arbeitslose sgb ii": "alo_sgb2",
    "langzeitleistungsbeziehende": "lzb",
    "alleinerziehende bg": "bg_alleinerziehend",
}
BA_MEASURES = ("bg", "rlb", "elb", "nef", "nef_u15", "alo_sgb2", "lzb", "bg_alleinerziehend")


@dataclass(frozen=True)
class Defects:
    """Defects the generator planted (manifest.json): whole files and single lines."""

    files: frozenset[str]
    lines: dict[str, frozenset[int]]

    @classmethod
    def from_manifest(cls, manifest: dict) -> Defects:
        files = {d["file"] for d in manifest["defects"] if d["level"] == "file"}
        lines: dict[str, set[int]] = {}
        for d in manifest["defects"]:
            if d["level"] == "row":
                lines.setdefault(d["file"], set()).add(int(d["line"]))
        return cls(frozenset(files), {k: frozenset(v) for k, v in lines.items()})

    def lines_of(self, rel: str) -> list[int]:
        return sorted(self.lines.get(rel, ()))


def load_manifest(landing: Path) -> dict:
    """The generator's manifest; a hand-made landing folder has none (no planted defects)."""
    path = landing / "manifest.json"
    if not path.exists():
        return {"defects": []}
    return json.loads(path.read_text(encoding="utf-8"))


def delivered_files(landing: Path, kind: str, defects: Defects) -> list[tuple[str, Path]]:
    """(relative name, path) of every file of a kind the pipeline must accept."""
    folder = landing / kind
    out = []
    for path in sorted(folder.glob(f"{kind}_*")):
        rel = f"{kind}/{path.name}"
        if rel not in defects.files:
            out.append((rel, path))
    return out


def period_from_name(name: str) -> str:
    """`einwohner_2024-12-31.csv` -> `2024-12-31`; `sgb2_2024-12.xlsx` -> `2024-12`."""
    m = re.search(r"_(\d{4}(?:-\d{2}(?:-\d{2})?)?)\.(csv|xlsx)$", name)
    if not m:
        raise ValueError(f"Dateiname ohne Periode: {name}")
    return m.group(1)


def month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def read_text(path: Path) -> str:
    return decode_bytes(path.read_bytes()).text


def read_csv_table(path: Path) -> pl.DataFrame:
    """A plain `;` CSV with one header row, all cells as text, names lowered and trimmed,
    plus `_line` = 1-based line number in the file (header = line 1)."""
    text = read_text(path)
    df = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator=";",
        infer_schema=False,
        truncate_ragged_lines=False,
    )
    df = df.rename({c: c.strip().lower() for c in df.columns})
    return df.with_columns(pl.int_range(pl.len()).cast(pl.Int64).add(2).alias("_line"))


def drop_lines(df: pl.DataFrame, lines: list[int]) -> pl.DataFrame:
    return df.filter(~pl.col("_line").is_in(lines)) if lines else df


def german_int(col: pl.Expr) -> pl.Expr:
    """`1.234` -> 1234 (thousands separator); a decimal comma is not allowed in counts."""
    return col.str.strip_chars().str.replace_all(".", "", literal=True).cast(pl.Int64)


def german_money(col: pl.Expr) -> pl.Expr:
    """`1.234,50` / `1234,50` -> 1234.5."""
    s = col.str.strip_chars()
    with_comma = s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(s.str.contains(",", literal=True)).then(with_comma).otherwise(s).cast(pl.Float64)


def any_date(col: pl.Expr) -> pl.Expr:
    """`TT.MM.JJJJ` or ISO `JJJJ-MM-TT`; empty -> null."""
    s = col.str.strip_chars()
    return pl.coalesce(
        s.str.to_date("%d.%m.%Y", strict=False), s.str.to_date("%Y-%m-%d", strict=False)
    )


# --- BA SGB II tables ---------------------------------------------------------------------


def _ba_rows_csv(path: Path) -> list[tuple[int, list[str]]]:
    """(1-based line, cells) of every line of a BA CSV."""
    lines = read_text(path).split("\n")
    return [(i + 1, line.split(";")) for i, line in enumerate(lines)]


def _ba_rows_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    df = pl.read_excel(path, has_header=False, infer_schema_length=0)
    rows = []
    for i, row in enumerate(df.iter_rows()):  # a few dozen rows: the sheet is tiny
        rows.append((i + 1, ["" if v is None else str(v) for v in row]))
    return rows


def _xlsx_cell(text: str) -> str:
    """XLSX numbers may come as `5.0`; BA symbols stay text."""
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def read_ba_table(path: Path) -> tuple[date, pl.DataFrame]:
    """The reporting month (month end, from the title block) and the area rows of a BA
    small-area table: gebiet_id, one text column per measure, `_line`."""
    rows = _ba_rows_xlsx(path) if path.suffix == ".xlsx" else _ba_rows_csv(path)
    month = None
    header_at = None
    for i, (_, cells) in enumerate(rows):
        first = cells[0].strip()
        m = re.match(r"berichtsmonat:\s*(\w+)\s+(\d{4})", first, re.IGNORECASE)
        if m:
            month = month_end(int(m.group(2)), MONTHS_DE.index(m.group(1).lower()) + 1)
        if first.lower() == "gebiet" and len(cells) > 2:
            header_at = i
            break
    if header_at is None or month is None:
        raise ValueError(f"BA-Tabelle ohne Kopfzeile oder Berichtsmonat: {path.name}")
    keys = [BA_HEADERS[c.strip().lower()] for c in rows[header_at][1]]
    data = []
    for line, cells in rows[header_at + 1 :]:
        filled = [c for c in cells[1:] if c.strip()]
        if not cells[0].strip() or not filled:
            break  # blank line or footer: end of the area rows
        data.append([str(line), *[_xlsx_cell(c.strip()) for c in cells[: len(keys)]]])
    df = pl.DataFrame(data, schema=["_line", *keys], orient="row")
    return month, df.with_columns(pl.col("_line").cast(pl.Int64))
